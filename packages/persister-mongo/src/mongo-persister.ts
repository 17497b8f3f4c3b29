import { MongoClient, type Collection, type MongoClientOptions } from 'mongodb';
import {
  ConnectionGuard,
  readConnectionTimeouts,
  EXPIRING_STORE_CONFIG_FIELDS,
  readPersisterConfig,
  RecordStatePersister,
  type ConnectionTimeoutOptions,
  InvalidPersistArgumentError,
  InvalidIdentifierError,
  readStorageOptions,
  STORAGE_MODE_CONFIG_FIELDS,
  type AppQuery,
  type IncrementalSettings,
  type StorageModeOptions,
  type AppScan,
  type CompactReport,
  type RecordQuery,
  type RecordStatePersisterOptions,
  type StateRecord,
  type StepQuery,
  type StepRemoval,
  type StoredAppSummary,
  type StoredStateRecord,
  type StoredStepSummary,
} from '@burr/core';
import { AppRemoval } from './app-removal.js';
import { appFilter, assertDocumentFits, fromDocument, partitionFilter, stepFilter, stepSort, toDocument, type BurrStateDocument } from './documents.js';
import { INCREMENTAL_SUFFIX, type IncrementalStepDocument } from './incremental-documents.js';
import { MongoIncrementalRows } from './incremental-rows.js';
import { BURR_INDEXES, hasStepKeyIndex } from './indexes.js';
import { assertCollectionName, assertDatabaseName } from './names.js';
import { isDuplicateKeyError, isIndexConflictError, isIndexRaceError, isNamespaceNotFoundError, isUnauthorizedError, mongoFaultReason } from './mongo-errors.js';
import { MongoStepHistory } from './step-history.js';
import { compactReport } from './storage.js';
import { findSavedAtIndex, readTtlSeconds, ttlCollMod, ttlIndex } from './ttl.js';

/**
 * Where a {@link MongoDBPersister} keeps its steps, and how long it waits.
 * `operationTimeoutMs` (default 30 s) bounds every call, and until one has
 * succeeded the bound is `connectTimeoutMs + operationTimeoutMs` (the client
 * connects on first use). On a client the persister creates,
 * `connectTimeoutMs` (default 10 s) is also the driver's `connectTimeoutMS`
 * and `serverSelectionTimeoutMS`. A missed deadline, an unreachable server
 * or a dropped connection reject with `PersisterUnavailableError`.
 */
export interface MongoDBPersisterOptions extends RecordStatePersisterOptions, ConnectionTimeoutOptions, StorageModeOptions {
  /** Database name; Python Burr's default is `mydatabase`. */
  dbName?: string | undefined;
  /** Collection name; Python Burr's default is `mystates`. */
  collectionName?: string | undefined;
  /**
   * Let MongoDB remove each step this many seconds after it was saved (a
   * whole number from 1 to 2147483647). `initialize()` creates the TTL index
   * on `saved_at`, or changes its `expireAfterSeconds` with `collMod` when it
   * exists with another value. The index belongs to the collection: it
   * expires every step that has `saved_at`, whichever persister saved it, and
   * a persister without `ttlSeconds` leaves an existing one as it is. Steps
   * Python Burr saved have no `saved_at` and never expire. MongoDB's TTL
   * monitor runs every 60 seconds, so a step goes up to about a minute (more
   * on a busy server) after its time. Refused with `storage: 'incremental'`:
   * a delta would expire apart from the step it is rebuilt from.
   */
  ttlSeconds?: number | undefined;
}

/** Arguments of {@link MongoDBPersister.fromValues}: a connection string plus {@link MongoDBPersisterOptions}. */
export interface MongoDBPersisterValues extends MongoDBPersisterOptions {
  /** Connection string; defaults to `mongodb://localhost:27017` as in Python Burr. */
  url?: string | undefined;
  /**
   * Python's name for `url` (`from_values(uri=...)`), accepted so configs
   * written for Python Burr work unchanged. Give one of the two, not both.
   */
  uri?: string | undefined;
  /** Options for the `MongoClient` the persister creates (Python's `mongo_client_kwargs`). */
  clientOptions?: MongoClientOptions | undefined;
}

const CONFIG_SCHEMA = {
  uri: { type: 'string' },
  dbName: { type: 'string' },
  collectionName: { type: 'string' },
  ...EXPIRING_STORE_CONFIG_FIELDS,
  ...STORAGE_MODE_CONFIG_FIELDS,
} as const;

