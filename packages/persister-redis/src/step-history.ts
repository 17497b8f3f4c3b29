import { InvalidPersistArgumentError, type AppQuery, type StepQuery, type StoredAppSummary, type StoredStepSummary } from '@burr/core';
import { replyList, replyText } from './client.js';
import { FIND_APPS, FIND_STEPS } from './history-scripts.js';
import { untilIndexed, type RedisAccess } from './redis-access.js';

/** One page of an app's steps from its index (see {@link FIND_STEPS}). */
export async function findSteps(redis: RedisAccess, query: StepQuery): Promise<StoredStepSummary[]> {
  const { partitionKey, appId } = query;
  const keys = [redis.keys.appStepsKey(partitionKey, appId), redis.keys.appUnindexedKey(partitionKey, appId), redis.keys.appsBySequenceKey(partitionKey)];
  const args = [
    redis.keys.stepKeyPrefix(partitionKey, appId),
    appId,
    query.newestFirst ? '1' : '0',
    query.after === undefined ? '-inf' : `(${query.after}`,
    query.before === undefined ? '+inf' : `(${query.before}`,
    String(query.limit),
    query.withState ? '1' : '0',
    redis.keys.storage === 'incremental' ? '1' : '',
  ];
  const reply = await untilIndexed(
    () => redis.script(FIND_STEPS, keys, args),
    (answer) => Array.isArray(answer) && Number(answer[0]) === 0,
  );
  const rows = Array.isArray(reply) && Array.isArray(reply[1]) ? (reply[1] as unknown[]) : [];
  return rows.map((row) => {
    const [sequenceId, position, status, createdAt, sizeBytes, isDelta, state] = Array.isArray(row) ? row : [];
    const summary: StoredStepSummary = {
      sequenceId: replyText(sequenceId) ?? '',
      position: replyText(position) ?? '',
      status: replyText(status) ?? '',
      createdAt: replyText(createdAt) ?? null,
      sizeBytes: Number(sizeBytes ?? 0),
      isDelta: Number(isDelta) === 1,
    };
    const stateText = replyText(state);
    if (stateText !== undefined) summary.state = stateText;
    return summary;
  });
}

/** Where a listApps cursor resumes: which set, and after which score. */
interface AppCursorPosition {
  phase: 'save' | 'seq';
  score: string;
  appId: string;
}

/** Apps only Python Burr wrote are listed after ours, ordered by latest sequence id: their cursor key says so. */
const PYTHON_ONLY_PREFIX = 'seq:';

function cursorPosition(after: AppQuery['after']): AppCursorPosition {
  if (after === undefined) return { phase: 'save', score: '', appId: '' };
  const { savedAtKey, appId } = after;
  if (/^\d+$/.test(savedAtKey)) return { phase: 'save', score: savedAtKey, appId };
  const sequence = savedAtKey.startsWith(PYTHON_ONLY_PREFIX) ? savedAtKey.slice(PYTHON_ONLY_PREFIX.length) : '';
  if (/^\d+$/.test(sequence)) return { phase: 'seq', score: sequence, appId };
  throw new InvalidPersistArgumentError(`cursor position ${JSON.stringify(savedAtKey)} is not one listApps returned for Redis`);
}

function appsScriptKeys(redis: RedisAccess, partitionKey: string): string[] {
  return [redis.keys.appsBySaveKey(partitionKey), redis.keys.appsBySequenceKey(partitionKey), redis.keys.savedAtKey(partitionKey)];
}

/** One page of a partition's apps, most recently saved first (see {@link FIND_APPS}). */
export async function findApps(redis: RedisAccess, query: AppQuery): Promise<StoredAppSummary[]> {
  const at = cursorPosition(query.after);
  const keys = appsScriptKeys(redis, query.partitionKey);
  const args = [redis.keys.partitionPrefix(query.partitionKey), String(query.limit), at.phase, at.score, at.appId];
  const reply = await redis.script(FIND_APPS, keys, args);
  const rows = Array.isArray(reply) ? (reply as unknown[]) : [];
  return rows.map((row) => {
    const [appId, latest, position, status, savedAt, phase, score] = Array.isArray(row) ? row : [];
    const scoreText = replyText(score) ?? '';
    return {
      appId: replyText(appId) ?? '',
      lastSequenceId: replyText(latest) ?? '',
      lastPosition: replyText(position) ?? '',
      lastStatus: replyText(status) ?? '',
      lastSavedAt: replyText(savedAt) ?? null,
      savedAtKey: replyText(phase) === 'seq' ? `${PYTHON_ONLY_PREFIX}${scoreText}` : scoreText,
    };
  });
}

/** Every live app id of a partition, most recently saved first, then apps only Python Burr wrote. */
export async function findAppIds(redis: RedisAccess, partitionKey: string): Promise<string[]> {
  const keys = appsScriptKeys(redis, partitionKey);
  const reply = await redis.script(FIND_APPS, keys, [redis.keys.partitionPrefix(partitionKey), '0', 'save', '', '']);
  return replyList(reply);
}
