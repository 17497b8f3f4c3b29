import {
  toIsoTimestamp,
  type ChainQuery,
  type DeltaBase,
  type Dependent,
  type IncrementalRecord,
  type IncrementalRows,
  type StepKey,
  type StepRemoval,
  type StoredIncrementalRecord,
} from '@burr/core';
import { replyText } from './client.js';
import { CHAIN_ROWS, REWRITE_AS_SNAPSHOT, STEP_LINKS } from './incremental-scripts.js';
import type { RedisAccess } from './redis-access.js';

/**
 * `IncrementalRows` on Redis: each row is a step hash of the incremental key
 * layout, a delta's hash also holding `base_sequence_id` and `base_position`.
 * `insert` is the persister's save script (which checks a delta's base in the
 * same script); the rest is one script per call.
 */
export function redisIncrementalRows(redis: RedisAccess, insert: (record: IncrementalRecord) => Promise<boolean>): IncrementalRows {
  const { keys } = redis;
  return {
    insert,

    async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
      const { partitionKey, appId } = query;
      const latest = query.to === null || query.from === null;
      const args = [keys.stepKeyPrefix(partitionKey, appId), appId, latest ? '' : String(query.from), latest ? '' : String(query.to)];
      const reply = await redis.run(() => CHAIN_ROWS.run(redis.client, [keys.appStepsKey(partitionKey, appId), keys.appsBySequenceKey(partitionKey)], args));
      const rows = Array.isArray(reply) ? (reply as unknown[][]) : [];
      return rows.reverse().map((row) => ({
        sequenceId: replyText(row[0]) ?? '',
        position: replyText(row[1]) ?? '',
        status: replyText(row[2]) ?? '',
        createdAt: replyText(row[3]) ?? null,
        baseSequenceId: replyText(row[4]) ?? null,
        basePosition: replyText(row[5]) ?? null,
        // Checked by the reader: a row without state is reported as corrupt.
        state: replyText(row[6]) as string,
      }));
    },

    async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
      const { partitionKey, appId, fromSequenceId: from, toSequenceId: to } = removal;
      const args = [keys.stepKeyPrefix(partitionKey, appId), String(from), String(to + window)];
      const reply = await redis.run(() => STEP_LINKS.run(redis.client, [keys.appStepsKey(partitionKey, appId)], args));
      const rows = (Array.isArray(reply) ? (reply as unknown[][]) : []).map((row) => ({
        sequenceId: Number(replyText(row[0])),
        position: replyText(row[1]) ?? '',
        createdAt: replyText(row[2]) ?? '',
        baseSequenceId: replyText(row[3]),
        basePosition: replyText(row[4]),
      }));
      // Compared as REMOVE_STEPS compares: `YYYY-MM-DDTHH:MM:SS.ffffff`, which is how this layout's steps store it.
      const cutoff = removal.createdBefore && toIsoTimestamp(removal.createdBefore.createdAt, removal.createdBefore.createdAtMicros).slice(0, 26);
      const goes = (row: { sequenceId: number; createdAt: string }) =>
        row.sequenceId >= from && row.sequenceId <= to && (cutoff === undefined || row.createdAt.slice(0, 26) < cutoff);
      const bySequence = new Map(rows.map((row) => [row.sequenceId, row]));
      return rows.flatMap((row) => {
        if (row.baseSequenceId === undefined || row.sequenceId <= from || goes(row)) return [];
        const base: DeltaBase = { sequenceId: Number(row.baseSequenceId), position: row.basePosition ?? '' };
        const stored = bySequence.get(base.sequenceId);
        return stored && stored.position === base.position && goes(stored) ? [{ partitionKey, appId, sequenceId: row.sequenceId, position: row.position, base }] : [];
      });
    },

    async rewriteAsSnapshot(key: StepKey, base: DeltaBase, state: string): Promise<boolean> {
      const stepKey = keys.stepKey(key.partitionKey, key.appId, key.sequenceId);
      const reply = await redis.run(() => REWRITE_AS_SNAPSHOT.run(redis.client, [stepKey], [String(base.sequenceId), base.position, state]));
      return Number(reply) === 1;
    },
  };
}