/**
 * Saves Burr application state in MongoDB, one document per step, in the
 * format Python Burr's `MongoDBBasePersister` uses (same database and
 * collection defaults), so Python and TypeScript apps can share a collection.
 *
 * Unlike Python's persister it saves with one insert guarded by a unique
 * index (saving a step again with the same content changes nothing; with
 * different content it is a `PersisterConflictError`, never a silent duplicate), and refuses a state larger than MongoDB's 16 MB
 * document limit before writing anything (`StateTooLargeError`).
 *
 * History and retention (`listSteps`, `listApps`, `deleteApp`, `prune`,
 * `compact`) read and delete these same documents, Python's included;
 * `compact()` measures the collection and runs nothing (its advice says how
 * to run MongoDB's `compact`). With `ttlSeconds`, MongoDB itself removes
 * steps after that many seconds.
 *
 * With `storage: 'incremental'` a step stores what changed since the step
 * before it, with a full snapshot now and then, in a collection of its own,
 * `<collectionName>_incremental`, which Python Burr never reads (see
 * `docs/incremental-storage.md` in the repository).
 *
 * @example
 * await using persister = MongoDBPersister.fromValues({ url: 'mongodb://localhost:27017' });
 * await persister.initialize();
 */
export class MongoDBPersister extends RecordStatePersister {
  readonly #client: MongoClient;
  /** The database the steps are in. */
  readonly dbName: string;
  /** The collection named in the options: where the steps are in full mode; in incremental mode they are in `<collectionName>_incremental`. */
  readonly collectionName: string;
  /** Seconds after which MongoDB removes a saved step (the `ttlSeconds` option); `undefined`: steps stay until removed. */
  readonly ttlSeconds: number | undefined;
  /** Where this persister's steps are: `collectionName`, or its incremental collection. */
  readonly #collection: Collection<BurrStateDocument>;
  /** The collection of the other storage mode, looked at by the mode check. */
  readonly #otherModeCollection: Collection<BurrStateDocument>;
  readonly #guard: ConnectionGuard;
  readonly #history: MongoStepHistory;
  readonly #removal: AppRemoval;

