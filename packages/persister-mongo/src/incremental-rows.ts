import type { Collection } from 'mongodb';
import {
  dependentsAmong,
  StateTooLargeError,
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
import { assertDocumentFits } from './documents.js';
import {
  baseFilter,
  CHAIN_PROJECTION,
  fromChainDocument,
  insertedDeltaFilter,
  LINK_PROJECTION,
  MAX_SNAPSHOT_STATE_BYTES,
  NEWEST_FIRST,
  rewriteAsSnapshotUpdate,
  stepsBetween,
  toIncrementalDocument,
  toStepLink,
  type IncrementalStepDocument,
} from './incremental-documents.js';
import { isDuplicateKeyError } from './mongo-errors.js';
import type { RunOnServer } from './step-history.js';

/** Documents a chain read asks for per round trip: a chain of small deltas is read in a few. */
const CHAIN_BATCH = 256;

/** What {@link MongoIncrementalRows} needs from the persister besides the collection. */
export interface MongoRowsHost {
  run: RunOnServer;
  /** The persister's error for a taken step key. */
  conflict(key: StepKey, cause: unknown): Error;
}

/**
 * `IncrementalRows` on MongoDB, over the incremental collection. MongoDB has
 * no `INSERT ... SELECT`, so a delta is inserted first and its base looked
 * for after: when the base is gone the delta is deleted again (by its key,
 * save time and base) and the save writes a snapshot instead. A prune that
 * looks for dependents after the insert sees the delta and rewrites it; the
 * window left is a base removed between that look and this check
 * (docs/incremental-storage.md, MongoDB).
 */
export class MongoIncrementalRows implements IncrementalRows {
  readonly maxSnapshotBytes = MAX_SNAPSHOT_STATE_BYTES;
  readonly #collection: Collection<IncrementalStepDocument>;
  readonly #host: MongoRowsHost;

  constructor(collection: Collection<IncrementalStepDocument>, host: MongoRowsHost) {
    this.#collection = collection;
    this.#host = host;
  }

  async insert(record: IncrementalRecord): Promise<boolean> {
    const document = toIncrementalDocument(record);
    assertDocumentFits(document);
    try {
      await this.#host.run(() => this.#collection.insertOne(document));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw this.#host.conflict(record, error);
      throw error;
    }
    const { base } = record;
    if (!base) return true;
    const baseStored = await this.#host.run(() => this.#collection.findOne(baseFilter(record.partitionKey, record.appId, base), { projection: { _id: 1 } }));
    if (baseStored) return true;
    await this.#host.run(() => this.#collection.deleteOne(insertedDeltaFilter(record)));
    return false;
  }

  /**
   * One cursor down the step-key index from the target (the app's latest
   * step, or `to`), `CHAIN_BATCH` documents a round trip, up to and with the
   * nearest snapshot at or below `from` (and the other positions of its
   * sequence id), so each document is read once. Not a point-in-time read:
   * a base that a concurrent prune or delete removed meanwhile is read again
   * by the engine, or missing.
   */
  findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
    const { partitionKey, appId } = query;
    const latest = query.from === null || query.to === null;
    return this.#host.run(async () => {
      const cursor = this.#collection.find(stepsBetween(partitionKey, appId, null, latest ? null : query.to), {
        sort: NEWEST_FIRST,
        projection: CHAIN_PROJECTION,
        batchSize: CHAIN_BATCH,
      });
      try {
        const newestFirst: StoredIncrementalRecord[] = [];
        // The chain ends at a snapshot at or below this sequence id; for the latest step, the first one read.
        let from = latest ? undefined : (query.from as number);
        let snapshotAt: number | undefined;
        for await (const document of cursor) {
          const row = fromChainDocument(document);
          const sequenceId = Number(row.sequenceId);
          if (snapshotAt !== undefined && sequenceId < snapshotAt) break;
          from ??= sequenceId;
          newestFirst.push(row);
          if (snapshotAt === undefined && row.baseSequenceId === null && sequenceId <= from) snapshotAt = sequenceId;
        }
        return newestFirst.reverse();
      } finally {
        await cursor.close();
      }
    });
  }

  async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
    const { partitionKey, appId, fromSequenceId, toSequenceId } = removal;
    const documents = await this.#host.run(() =>
      this.#collection.find(stepsBetween(partitionKey, appId, fromSequenceId, toSequenceId + window), { projection: LINK_PROJECTION }).toArray(),
    );
    return dependentsAmong(
      documents.map((document) => toStepLink(document, removal)),
      removal,
      window,
    );
  }

  async rewriteAsSnapshot(row: StepKey & SaveTime, base: DeltaBase, state: string): Promise<boolean> {
    const bytes = Buffer.byteLength(state);
    if (bytes > MAX_SNAPSHOT_STATE_BYTES) throw new StateTooLargeError(bytes, MAX_SNAPSHOT_STATE_BYTES, 'a MongoDB document (16 MiB, less room for the step key)');
    const { filter, update } = rewriteAsSnapshotUpdate(row, base, state);
    return (await this.#host.run(() => this.#collection.updateOne(filter, update))).modifiedCount > 0;
  }
}
