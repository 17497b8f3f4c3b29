import { DeserializationError, type AppRef, type StoredAppSummary, type StoredStepSummary } from '@burr/core';
import { bsonNumber, malformed, readSequenceId } from './documents.js';

/*
 * What the history queries of history-queries.ts return, read back into the
 * core's types. As with `fromDocument`, a document that is not a Burr step is
 * a DeserializationError naming where it is and which field is wrong, never
 * half a summary.
 */

/** A time as stored: ISO text (both Burrs), or a Date (some other writer); `null` when missing. */
function readCreatedAt(value: unknown, where: string): string | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || value instanceof Date) return value;
  throw malformed(where, 'created_at', value);
}

function readText(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw malformed(where, field, value);
  return value;
}

/** One row of `stepsPipeline` (partition and app are the query's). */
export function fromStepSummaryDocument(document: Record<string, unknown>, partitionKey: string, appId: string): StoredStepSummary {
  const where = `step of partition ${JSON.stringify(partitionKey)}, app ${JSON.stringify(appId)}, sequence ${JSON.stringify(String(document.sequence_id))}`;
  const sizeBytes = bsonNumber(document.size_bytes);
  // size_bytes is null exactly when `state` is not text (see STATE_BYTES_EXPRESSION).
  if (sizeBytes === undefined) throw new DeserializationError(`Stored ${where} is not a Burr step: state is not text`);
  const summary: StoredStepSummary = {
    sequenceId: readSequenceId(document.sequence_id, where),
    position: readText(document.position, where, 'position'),
    status: readText(document.status, where, 'status'),
    createdAt: readCreatedAt(document.created_at, where),
    sizeBytes,
    isDelta: document.base_sequence_id !== undefined && document.base_sequence_id !== null,
  };
  if ('state' in document) summary.state = readText(document.state, where, 'state');
  return summary;
}

/** One row of `appsPipeline`. */
export function fromAppSummaryDocument(document: Record<string, unknown>, partitionKey: string): StoredAppSummary {
  const appId = readText(document._id, `app of partition ${JSON.stringify(partitionKey)}`, 'app_id');
  const where = `latest step of partition ${JSON.stringify(partitionKey)}, app ${JSON.stringify(appId)}`;
  const lastSavedAt = document.last_saved_at;
  return {
    appId,
    lastSequenceId: readSequenceId(document.last_sequence_id, where),
    lastPosition: readText(document.last_position, where, 'position'),
    lastStatus: readText(document.last_status, where, 'status'),
    lastSavedAt: typeof lastSavedAt === 'string' ? lastSavedAt : null,
    savedAtKey: readText(document.saved_at_key, where, 'created_at'),
  };
}

/** The app a scan seek found (`partition_key` and `app_id` only). */
export function fromAppSeekDocument(document: Record<string, unknown>): AppRef {
  const partitionKey = document.partition_key;
  const appId = readText(document.app_id, 'app scan result', 'app_id');
  if (partitionKey !== null && partitionKey !== undefined && typeof partitionKey !== 'string') throw malformed(`app ${JSON.stringify(appId)}`, 'partition_key', partitionKey);
  return { partitionKey: partitionKey ?? '', appId };
}