  /**
   * A persister on a client you created. `cleanup()` leaves that client open:
   * closing it stays your job.
   */
  constructor(client: MongoClient, options: MongoDBPersisterOptions = {}) {
    super({ serdeKwargs: options.serdeKwargs });
    const { dbName = 'mydatabase', collectionName = 'mystates' } = options;
    assertDatabaseName(dbName);
    assertCollectionName(collectionName);
    const incremental = readLayoutOptions(dbName, collectionName, options);
    this.ttlSeconds = readTtlSeconds(options.ttlSeconds);
    this.#client = client;
    this.dbName = dbName;
    this.collectionName = collectionName;
    const [own, other] = incremental ? [`${collectionName}${INCREMENTAL_SUFFIX}`, collectionName] : [collectionName, `${collectionName}${INCREMENTAL_SUFFIX}`];
    // Resuming must see the step just saved, so reads go to the primary
    // whatever read preference the client was given; and saves are
    // acknowledged by a majority, so a duplicate key is always reported (an
    // unacknowledged `w: 0` client would hide conflicts) and a saved step
    // survives a failover.
    const collectionOptions = { readPreference: 'primary', writeConcern: { w: 'majority' } } as const;
    this.#collection = client.db(dbName).collection<BurrStateDocument>(own, collectionOptions);
    this.#otherModeCollection = client.db(dbName).collection<BurrStateDocument>(other, collectionOptions);
    const timeouts = readConnectionTimeouts('MongoDBPersister', options);
    this.#guard = new ConnectionGuard({ backend: 'MongoDB', address: clientAddress(client), classify: mongoFaultReason, ...timeouts });
    const run = <T>(work: () => Promise<T>): Promise<T> => this.#run(work);
    this.#history = new MongoStepHistory(this.#collection, run);
    this.#removal = new AppRemoval(client, this.#collection, run);
    if (incremental) {
      const rows = new MongoIncrementalRows(this.#collection as Collection<IncrementalStepDocument>, { run, conflict: (key, cause) => this.conflict(key, cause) });
      this.useIncrementalStorage(rows, incremental);
    }
  }

  /** The client; when the persister created it, `cleanup()` closes it, so do not close it yourself. */
  get client(): MongoClient {
    return this.#client;
  }

  /**
   * A persister with a client of its own, connected on first use and closed
   * by `cleanup()` (or `await using`).
   */
  static fromValues(values: MongoDBPersisterValues = {}): MongoDBPersister {
    const { url: givenUrl, uri, clientOptions, ...options } = values;
    if (givenUrl !== undefined && uri !== undefined) {
      throw new InvalidPersistArgumentError('MongoDBPersister.fromValues(): give "url" or its Python name "uri", not both');
    }
    const url = givenUrl ?? uri ?? 'mongodb://localhost:27017';
    // Validate names before a client exists, so a bad name leaks nothing.
    if (options.dbName !== undefined) assertDatabaseName(options.dbName);
    if (options.collectionName !== undefined) assertCollectionName(options.collectionName);
    readLayoutOptions(options.dbName ?? 'mydatabase', options.collectionName ?? 'mystates', options);
    readTtlSeconds(options.ttlSeconds);
    const { connectTimeoutMs } = readConnectionTimeouts('MongoDBPersister', options);
    const client = new MongoClient(url, { connectTimeoutMS: connectTimeoutMs, serverSelectionTimeoutMS: connectTimeoutMs, ...clientOptions });
    const persister = new MongoDBPersister(client, options);
    persister.takeOwnershipOfClient();
    return persister;
  }

  /**
   * {@link MongoDBPersister.fromValues} from a plain config object (e.g. read
   * from JSON), the counterpart of Python's `from_config(dict)`. Options are
   * checked by name and type; an unknown one (a typo, Python's `db_name`) is
   * an `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): MongoDBPersister {
    const { clientOptions, ...values } = readPersisterConfig('MongoDBPersister', config, CONFIG_SCHEMA);
    return MongoDBPersister.fromValues({ ...values, clientOptions: clientOptions as MongoClientOptions | undefined });
  }

  protected describe(): string {
    return `MongoDBPersister(${JSON.stringify(`${this.dbName}.${this.#collection.collectionName}`)})`;
  }

  /** The database and the collection named in the options, the same in both storage modes (`convertStorage` pairs persisters by it). */
  protected override storageLocation(): string {
    return `MongoDBPersister(${JSON.stringify(`${this.dbName}.${this.collectionName}`)})`;
  }

  /**
   * Whether the other mode's collection holds a step of the app: one lookup on
   * its step-key index. A missing collection holds none; so does one the
   * user may not read (a role scoped to this mode's collection): no save of
   * theirs can have put a step there.
   */
  protected override async stepsInOtherStorageMode(partitionKey: string, appId: string): Promise<boolean> {
    try {
      return (await this.#run(() => this.#otherModeCollection.findOne(appFilter(partitionKey, appId), { projection: { _id: 1 } }))) !== null;
    } catch (error) {
      if (isUnauthorizedError(error)) return false;
      throw error;
    }
  }

  protected async createSchema(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#run(() => this.#collection.createIndexes([...BURR_INDEXES]));
        break;
      } catch (error) {
        if (attempt >= 3 || !isIndexRaceError(error)) throw error;
      }
    }
    if (this.ttlSeconds !== undefined) await this.#applyTtl(this.ttlSeconds);
  }

