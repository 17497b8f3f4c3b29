import { ConcurrentDependentError } from '../errors.js';
import type { StateRecord, StoredStateRecord, RecordQuery, RecordStatePersisterOptions } from './record-persister.js';
import { RecordStatePersister } from './record-persister.js';
import { memoryDependents, memoryIncrementalRows, type IncrementalMemoryRecord } from './incremental/memory-rows.js';
import { readStorageOptions, type StorageModeOptions } from './incremental/options.js';
import type { AppQuery, AppScan, KeptStep, StepQuery, StepRemoval, StoredAppSummary, StoredStepSummary } from './stored-history.js';
import { StepRecords } from './in-memory-records.js';
import { toSqlTimestamp } from './timestamps.js';
import type { StepKey } from './validate.js';

/** The records behind one or more {@link InMemoryPersister}s, like a database several connections share. */
export class InMemoryStore {
  /** @internal */
  readonly records = new StepRecords<StateRecord>();
  /** @internal */
  initialized = false;
  /** Steps of persisters in incremental mode, apart from the full-mode records. @internal */
  readonly incrementalRecords = new StepRecords<IncrementalMemoryRecord>();
  /** @internal */
  incrementalInitialized = false;
}

/** Options of {@link InMemoryPersister}. */
export interface InMemoryPersisterOptions extends RecordStatePersisterOptions, StorageModeOptions {
  /** Share records with other persisters; by default each persister has its own store. */
  store?: InMemoryStore | undefined;
}

/**
 * A persister that keeps steps in process memory. It stores the same JSON
 * text a database would, so serialization behaves exactly as in production;
 * it is the reference behaviour of the persister contract, and handy in tests.
 */
export class InMemoryPersister extends RecordStatePersister {
  readonly #store: InMemoryStore;
  /** The store's records of this persister's storage mode. */
  readonly #records: StepRecords<StateRecord>;

