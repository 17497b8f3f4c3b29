import type { StateRecord, StoredStateRecord, RecordQuery, RecordStatePersisterOptions } from './record-persister.js';
import { RecordStatePersister } from './record-persister.js';

/**
 * A persister that keeps steps in process memory. It stores the same JSON
 * text a database would, so serialization behaves exactly as in production;
 * it is the reference behaviour of the persister contract, and handy in tests.
 */
export class InMemoryPersister extends RecordStatePersister {
  readonly #records = new Map<string, StateRecord>();
  #initialized = false;

  constructor(options: RecordStatePersisterOptions = {}) {
    super(options);
  }

  protected describe(): string {
    return 'InMemoryPersister';
  }

  protected async createSchema(): Promise<void> {
    this.#initialized = true;
  }

  protected async schemaExists(): Promise<boolean> {
    return this.#initialized;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const key = JSON.stringify([record.partitionKey, record.appId, record.sequenceId, record.position]);
    if (this.#records.has(key)) throw this.conflict(record);
    this.#records.set(key, record);
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
    // Map order is insertion order, so the last write of each app wins.
    const lastWrite = new Map<string, number>();
    let order = 0;
    for (const record of this.#records.values()) {
      if (record.partitionKey !== partitionKey) continue;
      lastWrite.delete(record.appId);
      lastWrite.set(record.appId, order++);
    }
    return [...lastWrite.keys()].reverse();
  }

  protected async closeOwnedResources(): Promise<void> {}
}
