import type { StateRecord } from '../record-persister.js';
import { toSqlTimestamp, type SaveTime } from '../timestamps.js';
import type { StepKey } from '../validate.js';
import type { StepRemoval } from '../stored-history.js';
import { dependentsAmong } from './dependents.js';
import type { ChainQuery, DeltaBase, Dependent, IncrementalRecord, IncrementalRows, StoredIncrementalRecord } from './rows.js';

/** A row of incremental storage in an `InMemoryStore`. */
export interface IncrementalMemoryRecord extends StateRecord {
  /** `null` for a snapshot. */
  base: DeltaBase | null;
}

/** An app's rows in a map of rows, ordered by sequence id, then position. */
function rowsOf(records: Map<string, IncrementalMemoryRecord>, partitionKey: string, appId: string): IncrementalMemoryRecord[] {
  return [...records.values()]
    .filter((record) => record.partitionKey === partitionKey && record.appId === appId)
    .sort((a, b) => a.sequenceId - b.sequenceId || compareText(a.position, b.position));
}

/** {@link IncrementalRows.findDependents} over a map of rows, without awaiting: a removal that checks it first stays atomic. */
export function memoryDependents(records: Map<string, IncrementalMemoryRecord>, removal: StepRemoval, window: number): Dependent[] {
  const cutoff = removal.createdBefore && toSqlTimestamp(removal.createdBefore.createdAt, removal.createdBefore.createdAtMicros);
  const savedBefore = (record: StateRecord): boolean => cutoff === undefined || toSqlTimestamp(record.createdAt, record.createdAtMicros) < cutoff;
  const links = rowsOf(records, removal.partitionKey, removal.appId).map((row) => ({ ...row, savedBeforeCutoff: savedBefore(row) }));
  return dependentsAmong(links, removal, window);
}

/**
 * {@link IncrementalRows} over a map of rows, for `InMemoryPersister`. Every
 * call runs without awaiting, so each is atomic for other callers.
 */
export function memoryIncrementalRows(records: Map<string, IncrementalMemoryRecord>, storeKey: (key: StepKey) => string, conflict: (key: StepKey) => Error): IncrementalRows {
  return {
    async insert(record: IncrementalRecord): Promise<boolean> {
      const { base, ...row } = record;
      if (base) {
        const stored = records.get(storeKey({ ...record, sequenceId: base.sequenceId, position: base.position }));
        if (!stored || stored.createdAt.getTime() !== base.createdAt.getTime() || stored.createdAtMicros !== base.createdAtMicros) return false;
      }
      const key = storeKey(record);
      if (records.has(key)) throw conflict(record);
      records.set(key, { ...row, base: base && { sequenceId: base.sequenceId, position: base.position } });
      return true;
    },

    async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
      const rows = rowsOf(records, query.partitionKey, query.appId);
      if (rows.length === 0) return [];
      const to = query.to ?? rows[rows.length - 1]!.sequenceId;
      const from = query.from ?? to;
      const snapshot = rows.filter((row) => row.base === null && row.sequenceId <= from).pop();
      const start = snapshot?.sequenceId ?? 0;
      return rows.filter((row) => row.sequenceId >= start && row.sequenceId <= to).map(stored);
    },

    async findDependents(removal, window): Promise<Dependent[]> {
      return memoryDependents(records, removal, window);
    },

    async rewriteAsSnapshot(key: StepKey & SaveTime, base: DeltaBase, state: string): Promise<boolean> {
      const at = storeKey(key);
      const row = records.get(at);
      if (!row?.base || row.base.sequenceId !== base.sequenceId || row.base.position !== base.position) return false;
      if (row.createdAt.getTime() !== key.createdAt.getTime() || row.createdAtMicros !== key.createdAtMicros) return false;
      // Set on an existing key keeps its place in the map: the rewrite is not a new save.
      records.set(at, { ...row, state, base: null });
      return true;
    },
  };
}

function stored(row: IncrementalMemoryRecord): StoredIncrementalRecord {
  return {
    sequenceId: row.sequenceId,
    position: row.position,
    status: row.status,
    // As SQL stores it, to the microsecond: a save continuing from a load names its base's exact save time.
    createdAt: toSqlTimestamp(row.createdAt, row.createdAtMicros),
    baseSequenceId: row.base?.sequenceId ?? null,
    basePosition: row.base?.position ?? null,
    state: row.state,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
