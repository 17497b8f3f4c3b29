import {
  DeserializationError,
  dependentsAmong,
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
import { CHAIN_ENTRY_FIELDS, CHAIN_ROW_FIELDS, CHAIN_ROWS, REWRITE_AS_SNAPSHOT, STEP_LINKS } from './incremental-scripts.js';
import type { RedisAccess } from './redis-access.js';

/**
 * `IncrementalRows` on Redis: each row is a step hash of the incremental key
 * layout, a delta's hash also holding `base_sequence_id` and `base_position`.
 * `insert` is the persister's save script (which checks a delta's base in the
 * same script); the rest is one script per call. A load's script reads a
 * key per row (about 8 µs a row, where SQLite takes 2-3), so rows are
 * `expensiveRows`: chains stay as short as snapshots at doubling sizes make them.
 */
export function redisIncrementalRows(redis: RedisAccess, insert: (record: IncrementalRecord) => Promise<boolean>): IncrementalRows {
  const { keys } = redis;
  return {
    expensiveRows: true,
    insert,

    async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
      const { partitionKey, appId } = query;
      const latest = query.to === null || query.from === null;
      const args = [keys.stepKeyPrefix(partitionKey, appId), appId, latest ? '' : String(query.from), latest ? '' : String(query.to)];
      const reply = await redis.run(() => CHAIN_ROWS.run(redis.client, [keys.appStepsKey(partitionKey, appId), keys.appsBySequenceKey(partitionKey)], args));
      const values = Array.isArray(reply) ? (reply as unknown[]) : [];
      const rows: StoredIncrementalRecord[] = [];
      // Newest first in the reply: a row read from its step hash starts with its sequence id as an integer.
      for (let at = 0; at < values.length; ) {
        if (typeof values[at] !== 'number') {
          const sequenceId = replyText(values[at]) ?? '';
          rows.push({ sequenceId, status: null, createdAt: null, ...fromDeltaEntry(sequenceId, replyText(values[at + 1]) ?? '') });
          at += CHAIN_ENTRY_FIELDS;
          continue;
        }
        const sequenceId = values[at] as number;
        const status = replyText(values[at + 2]) ?? null;
        const createdAt = replyText(values[at + 3]) ?? null;
        const position = replyText(values[at + 1]);
        // Checked by the reader: a row without state is reported as corrupt.
        const state = replyText(values[at + 6]) as string;
        if (position === undefined && state !== undefined) {
          rows.push({ sequenceId, status, createdAt, ...fromDeltaEntry(String(sequenceId), state) });
        } else {
          rows.push({
            sequenceId,
            position: position ?? '',
            status,
            createdAt,
            baseSequenceId: replyText(values[at + 4]) ?? null,
            basePosition: replyText(values[at + 5]) ?? null,
            state,
          });
        }
        at += CHAIN_ROW_FIELDS;
      }
      rows.reverse();
      fillBasePositions(rows);
      return rows;
    },

    async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
      const { partitionKey, appId } = removal;
      const args = [keys.stepKeyPrefix(partitionKey, appId), String(removal.fromSequenceId), String(removal.toSequenceId + window)];
      const reply = await redis.run(() => STEP_LINKS.run(redis.client, [keys.appStepsKey(partitionKey, appId)], args));
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

    async rewriteAsSnapshot(key: StepKey, base: DeltaBase, state: string): Promise<boolean> {
      const stepKey = keys.stepKey(key.partitionKey, key.appId, key.sequenceId);
      const deltasKey = keys.appDeltasKey(key.partitionKey, key.appId);
      const args = [String(base.sequenceId), base.position, state, String(key.sequenceId), keys.stepKeyPrefix(key.partitionKey, key.appId), key.partitionKey, key.appId];
      const reply = await redis.run(() => REWRITE_AS_SNAPSHOT.run(redis.client, [stepKey, deltasKey], args));
      return Number(reply) === 1;
    },
  };
}

/**
 * A delta's links and state from its entry in the app's hash of delta states: a head
 * `[position, base sequence id, base position]`, or `[position]` for a delta on the
 * step before it (whose position the caller fills in from that row), a newline, the state.
 */
function fromDeltaEntry(sequenceId: string, entry: string): Pick<StoredIncrementalRecord, 'position' | 'baseSequenceId' | 'basePosition' | 'state'> {
  const newline = entry.indexOf('\n');
  let head: unknown;
  try {
    head = newline > 0 ? JSON.parse(entry.slice(0, newline)) : undefined;
  } catch {
    head = undefined;
  }
  const valid = Array.isArray(head) && typeof head[0] === 'string' && (head.length === 1 || (head.length === 3 && Number.isSafeInteger(head[1]) && typeof head[2] === 'string'));
  if (!valid) throw new DeserializationError(`the delta entry at sequence ${sequenceId} has no valid head ([position] or [position, base sequence id, base position])`);
  const [position, baseSequenceId = Number(sequenceId) - 1, basePosition = null] = head as [string, number?, string?];
  return { position, baseSequenceId, basePosition, state: entry.slice(newline + 1) };
}

/**
 * Fills in the base position of each delta whose head left it out (its base is the
 * step before it): the position of the row before it, when that is its base. A delta
 * left without one is reported as corrupt by the reader.
 */
function fillBasePositions(rows: StoredIncrementalRecord[]): void {
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const before = rows[i - 1]!;
    if (row.baseSequenceId !== null && row.basePosition === null && Number(before.sequenceId) === Number(row.baseSequenceId)) row.basePosition = before.position;
  }
}