  /**
   * Makes the collection's TTL index expire steps `seconds` after `saved_at`:
   * creates it, or sets its `expireAfterSeconds` with `collMod` when an index
   * on `saved_at` exists with another value. Another process doing the same
   * at once makes `createIndexes` fail with a conflict; the next attempt sees
   * its index and adjusts it.
   */
  async #applyTtl(seconds: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const existing = findSavedAtIndex(await this.#run(() => this.#collection.listIndexes().toArray()));
      try {
        if (existing === undefined) await this.#run(() => this.#collection.createIndexes([ttlIndex(seconds)]));
        else if (existing.expireAfterSeconds !== seconds) await this.#run(() => this.#collection.db.command(ttlCollMod(this.collectionName, existing.name, seconds)));
        return;
      } catch (error) {
        if (attempt >= 3 || !(isIndexConflictError(error) || isIndexRaceError(error))) throw error;
      }
    }
  }

  protected async schemaExists(): Promise<boolean> {
    try {
      return hasStepKeyIndex(await this.#run(() => this.#collection.listIndexes().toArray()));
    } catch (error) {
      if (isNamespaceNotFoundError(error)) return false;
      throw error;
    }
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const document = toDocument(record);
    assertDocumentFits(document);
    try {
      // The unique step-key index makes this insert the only check needed.
      await this.#run(() => this.#collection.insertOne(document));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw this.conflict(record, error);
      throw error;
    }
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    const document = await this.#run(() => this.#collection.findOne(stepFilter(query), { sort: stepSort(query), projection: { _id: 0 } }));
    return document ? fromDocument(document) : null;
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    const groups = await this.#run(() =>
      this.#collection
        .aggregate<{ _id: unknown }>([
          { $match: partitionFilter(partitionKey) },
          // Newest save first; within one millisecond the later ObjectId (same
          // client process: a counter) breaks the tie.
          { $group: { _id: '$app_id', lastSavedAt: { $max: '$created_at' }, lastId: { $max: '$_id' } } },
          { $sort: { lastSavedAt: -1, lastId: -1 } },
          { $project: { _id: 1 } },
        ])
        .toArray(),
    );
    return groups.flatMap((group) => (typeof group._id === 'string' ? [group._id] : []));
  }

  protected findSteps(query: StepQuery): Promise<StoredStepSummary[]> {
    return this.#history.findSteps(query);
  }

  protected findApps(query: AppQuery): Promise<StoredAppSummary[]> {
    return this.#history.findApps(query);
  }

  protected scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
    return this.#history.scanApps(partitionKey, cursor, limit);
  }

  protected removeApp(partitionKey: string, appId: string): Promise<number> {
    return this.#removal.removeApp(partitionKey, appId);
  }

  protected removeSteps(removal: StepRemoval): Promise<number> {
    return this.#history.removeSteps(removal);
  }

  /** Reports the collection's `storageSize` and what is free in it; runs nothing (see the advice it returns). */
  protected override async compactStore(): Promise<CompactReport> {
    return compactReport(this.dbName, this.#collection.collectionName, await this.#history.storage());
  }

  /**
   * One driver call under the deadline. A client this persister owns is
   * connected first: after a failed first connection the driver closes its
   * topology and would answer every later call with "Topology is closed",
   * whereas `connect()` starts over (and costs nothing once connected).
   */
  #run<T>(work: () => Promise<T>): Promise<T> {
    return this.#guard.run(async () => {
      if (this.ownsClient) await this.#client.connect();
      return work();
    });
  }

  protected async closeClient(): Promise<void> {
    await this.#client.close();
  }
}

/** The client's `host:port` list (its seed list, never credentials), e.g. `127.0.0.1:27017` or `a:27017,b:27017`. */
function clientAddress(client: MongoClient): string {
  const hosts = (client.options as { hosts?: unknown } | undefined)?.hosts;
  if (Array.isArray(hosts) && hosts.length > 0) return hosts.map((host) => String(host)).join(',');
  return '(MongoDB seed list)';
}

/** MongoDB's limit on `<database>.<collection>` (unsharded; 235 on a sharded cluster). */
const MAX_NAMESPACE_BYTES = 255;

/**
 * The storage options, checked before any client exists: `undefined` for full
 * mode. Incremental mode refuses `ttlSeconds` (each document expires on its
 * own, so a delta could outlive its base) and a collection name too long to
 * take the `_incremental` suffix. In either mode the collection the steps go
 * to must fit MongoDB's namespace limit with its database.
 */
function readLayoutOptions(dbName: string, collectionName: string, options: MongoDBPersisterOptions): IncrementalSettings | undefined {
  const incremental = readStorageOptions('MongoDBPersister', options);
  if (incremental && options.ttlSeconds !== undefined) {
    throw new InvalidPersistArgumentError(
      "MongoDBPersister: ttlSeconds does not combine with storage: 'incremental' (a delta would expire apart from the step it is rebuilt from)",
    );
  }
  const maxBytes = 200 - INCREMENTAL_SUFFIX.length;
  if (incremental && Buffer.byteLength(collectionName) > maxBytes) {
    throw new InvalidIdentifierError(
      'MongoDB collection name',
      collectionName,
      `with storage: 'incremental' use at most ${maxBytes} bytes, so that "${INCREMENTAL_SUFFIX}" can follow it`,
    );
  }
  const stored = incremental ? `${collectionName}${INCREMENTAL_SUFFIX}` : collectionName;
  const namespaceBytes = Buffer.byteLength(`${dbName}.${stored}`);
  if (namespaceBytes > MAX_NAMESPACE_BYTES) {
    throw new InvalidIdentifierError(
      'MongoDB collection name',
      collectionName,
      `"${dbName}.${stored}" is ${namespaceBytes} bytes; MongoDB takes at most ${MAX_NAMESPACE_BYTES} with the database name`,
    );
  }
  return incremental;
}
