import {
  dependentsAmong,
  toIsoTimestamp,
  type ChainQuery,
  type DeltaBase,
  type Dependent,
  type IncrementalRecord,
  type IncrementalRows,
  type SaveTime,
  type StepKey,
  type StepRemoval,
  type StoredIncrementalRecord,
} from '@burr/core';
import { replyText } from './client.js';
import { chainRowsOfReply } from './chain-reply.js';
import { CHAIN_ROWS, REWRITE_AS_SNAPSHOT, STEP_LINKS } from './incremental-scripts.js';
import type { RedisAccess } from './redis-access.js';

/**
 * `IncrementalRows` on Redis: a snapshot (or a delta of a large state) is a
 * step hash of the incremental key layout; any other delta is packed, a
 * record in a segment, a list per 64 sequence ids (see `LUA_PACKED`), so a
 * chain read takes 64 deltas in one `LRANGE`. `insert` is the persister's
 * save script (which checks a delta's base in the same script); the rest is
 * one script per call.
 */
export function redisIncrementalRows(redis: RedisAccess, insert: (record: IncrementalRecord) => Promise<boolean>): IncrementalRows {
  const { keys } = redis;
  return {
    insert,

    async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
      const { partitionKey, appId } = query;
      const latest = query.to === null || query.from === null;
      const args = [keys.stepKeyPrefix(partitionKey, appId), appId, latest ? '' : String(query.from), latest ? '' : String(query.to)];
      const reply = await redis.script(CHAIN_ROWS, [keys.appStepsKey(partitionKey, appId), keys.appsBySequenceKey(partitionKey)], args);
      return chainRowsOfReply(reply);
    },

    async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
      const { partitionKey, appId } = removal;
      const args = [keys.stepKeyPrefix(partitionKey, appId), String(removal.fromSequenceId), String(removal.toSequenceId + window)];
      const reply = await redis.script(STEP_LINKS, [keys.appStepsKey(partitionKey, appId)], args);
      // Compared as REMOVE_STEPS compares: `YYYY-MM-DDTHH:MM:SS.ffffff`, which is how this layout's steps store it.
      const cutoff = removal.createdBefore && toIsoTimestamp(removal.createdBefore.createdAt, removal.createdBefore.createdAtMicros).slice(0, 26);
      const links = (Array.isArray(reply) ? (reply as unknown[][]) : []).map((row) => {
        const baseSequenceId = replyText(row[3]);
        return {
          sequenceId: Number(replyText(row[0])),
          position: replyText(row[1]) ?? '',
          base: baseSequenceId === undefined ? null : { sequenceId: Number(baseSequenceId), position: replyText(row[4]) ?? '' },
          savedBeforeCutoff: cutoff === undefined || (replyText(row[2]) ?? '').slice(0, 26) < cutoff,
        };
      });
      return dependentsAmong(links, removal, window);
    },

    async rewriteAsSnapshot(row: StepKey & SaveTime, base: DeltaBase, state: string): Promise<boolean> {
      const stepKey = keys.stepKey(row.partitionKey, row.appId, row.sequenceId);
      const deltasKey = keys.appDeltasKey(row.partitionKey, row.appId);
      const prefix = keys.stepKeyPrefix(row.partitionKey, row.appId);
      const savedAt = toIsoTimestamp(row.createdAt, row.createdAtMicros);
      const args = [String(base.sequenceId), base.position, state, String(row.sequenceId), prefix, row.partitionKey, row.appId, savedAt];
      const reply = await redis.script(REWRITE_AS_SNAPSHOT, [stepKey, deltasKey], args);
      return Number(reply) === 1;
    },
  };
}