  /** Throws `InvalidPersistArgumentError` for bad storage options. */
  constructor(options: InMemoryPersisterOptions = {}) {
    super(options);
    this.#store = options.store ?? new InMemoryStore();
    const incremental = readStorageOptions('InMemoryPersister', options);
    this.#records = incremental ? this.#store.incrementalRecords : this.#store.records;
    if (incremental)
      this.useIncrementalStorage(
        memoryIncrementalRows(this.#store.incrementalRecords, storeKey, (key) => this.conflict(key)),
        incremental,
      );
  }

  protected override async stepsInOtherStorageMode(partitionKey: string, appId: string): Promise<boolean> {
    const other = this.#records === this.#store.records ? this.#store.incrementalRecords : this.#store.records;
    for (const record of other.values()) if (record.partitionKey === partitionKey && record.appId === appId) return true;
    return false;
  }

  protected describe(): string {
    return 'InMemoryPersister';
  }

  protected async createSchema(): Promise<void> {
    if (this.storageMode === 'incremental') this.#store.incrementalInitialized = true;
    else this.#store.initialized = true;
  }

  protected async schemaExists(): Promise<boolean> {
    return this.storageMode === 'incremental' ? this.#store.incrementalInitialized : this.#store.initialized;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const key = storeKey(record);
    if (this.#records.has(key)) throw this.conflict(record);
    this.#records.set(key, record);
  }

  protected override async findRecordAt(key: StepKey): Promise<StoredStateRecord | null> {
    return this.#records.get(storeKey(key)) ?? null;
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    let best: StateRecord | undefined;
    for (const record of this.#records.values()) {
      if (record.partitionKey !== query.partitionKey || record.appId !== query.appId) continue;
      if (query.sequenceId === null) {
        if (!best || record.sequenceId > best.sequenceId || (record.sequenceId === best.sequenceId && record.position > best.position)) best = record;
      } else if (record.sequenceId === query.sequenceId && (!best || record.position < best.position)) {
        best = record;
      }
    }
    return best ?? null;
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    // The last write of each app first, as its step records count writes.
    const apps = new Map<string, number>();
    for (const record of this.#records.values()) {
      if (record.partitionKey === partitionKey && !apps.has(record.appId)) apps.set(record.appId, this.#records.appSaves(partitionKey, record.appId)!.lastWrite);
    }
    return [...apps.entries()].sort((a, b) => b[1] - a[1]).map(([appId]) => appId);
  }

  protected async findSteps(query: StepQuery): Promise<StoredStepSummary[]> {
    const steps = this.#stepsOf(query.partitionKey, query.appId).filter(
      (record) => (query.before === undefined || record.sequenceId < query.before) && (query.after === undefined || record.sequenceId > query.after),
    );
    steps.sort((a, b) => a.sequenceId - b.sequenceId || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    if (query.newestFirst) steps.reverse();
    return steps.slice(0, query.limit).map((record) => ({
      sequenceId: record.sequenceId,
      position: record.position,
      status: record.status,
      // As SQL returns it: text to the microsecond (a conversion copies the exact save time).
      createdAt: toSqlTimestamp(record.createdAt, record.createdAtMicros),
      sizeBytes: Buffer.byteLength(record.state),
      // Incremental rows name their base; full-mode records have none.
      isDelta: ((record as Partial<IncrementalMemoryRecord>).base ?? null) !== null,
      ...(query.withState ? { state: record.state } : {}),
    }));
  }

  protected async findApps(query: AppQuery): Promise<StoredAppSummary[]> {
    const apps = new Map<string, StoredAppSummary>();
    for (const record of this.#records.values()) {
      if (record.partitionKey !== query.partitionKey) continue;
      const known = apps.get(record.appId);
      const isLatest = !known || record.sequenceId > Number(known.lastSequenceId) || (record.sequenceId === Number(known.lastSequenceId) && record.position > known.lastPosition);
      // The newest save as the step records keep it: a prune may have removed that step.
      const newestSave = this.#records.appSaves(query.partitionKey, record.appId)!;
      const latest = isLatest || !known ? { lastSequenceId: record.sequenceId, lastPosition: record.position, lastStatus: record.status } : known;
      apps.set(record.appId, {
        appId: record.appId,
        lastSequenceId: latest.lastSequenceId,
        lastPosition: latest.lastPosition,
        lastStatus: latest.lastStatus,
        lastSavedAt: newestSave.lastSavedAt,
        savedAtKey: newestSave.savedAtKey,
      });
    }
    const newestFirst = (a: StoredAppSummary, b: StoredAppSummary): number => compareText(b.savedAtKey, a.savedAtKey) || compareText(b.appId, a.appId);
    const after = query.after;
    const sorted = [...apps.values()].sort(newestFirst);
    const rest = after ? sorted.filter((app) => newestFirst({ ...app, appId: after.appId, savedAtKey: after.savedAtKey }, app) < 0) : sorted;
    return rest.slice(0, query.limit);
  }

  protected async scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
    const keys = new Map<string, { partitionKey: string; appId: string }>();
    for (const record of this.#records.values()) {
      if (partitionKey === null || record.partitionKey === partitionKey) keys.set(JSON.stringify([record.partitionKey, record.appId]), record);
    }
    const sorted = [...keys.entries()].sort(([a], [b]) => compareText(a, b)).filter(([key]) => cursor === null || key > cursor);
    const page = sorted.slice(0, limit);
    return { apps: page.map(([, { partitionKey, appId }]) => ({ partitionKey, appId })), cursor: page.length === limit ? page[page.length - 1]![0] : null };
  }

  protected async removeApp(partitionKey: string, appId: string): Promise<number> {
    const steps = this.#stepsOf(partitionKey, appId);
    for (const record of steps) this.#records.delete(storeKey(record));
    return steps.length;
  }

  protected async removeSteps(removal: StepRemoval): Promise<number> {
    const window = removal.keepDependentsWithin;
    if (window !== undefined && this.#records === this.#store.incrementalRecords && memoryDependents(this.#store.incrementalRecords, removal, window).length > 0) {
      throw new ConcurrentDependentError(removal);
    }
    if (removal.keptStep && !this.#storedAsListed(removal.partitionKey, removal.appId, removal.keptStep)) return 0;
    const before = removal.createdBefore && toSqlTimestamp(removal.createdBefore.createdAt, removal.createdBefore.createdAtMicros);
    let removed = 0;
    for (const record of this.#stepsOf(removal.partitionKey, removal.appId)) {
      if (record.sequenceId < removal.fromSequenceId || record.sequenceId > removal.toSequenceId) continue;
      if (before !== undefined && toSqlTimestamp(record.createdAt, record.createdAtMicros) >= before) continue;
      this.#records.delete(storeKey(record));
      removed++;
    }
    return removed;
  }

  /** Whether `step` is stored with the save time `findSteps` listed for it. */
  #storedAsListed(partitionKey: string, appId: string, step: KeptStep): boolean {
    const record = this.#records.get(storeKey({ partitionKey, appId, sequenceId: step.sequenceId, position: step.position }));
    return record !== undefined && toSqlTimestamp(record.createdAt, record.createdAtMicros) === step.createdAt;
  }

  #stepsOf(partitionKey: string, appId: string): StateRecord[] {
    return [...this.#records.values()].filter((record) => record.partitionKey === partitionKey && record.appId === appId);
  }

  protected async closeClient(): Promise<void> {}
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The map key of a step: its four key parts, unambiguously joined. */
function storeKey(key: StepKey): string {
  return JSON.stringify([key.partitionKey, key.appId, key.sequenceId, key.position]);
}
