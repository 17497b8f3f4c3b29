import type { Collection, MongoClient } from 'mongodb';
import type { BurrStateDocument } from './documents.js';
import { appStepsFilter, LATEST_STEP_FIRST, stepsOlderThan } from './history-queries.js';
import { isCommandNotFoundError, isTransactionUnusable } from './mongo-errors.js';
import type { RunOnServer } from './step-history.js';

/**
 * `deleteApp`: removes every step of an app so that a concurrent `load` sees
 * the app whole or gone.
 *
 * - On a replica set or a sharded cluster, one transaction deletes the app's
 *   steps: readers see all of them until it commits, none after.
 * - On a standalone server (no transactions), or when the server refuses the
 *   transaction (an app too large for one), the steps go in two deletes:
 *   every step older than the app's latest, then the latest. `load` of the
 *   latest step therefore returns that step until the app is gone, never an
 *   older one as if the app had gone back in time; but between the two
 *   deletes `load` of an older sequence id, `listSteps` and `prune` already
 *   see only the latest step.
 *
 * Either way a step saved while the delete runs, after the latest step the
 * delete started from, may survive it: the app then continues from it.
 */
export class AppRemoval {
  readonly #client: MongoClient;
  readonly #collection: Collection<BurrStateDocument>;
  readonly #run: RunOnServer;
  #transactions: Promise<boolean> | undefined;

  constructor(client: MongoClient, collection: Collection<BurrStateDocument>, run: RunOnServer) {
    this.#client = client;
    this.#collection = collection;
    this.#run = run;
  }

  /** Removes the app's steps; returns how many went. */
  async removeApp(partitionKey: string, appId: string): Promise<number> {
    const latest = await this.#run(() =>
      this.#collection.findOne(appStepsFilter(partitionKey, appId), { sort: LATEST_STEP_FIRST, projection: { _id: 1, sequence_id: 1, position: 1 } }),
    );
    if (!latest) return 0;
    if (await this.#supportsTransactions()) {
      try {
        return await this.#removeInTransaction(partitionKey, appId);
      } catch (error) {
        if (!isTransactionUnusable(error)) throw error;
      }
    }
    return this.#removeLatestLast(partitionKey, appId, latest);
  }

  async #removeInTransaction(partitionKey: string, appId: string): Promise<number> {
    const session = this.#client.startSession();
    try {
      return await this.#run(() =>
        session.withTransaction(async () => (await this.#collection.deleteMany(appStepsFilter(partitionKey, appId), { session })).deletedCount, {
          readPreference: 'primary',
          writeConcern: { w: 'majority' },
        }),
      );
    } finally {
      // Ending the session aborts a transaction still running, e.g. after the deadline passed.
      await session.endSession().catch(() => {});
    }
  }

  async #removeLatestLast(partitionKey: string, appId: string, latest: { _id: unknown; sequence_id: unknown; position: string }): Promise<number> {
    const older = await this.#run(() => this.#collection.deleteMany(stepsOlderThan(partitionKey, appId, latest)));
    const last = await this.#run(() => this.#collection.deleteOne({ _id: { $eq: latest._id } } as object));
    return older.deletedCount + last.deletedCount;
  }

  /**
   * Whether the deployment runs transactions: a replica set member (its
   * `hello` names the set) or a mongos. Asked once per persister; an answer
   * that cannot be had (an old server without `hello`) means no.
   */
  #supportsTransactions(): Promise<boolean> {
    this.#transactions ??= this.#run(() => this.#client.db('admin').command({ hello: 1 })).then(
      (reply) => typeof reply.setName === 'string' || reply.msg === 'isdbgrid',
      (error: unknown) => {
        if (isCommandNotFoundError(error)) return false;
        // A fault is not an answer: ask again next time, and let this call fail.
        this.#transactions = undefined;
        throw error;
      },
    );
    return this.#transactions;
  }
}
