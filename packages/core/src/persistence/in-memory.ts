import type { StateRecord, StoredStateRecord, RecordQuery, RecordStatePersisterOptions } from './record-persister.js';
import { RecordStatePersister } from './record-persister.js';
import type { StepKey } from './validate.js';

/** The records behind one or more {@link InMemoryPersister}s, like a database several connections share. */
export class InMemoryStore {
  /** @internal */
  readonly records = new Map<string, StateRecord>();
  /** @internal */
  initialized = false;
}

/** Options of {@link InMemoryPersister}. */
export interface InMemoryPersisterOptions extends RecordStatePersisterOptions {
  /** Share records with other persisters; by default each persister has its own store. */
  store?: InMemoryStore;
}

/**
 * A persister that keeps steps in process memory. It stores the same JSON
 * text a database would, so serialization behaves exactly as in production;
 * it is the reference behaviour of the persister contract, and handy in tests.
 */
export class InMemoryPersister extends RecordStatePersister {
  readonly #store: InMemoryStore;

  constructor(options: InMemoryPersisterOptions = {}) {
    super(options);
    this.#store = options.store ?? new InMemoryStore();
  }

  protected describe(): string {
    return 'InMemoryPersister';
  }

  protected async createSchema(): Promise<void> {
    this.#store.initialized = true;
  }

  protected async schemaExists(): Promise<boolean> {
    return this.#store.initialized;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const key = storeKey(record);
    if (this.#store.records.has(key)) throw this.conflict(record);
    this.#store.records.set(key, record);
  }

  protected override async findRecordAt(key: StepKey): Promise<StoredStateRecord | null> {
    return this.#store.records.get(storeKey(key)) ?? null;
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    let best: StateRecord | undefined;
    for (const record of this.#store.records.values()) {
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
    // Map order is insertion order, so the last write of each app wins.
    const lastWrite = new Map<string, number>();
    let order = 0;
    for (const record of this.#store.records.values()) {
      if (record.partitionKey !== partitionKey) continue;
      lastWrite.delete(record.appId);
      lastWrite.set(record.appId, order++);
    }
    return [...lastWrite.keys()].reverse();
  }

  protected async closeClient(): Promise<void> {}
}

/** The map key of a step: its four key parts, unambiguously joined. */
function storeKey(key: StepKey): string {
  return JSON.stringify([key.partitionKey, key.appId, key.sequenceId, key.position]);
}
