import type { Collection } from 'mongodb';
import type { AppQuery, AppRef, AppScan, StepQuery, StepRemoval, StoredAppSummary, StoredStepSummary } from '@burr/core';
import type { BurrStateDocument } from './documents.js';
import { fromAppSeekDocument, fromAppSummaryDocument, fromStepSummaryDocument } from './history-documents.js';
import { appScanCursor, appSeeks, appsPipeline, keptStepFilter, readAppScanCursor, stepRemovalFilter, stepsPipeline } from './history-queries.js';
import { isNamespaceNotFoundError } from './mongo-errors.js';
import { COLL_STATS_PIPELINE, readCollectionStorage, type CollectionStorage } from './storage.js';

/** Runs one driver call under the persister's deadline and fault translation. */
export type RunOnServer = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The reads and batch deletes behind `listSteps`, `listApps`, `prune` and
 * `compact`, on one collection. Every server call goes through `run`, so
 * each has the persister's deadline and its faults become
 * `PersisterUnavailableError`s. A collection that does not exist yet reads
 * as empty and is not created.
 */
export class MongoStepHistory {
  readonly #collection: Collection<BurrStateDocument>;
  readonly #run: RunOnServer;

  constructor(collection: Collection<BurrStateDocument>, run: RunOnServer) {
    this.#collection = collection;
    this.#run = run;
  }

  async findSteps(query: StepQuery): Promise<StoredStepSummary[]> {
    const rows = await this.#run(() => this.#collection.aggregate<Record<string, unknown>>(stepsPipeline(query)).toArray());
    return rows.map((row) => fromStepSummaryDocument(row, query.partitionKey, query.appId));
  }

  async findApps(query: AppQuery): Promise<StoredAppSummary[]> {
    // The $group holds one entry per app of the partition; past 100 MB it may spill to disk rather than fail.
    const rows = await this.#run(() => this.#collection.aggregate<Record<string, unknown>>(appsPipeline(query), { allowDiskUse: true }).toArray());
    return rows.map((row) => fromAppSummaryDocument(row, query.partitionKey));
  }

  /** Walks the step-key index one app at a time: at most two index seeks per app, whatever the number of steps. */
  async scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
    const apps: AppRef[] = [];
    let last = readAppScanCursor(cursor);
    while (apps.length < limit) {
      const next = await this.#appAfter(partitionKey, last);
      if (!next) return { apps, cursor: null };
      apps.push(next);
      last = next;
    }
    return { apps, cursor: last ? appScanCursor(last) : null };
  }

  async #appAfter(partitionKey: string | null, after: AppRef | null): Promise<AppRef | null> {
    for (const seek of appSeeks(partitionKey, after)) {
      const found = await this.#run(() => this.#collection.findOne(seek.filter, { sort: seek.sort, projection: { _id: 0, partition_key: 1, app_id: 1 } }));
      if (found) {
        const app = fromAppSeekDocument(found);
        // A partition-scoped scan reports the partition it was asked for: '' also stands for null and missing.
        return partitionKey === null ? app : { partitionKey, appId: app.appId };
      }
    }
    return null;
  }

  /**
   * One batch of a prune. With `keptStep`, a query first (MongoDB conditions
   * a delete on other documents only inside a transaction): an app deleted
   * and started again between it and the delete can still lose steps.
   */
  async removeSteps(removal: StepRemoval): Promise<number> {
    const { keptStep } = removal;
    if (keptStep) {
      const kept = await this.#run(() => this.#collection.findOne(keptStepFilter(removal.partitionKey, removal.appId, keptStep), { projection: { _id: 1 } }));
      if (kept === null) return 0;
    }
    const result = await this.#run(() => this.#collection.deleteMany(stepRemovalFilter(removal)));
    return result.deletedCount;
  }

  /** The collection's storage, or `null` when it does not exist or reports none. */
  async storage(): Promise<CollectionStorage | null> {
    try {
      return readCollectionStorage(await this.#run(() => this.#collection.aggregate<Record<string, unknown>>([...COLL_STATS_PIPELINE]).toArray()));
    } catch (error) {
      if (isNamespaceNotFoundError(error)) return null;
      throw error;
    }
  }
}
