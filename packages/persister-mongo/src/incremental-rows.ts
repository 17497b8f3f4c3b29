import type { Collection } from 'mongodb';
import {
  dependentsAmong,
  StateTooLargeError,
  type ChainQuery,
  type DeltaBase,
  type Dependent,
  type IncrementalRecord,
  type IncrementalRows,
  type StepKey,
  type StepRemoval,
  type StoredIncrementalRecord,
} from '@burr/core';
import { appFilter, assertDocumentFits, bsonNumber, MAX_DOCUMENT_BYTES } from './documents.js';
import {
  baseFilter,
  CHAIN_PROJECTION,
  fromChainDocument,
  LINK_PROJECTION,
  NEWEST_FIRST,
  OLDEST_FIRST,
  rewriteAsSnapshotUpdate,
  snapshotsUpTo,
  stepsBetween,
  toIncrementalDocument,
  toStepLink,
  type IncrementalStepDocument,
} from './incremental-documents.js';
import { isDuplicateKeyError } from './mongo-errors.js';
import type { RunOnServer } from './step-history.js';

/** What {@link MongoIncrementalRows} needs from the persister besides the collection. */
export interface MongoRowsHost {
  run: RunOnServer;
  /** The persister's error for a taken step key. */
  conflict(key: StepKey, cause: unknown): Error;
}

/**
 * `IncrementalRows` on MongoDB, over the incremental collection. MongoDB has
 * no `INSERT ... SELECT`, so a delta is inserted first and its base looked
 * for after: when the base is gone the delta is deleted again and the save
 * writes a snapshot instead. A prune that looks for dependents after the
 * insert sees the delta and rewrites it; the window left is a base removed
 * between that look and this check (docs/incremental-storage.md, MongoDB).
 */
export class MongoIncrementalRows implements IncrementalRows {
  readonly #collection: Collection<IncrementalStepDocument>;
  readonly #host: MongoRowsHost;

  constructor(collection: Collection<IncrementalStepDocument>, host: MongoRowsHost) {
    this.#collection = collection;
    this.#host = host;
  }

  async insert(record: IncrementalRecord): Promise<boolean> {
    const document = toIncrementalDocument(record);
    assertDocumentFits(document);
    let insertedId: unknown;
    try {
      // insertOne sets document._id; the base check below deletes by it.
      insertedId = (await this.#host.run(() => this.#collection.insertOne(document))).insertedId;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw this.#host.conflict(record, error);
      throw error;
    }
    const { base } = record;
    if (!base) return true;
    const baseStored = await this.#host.run(() => this.#collection.findOne(baseFilter(record.partitionKey, record.appId, base), { projection: { _id: 1 } }));
    if (baseStored) return true;
    await this.#host.run(() => this.#collection.deleteOne({ _id: { $eq: insertedId } } as object));
    return false;
  }

  async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
    const { partitionKey, appId } = query;
    let { from, to } = query;
    if (from === null || to === null) {
      const latest = await this.#host.run(() => this.#collection.findOne(appFilter(partitionKey, appId), { sort: NEWEST_FIRST, projection: { _id: 0, sequence_id: 1 } }));
      const latestSequenceId = bsonNumber(latest?.sequence_id);
      if (latestSequenceId === undefined) return [];
      from = to = latestSequenceId;
    }
    const upTo = to;
    const snapshot = await this.#host.run(() => this.#collection.findOne(snapshotsUpTo(partitionKey, appId, from), { sort: NEWEST_FIRST, projection: { _id: 0, sequence_id: 1 } }));
    const start = bsonNumber(snapshot?.sequence_id) ?? null;
    const documents = await this.#host.run(() =>
      this.#collection.find(stepsBetween(partitionKey, appId, start, upTo), { sort: OLDEST_FIRST, projection: CHAIN_PROJECTION }).toArray(),
    );
    return documents.map((document) => fromChainDocument(document));
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

  async rewriteAsSnapshot(key: StepKey, base: DeltaBase, state: string): Promise<boolean> {
    // The state alone past the document limit cannot be stored (the other fields are a few hundred bytes).
    const bytes = Buffer.byteLength(state);
    if (bytes > MAX_DOCUMENT_BYTES) throw new StateTooLargeError(bytes, MAX_DOCUMENT_BYTES, 'a MongoDB document');
    const { filter, update } = rewriteAsSnapshotUpdate(key, base, state);
    return (await this.#host.run(() => this.#collection.updateOne(filter, update))).modifiedCount > 0;
  }
}
