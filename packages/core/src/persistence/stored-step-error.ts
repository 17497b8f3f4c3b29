import { DeserializationError } from '../errors.js';
import { soundSequenceId } from './history-pages.js';

/** The identity of a stored row as a backend read it, before any of it is trusted. */
interface StoredStepIdentity {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | bigint | string;
}

/**
 * Wraps an error met while decoding a stored row into a
 * {@link DeserializationError} whose message names the row (partition, app id
 * and sequence id as stored), so an operator can find and fix it.
 */
export function storedStepError(row: StoredStepIdentity, error: unknown): DeserializationError {
  const where = `partition ${JSON.stringify(row.partitionKey ?? '')}, app ${JSON.stringify(row.appId)}, sequence ${JSON.stringify(String(row.sequenceId))}`;
  const reason = error instanceof Error ? error.message : String(error);
  const chainRow = error instanceof DeserializationError ? error.chainRow : undefined;
  const sequenceId = soundSequenceId(row.sequenceId);
  // A sequence id that is itself broken is named only in the message.
  const storedStep = sequenceId === undefined ? undefined : { partitionKey: row.partitionKey ?? '', appId: row.appId, sequenceId };
  return new DeserializationError(`Could not load the stored step at ${where}: ${reason}`, { cause: error, chainRow, storedStep });
}
