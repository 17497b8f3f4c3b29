import { ConcurrentDependentError, toIsoTimestamp, type CompactReport, type StepRemoval } from '@burr/core';
import { replyText } from './client.js';
import { untilIndexed, type RedisAccess } from './redis-access.js';
import { REMOVE_APP, REMOVE_STEPS } from './removal-scripts.js';

const stillIndexing = (reply: unknown) => Number(reply) === -1;

/** The KEYS of both removal scripts: the app's index and marker, then the partition's sets and saved_at hash. */
function appRemovalKeys({ keys }: RedisAccess, partitionKey: string, appId: string): string[] {
  return [
    keys.appStepsKey(partitionKey, appId),
    keys.appUnindexedKey(partitionKey, appId),
    keys.appsBySequenceKey(partitionKey),
    keys.appsBySaveKey(partitionKey),
    keys.savedAtKey(partitionKey),
  ];
}

/** Deletes every step of an app in one script (see {@link REMOVE_APP}); returns how many. */
export async function removeApp(redis: RedisAccess, partitionKey: string, appId: string): Promise<number> {
  const { keys } = redis;
  const scriptKeys = appRemovalKeys(redis, partitionKey, appId);
  const args = [keys.stepKeyPrefix(partitionKey, appId), appId];
  return Number(await untilIndexed(() => redis.script(REMOVE_APP, scriptKeys, args), stillIndexing));
}

/** Removes one batch of an app's steps in one script (see {@link REMOVE_STEPS}); returns how many. */
export async function removeSteps(redis: RedisAccess, removal: StepRemoval): Promise<number> {
  const { keys } = redis;
  const { partitionKey, appId, createdBefore } = removal;
  const scriptKeys = appRemovalKeys(redis, partitionKey, appId);
  // `YYYY-MM-DDTHH:MM:SS.ffffff`: the stored created_at (ISO 8601, UTC) normalized the same way in the script.
  const before = createdBefore ? toIsoTimestamp(createdBefore.createdAt, createdBefore.createdAtMicros).slice(0, 26) : '';
  const window = removal.keepDependentsWithin === undefined ? '' : String(removal.keepDependentsWithin);
  const args = [keys.stepKeyPrefix(partitionKey, appId), appId, String(removal.fromSequenceId), String(removal.toSequenceId), before, window];
  const { keptStep } = removal;
  if (keptStep) args.push(String(keptStep.sequenceId), keptStep.position, keptStep.createdAt === null ? '' : String(keptStep.createdAt));
  const removed = Number(await untilIndexed(() => redis.script(REMOVE_STEPS, scriptKeys, args), stillIndexing));
  if (removed === DEPENDENT_SAVED) throw new ConcurrentDependentError(removal);
  return removed;
}

/** REMOVE_STEPS's reply when a delta on a step it would remove was saved since the caller looked (nothing removed). */
const DEPENDENT_SAVED = -2;

/**
 * Redis gives a key's memory back when it is deleted: nothing to run. The
 * report carries the server's `used_memory` (all databases, not only this
 * namespace), or `null` where INFO is not allowed.
 */
export async function compactStore(redis: RedisAccess): Promise<CompactReport> {
  const used = await usedMemory(redis);
  return {
    bytesBefore: used,
    bytesAfter: used,
    performed: [],
    advice: [
      'Redis frees the memory of deleted steps at once (UNLINK frees large ones in the background); nothing needs compacting.',
      'The byte counts are the whole server’s used_memory (INFO memory), not only this namespace’s.',
      'If used_memory_rss stays far above used_memory after large deletes (fragmentation), MEMORY PURGE or CONFIG SET activedefrag yes returns memory to the operating system.',
    ],
  };
}

async function usedMemory(redis: RedisAccess): Promise<number | null> {
  try {
    const info = replyText(await redis.command(['INFO', 'memory'])) ?? '';
    const bytes = /^used_memory:(\d+)\s*$/m.exec(info)?.[1];
    return bytes === undefined ? null : Number(bytes);
  } catch (error) {
    // A server that forbids or renamed INFO (managed Redis) still answers the report; a lost connection does not.
    if (error instanceof Error && /^(ERR|NOPERM)\b/.test(error.message)) return null;
    throw error;
  }
}
