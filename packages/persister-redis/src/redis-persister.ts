import { createClient, type RedisClientOptions } from 'redis';
import {
  ConnectionGuard,
  DeserializationError,
  InvalidPersistArgumentError,
  RecordStatePersister,
  addressOf,
  readConnectionTimeouts,
  EXPIRING_STORE_CONFIG_FIELDS,
  STORAGE_MODE_CONFIG_FIELDS,
  readPersisterConfig,
  readStorageOptions,
  toIsoTimestamp,
  type AppQuery,
  type AppScan,
  type CompactReport,
  type ConnectionTimeoutOptions,
  type IncrementalRecord,
  type IncrementalSettings,
  type RecordQuery,
  type RecordStatePersisterOptions,
  type StateRecord,
  type StepQuery,
  type StepRemoval,
  type StorageModeOptions,
  type StoredAppSummary,
  type StoredStateRecord,
  type StoredStepSummary,
} from '@burr/core';
import { scanApps } from './app-scan.js';
import { replyFields, replyText, type RedisCommandClient } from './client.js';
import { redisIncrementalRows } from './incremental-rows.js';
import { APP_IS_STORED } from './incremental-scripts.js';
import { RedisKeyLayout } from './keys.js';
import { redisAccess, type RedisAccess } from './redis-access.js';
import { redisFaultReason } from './redis-errors.js';
import { compactStore, removeApp, removeSteps } from './retention.js';
import { LOAD_LATEST_STEP, SAVE_INCREMENTAL_STEP, SAVE_STEP } from './scripts.js';
import { findAppIds, findApps, findSteps } from './step-history.js';
import { readTtlSeconds } from './ttl.js';

/**
 * Options of the {@link RedisPersister} constructor. `operationTimeoutMs`
 * (default 30 s) bounds every call; `connectTimeoutMs` (default 10 s) bounds
 * `fromUrl()`/`fromValues()` until the client is ready. A missed deadline, a
 * refused or dropped connection reject with `PersisterUnavailableError`.
 * `storage: 'incremental'` stores each step as what changed since the step
 * before, in a key layout of its own that Python Burr never reads (see
 * {@link RedisKeyLayout} and the README).
 */
export interface RedisPersisterOptions extends RecordStatePersisterOptions, ConnectionTimeoutOptions, StorageModeOptions {
  /** Prefix of every key (`namespace:...`), as Python Burr's `namespace`. Default: none. */
  namespace?: string | undefined;
  /**
   * Seconds each saved step lives (a positive integer): its hash expires that
   * long after its save, and an app whose steps all expired leaves every
   * listing. Default: steps live until deleted or pruned. See the README.
   */
  ttlSeconds?: number | undefined;
}

/** Options of {@link RedisPersister.fromUrl}. */
export interface RedisPersisterUrlOptions extends RedisPersisterOptions {
  /** Any other `createClient()` option (`socket`, `RESP`, `database`...). */
  clientOptions?: RedisClientOptions | undefined;
  /**
   * Receives the client's `error` events (a dropped connection, each failed
   * reconnect). Default: ignored, so they never crash the process; node-redis
   * reconnects by itself and commands in flight reject.
   */
  onClientError?: ((error: Error) => void) | undefined;
}

/** Arguments of {@link RedisPersister.fromValues} (Python's `from_values`, camelCased). */
export interface RedisPersisterValues extends RedisPersisterUrlOptions {
  /** Default `127.0.0.1`. */
  host?: string | undefined;
  /** Default 6379. */
  port?: number | undefined;
  /** Database number. Default 0. */
  db?: number | undefined;
  password?: string | undefined;
}

/** Refuses a URL node-redis cannot connect to with a typed error (the client throws a bare `TypeError`); never echoes it, a password may be in it. */
function assertRedisUrl(url: unknown): void {
  let protocol: string;
  try {
    protocol = new URL(String(url)).protocol;
  } catch {
    throw new InvalidPersistArgumentError('RedisPersister: the url is not a URL; use redis://[:password@]host:port[/db], or rediss:// for TLS');
  }
  // The scheme is not quoted either: in "user:secret@host" the URL parser takes "user:" for one.
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new InvalidPersistArgumentError('RedisPersister: the url does not start with redis:// or rediss://; use redis://[:password@]host:port[/db], or rediss:// for TLS');
  }
}

/** The server's refusal of the database number (`db`, or the URL's path) as the argument error it is; `undefined` for anything else. */
function refusedDatabase(error: unknown): InvalidPersistArgumentError | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!/^ERR (DB index is out of range|invalid DB index)/i.test(message)) return undefined;
  return new InvalidPersistArgumentError(`RedisPersister: the server has no such database (it answered "${message}"); use a db from 0 to its \`databases\` setting less one`);
}

/**
 * States at least this long (UTF-16 code units of their JSON) are saved in a
 * MULTI/EXEC transaction that keeps them out of the save script (see
 * `SAVE_STEP`); shorter ones go in the script's arguments, one command.
 */
const STATE_OUTSIDE_SCRIPT_LENGTH = 16 * 1024;

/** `SAVE_STEP`'s replies: written, or a delta whose base is gone (0: the key is taken). */
const SAVED = 1;
const BASE_GONE = 2;

const CONFIG_SCHEMA = {
  host: { type: 'string' },
  port: { type: 'number' },
  db: { type: 'number' },
  password: { type: 'string' },
  namespace: { type: 'string' },
  ...EXPIRING_STORE_CONFIG_FIELDS,
  ...STORAGE_MODE_CONFIG_FIELDS,
} as const;

interface OwnedClient {
  readonly isReady: boolean;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'connect', listener: () => void): unknown;
}

/**
 * Saves and loads Burr application state in Redis through node-redis, in
 * the key layout of Python Burr's Redis persister, so both read each other's
 * steps (see {@link RedisKeyLayout}). Needs Redis 6.2 or later, not Cluster.
 *
 * - `save()` is one Lua script: it writes the step only if its key is free
 *   (otherwise `PersisterConflictError`, nothing overwritten) and never moves
 *   an app's latest sequence id backwards. The key has no position, so a
 *   second position at one sequence id is a conflict. A state whose JSON is
 *   16 K characters or longer goes around the script when the client has
 *   node-redis's `multi()`: one MULTI/EXEC transaction (one round trip,
 *   atomic) writes it with a plain HSET and runs the script, which moves it
 *   into place; copying it through Lua would cost the server far more.
 * - `load()` of the latest step is one script; no call uses KEYS, and only
 *   `prune({ target: 'all' })` uses SCAN (over the namespace's keys).
 * - History (`listSteps`, `listApps`), `deleteApp` and each prune batch are
 *   one Lua script per page or batch, on a per-app index of sequence ids the
 *   save script keeps (see {@link RedisKeyLayout}); steps Python Burr wrote
 *   are indexed on first use. With `ttlSeconds`, steps expire.
 * - Redis needs no schema: `initialize()` does nothing and `isInitialized()`
 *   is always true.
 *
 * ```ts
 * await using persister = await RedisPersister.fromUrl('redis://localhost:6379', { namespace: 'chatbot' });
 * ```
 */
export class RedisPersister extends RecordStatePersister {
  /** The key prefix, or `undefined` for none. */
  readonly namespace: string | undefined;
  /** Seconds a saved step lives, or `undefined` when steps do not expire. */
  readonly ttlSeconds: number | undefined;
  readonly #client: RedisCommandClient;
  readonly #keys: RedisKeyLayout;
  /** Whether this persister stores steps incrementally (its keys are the incremental layout). */
  readonly #incremental: boolean;
  /** The key layout of the other storage mode, where an app must not have steps. */
  readonly #otherModeKeys: RedisKeyLayout;
  readonly #redis: RedisAccess;
  #guard: ConnectionGuard;
  #owned: OwnedClient | undefined;

  /**
   * A persister on a connected client the caller created and keeps:
   * `cleanup()` leaves it open. Throws `InvalidIdentifierError` for a
   * namespace holding `:` or glob characters, `InvalidPersistArgumentError`
   * for a `ttlSeconds` that is not a positive integer or bad storage options.
   */
  constructor(client: RedisCommandClient, options: RedisPersisterOptions = {}) {
    super(options);
    const { incremental, ttlSeconds } = readLayoutOptions(options);
    this.#incremental = incremental !== undefined;
    this.#keys = new RedisKeyLayout(options.namespace, incremental ? 'incremental' : 'full');
    this.#otherModeKeys = new RedisKeyLayout(options.namespace, incremental ? 'full' : 'incremental');
    this.ttlSeconds = ttlSeconds;
    this.namespace = options.namespace || undefined;
    this.#client = client;
    this.#guard = new ConnectionGuard({ backend: 'Redis', address: clientAddress(client), classify: redisFaultReason, ...readConnectionTimeouts('RedisPersister', options) });
    this.#redis = redisAccess(client, this.#keys, (work) => this.#guard.run(work));
    if (incremental)
      this.useIncrementalStorage(
        redisIncrementalRows(this.#redis, (record) => this.#insertIncremental(record)),
        incremental,
      );
  }

  /** The client; when the persister created it, `cleanup()` closes it, so do not close it yourself. */
  get client(): RedisCommandClient {
    return this.#client;
  }

  /**
   * Connects a new client to `url` (`redis://[:password@]host:port[/db]`) and
   * returns a persister that owns it: `cleanup()` closes it. Rejects with the
   * connection error when the first attempt fails, instead of retrying forever.
   */
  static fromUrl(url: string, options: RedisPersisterUrlOptions = {}): Promise<RedisPersister> {
    return RedisPersister.#connect({ ...options.clientOptions, url }, options);
  }

  /** {@link RedisPersister.fromUrl} from connection values (Python's `from_values`). */
  static fromValues(values: RedisPersisterValues = {}): Promise<RedisPersister> {
    const { host = '127.0.0.1', port = 6379, db, password, clientOptions, ...options } = values;
    const clientConfig: RedisClientOptions = { ...clientOptions, socket: { ...clientOptions?.socket, host, port } };
    if (db !== undefined) clientConfig.database = db;
    if (password !== undefined) clientConfig.password = password;
    return RedisPersister.#connect(clientConfig, options);
  }

  /**
   * {@link RedisPersister.fromValues} (or, with `url`, {@link RedisPersister.fromUrl})
   * from a plain config object, e.g. parsed JSON. Unknown keys and wrong types
   * throw `InvalidPersistArgumentError`.
   */
  static async fromConfig(config: Readonly<Record<string, unknown>>): Promise<RedisPersister> {
    const { url, host, port, db, password, clientOptions, ...options } = readPersisterConfig('RedisPersister', config, CONFIG_SCHEMA);
    const withClient = { ...options, clientOptions: clientOptions as RedisClientOptions | undefined };
    if (url === undefined) return RedisPersister.fromValues({ ...withClient, host, port, db, password });
    if ([host, port, db, password].some((value) => value !== undefined)) {
      throw new InvalidPersistArgumentError('RedisPersister.fromConfig(): give either "url" or host/port/db/password, not both');
    }
    return RedisPersister.fromUrl(url, withClient);
  }

  static async #connect(clientConfig: RedisClientOptions, options: RedisPersisterUrlOptions): Promise<RedisPersister> {
    // Validate the URL, namespace, TTL and timeouts before connecting, so a bad one leaks no client.
    if (clientConfig.url !== undefined) assertRedisUrl(clientConfig.url);
    readLayoutOptions(options);
    const timeouts = readConnectionTimeouts('RedisPersister', options);
    const guard = new ConnectionGuard({ backend: 'Redis', address: configAddress(clientConfig), classify: redisFaultReason, ...timeouts });
    const client = createClient({ ...clientConfig, socket: { connectTimeout: timeouts.connectTimeoutMs, ...clientConfig.socket } as RedisClientOptions['socket'] });
    const onError = options.onClientError ?? (() => {});
    // A listener for every error, from the first on: an 'error' event without one crashes the process.
    client.on('error', (error: Error) => onError(error));
    let failFirstAttempt: (error: Error) => void = () => {};
    const firstError = new Promise<never>((_, reject) => (failFirstAttempt = reject));
    client.once('error', failFirstAttempt);
    const connecting = client.connect();
    // After destroy() below, connect() rejects too; that rejection is the one we already throw.
    connecting.catch(() => {});
    // A server that accepts the connection but never answers the handshake would keep connect() pending forever.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(guard.unavailable('connect-timeout', undefined, `not ready within ${timeouts.connectTimeoutMs} ms`)), timeouts.connectTimeoutMs);
    });
    try {
      await Promise.race([connecting, firstError, deadline]);
    } catch (error) {
      // node-redis would keep reconnecting to a server it never reached.
      client.destroy();
      throw refusedDatabase(error) ?? guard.translate(error);
    } finally {
      clearTimeout(timer);
      client.off('error', failFirstAttempt);
    }
    const persister = new RedisPersister(client, options);
    persister.#guard = guard;
    persister.#owned = client;
    persister.takeOwnershipOfClient();
    return persister;
  }

  protected describe(): string {
    return `RedisPersister(${JSON.stringify(this.namespace ?? '')})`;
  }

  protected async createSchema(): Promise<void> {}

  protected async schemaExists(): Promise<boolean> {
    return true;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    if ((await this.#saveStep(record)) !== SAVED) throw this.conflict(record);
  }

  /** A row of incremental storage: `false` when the delta's base is not stored as it names it (nothing written). */
  async #insertIncremental(record: IncrementalRecord): Promise<boolean> {
    const { base, ...step } = record;
    const reply = await this.#saveStep(step, base ? [String(base.sequenceId), base.position, toIsoTimestamp(base.createdAt, base.createdAtMicros)] : []);
    if (reply === BASE_GONE) return false;
    if (reply !== SAVED) throw this.conflict(record);
    return true;
  }

  /** Runs `SAVE_STEP` (in incremental storage `SAVE_INCREMENTAL_STEP`) for `record` (with a delta's base fields); resolves to its reply. */
  async #saveStep(record: StateRecord, base: readonly string[] = []): Promise<number> {
    const { partitionKey, appId, sequenceId } = record;
    const layout = this.#keys;
    const keys = layout.saveKeys(partitionKey, appId, sequenceId);
    const createdAt = toIsoTimestamp(record.createdAt, record.createdAtMicros);
    const ttlMs = String((this.ttlSeconds ?? 0) * 1000);
    const args = [
      partitionKey,
      appId,
      String(sequenceId),
      record.position,
      record.state,
      record.status,
      createdAt,
      ttlMs,
      layout.stepKeyPrefix(partitionKey, appId),
      layout.partitionPrefix(partitionKey),
      this.#incremental ? '1' : '',
      // A conversion's copy ranks its app by the step's own save time (µs since the epoch, as the set's scores are).
      record.copiedSaveTime ? String(record.createdAt.getTime() * 1000 + record.createdAtMicros) : '',
      ...base,
    ];
    const script = this.#incremental ? SAVE_INCREMENTAL_STEP : SAVE_STEP;
    const saved = await this.#guard.run(async (signal) => {
      if (record.state.length >= STATE_OUTSIDE_SCRIPT_LENGTH) {
        // Large: the state goes in a plain HSET of the same transaction, and the script renames that hash (see SAVE_STEP).
        const incoming = layout.appIncomingKey(partitionKey, appId);
        const before = [
          ['DEL', incoming],
          ['HSET', incoming, 'state', record.state],
        ];
        const result = await script.runInTransaction(this.#client, before, [...keys, incoming], args.with(4, ''), [['DEL', incoming]]);
        if (result) return result.reply;
      }
      return script.run(this.#client, keys, args, signal);
    });
    return Number(saved);
  }

  /** Whether the other storage mode's layout holds the app: one script on its sorted set and latest step. */
  protected override async stepsInOtherStorageMode(partitionKey: string, appId: string): Promise<boolean> {
    const other = this.#otherModeKeys;
    const reply = await this.#redis.script(APP_IS_STORED, [other.appsBySequenceKey(partitionKey)], [appId, other.stepKeyPrefix(partitionKey, appId)]);
    return Number(reply) === 1;
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    const { partitionKey, appId } = query;
    let sequenceId: string;
    let reply: unknown;
    if (query.sequenceId === null) {
      const found = await this.#redis.script(LOAD_LATEST_STEP, [this.#keys.appsBySequenceKey(partitionKey)], [appId, this.#keys.stepKeyPrefix(partitionKey, appId)]);
      if (!Array.isArray(found)) return null;
      sequenceId = replyText(found[0]) ?? '';
      reply = found[1];
    } else {
      sequenceId = String(query.sequenceId);
      const stepKey = this.#keys.stepKey(partitionKey, appId, query.sequenceId);
      reply = await this.#redis.command(['HGETALL', stepKey]);
    }
    const fields = replyFields(reply);
    // A sorted-set entry whose hash is gone (or a hash from an interrupted Python save) loads nothing, as in Python.
    if (fields.size === 0) return null;
    const state = fields.get('state');
    if (state === undefined) throw new DeserializationError(`Stored step ${appId}#${sequenceId} in partition ${JSON.stringify(partitionKey)} has no state field`);
    return {
      partitionKey,
      appId,
      sequenceId,
      position: fields.get('position') ?? '',
      status: fields.get('status') ?? '',
      state,
      createdAt: fields.get('created_at') ?? null,
    };
  }

  /**
   * Most recently saved first (our save-time set). Apps only Python Burr
   * wrote are not in that set; they follow, by latest sequence id as Python
   * lists them. Apps whose latest step expired are left out.
   */
  protected findAppIds(partitionKey: string): Promise<string[]> {
    return findAppIds(this.#redis, partitionKey);
  }

  protected findSteps(query: StepQuery): Promise<StoredStepSummary[]> {
    return findSteps(this.#redis, query);
  }

  protected findApps(query: AppQuery): Promise<StoredAppSummary[]> {
    return findApps(this.#redis, query);
  }

  protected scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
    return scanApps(this.#redis, partitionKey, cursor, limit);
  }

  protected removeApp(partitionKey: string, appId: string): Promise<number> {
    return removeApp(this.#redis, partitionKey, appId);
  }

  protected removeSteps(removal: StepRemoval): Promise<number> {
    return removeSteps(this.#redis, removal);
  }

  protected override compactStore(): Promise<CompactReport> {
    return compactStore(this.#redis);
  }

  protected async closeClient(): Promise<void> {
    const owned = this.#owned;
    if (!owned) return;
    // A reconnect already under way opens its socket after this; destroying it then lets the process exit.
    owned.on('connect', () => owned.destroy());
    if (owned.isReady && !this.#guard.abandonedCallsOnly) {
      // close() waits for replies to commands in flight: bounded, for a server that stopped answering (not at all
      // when every command running already missed its deadline: no caller is left to hear its reply).
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#guard.timeouts.operationTimeoutMs)));
      await Promise.race([owned.close().catch(() => {}), patience]);
      clearTimeout(timer);
    }
    // Whatever is left (a reconnecting socket, a close() that did not finish) goes now.
    owned.destroy();
  }
}

/**
 * The namespace, TTL and storage options, checked (throws before any client
 * exists). `ttlSeconds` and incremental storage do not combine: each step's
 * hash expires on its own, so a delta could outlive the base it is rebuilt from.
 */
function readLayoutOptions(options: RedisPersisterOptions): { incremental: IncrementalSettings | undefined; ttlSeconds: number | undefined } {
  new RedisKeyLayout(options.namespace);
  const ttlSeconds = readTtlSeconds(options.ttlSeconds);
  const incremental = readStorageOptions('RedisPersister', options);
  if (incremental && ttlSeconds !== undefined) {
    throw new InvalidPersistArgumentError("RedisPersister: ttlSeconds applies only with storage: 'full' (a delta's base could expire before the delta)");
  }
  return { incremental, ttlSeconds };
}

/** `host:port` of the options a client is created from, never the password. */
function configAddress(config: RedisClientOptions): string {
  const socket = config.socket as { host?: string; port?: number; path?: string } | undefined;
  if (socket?.path) return socket.path;
  if (socket?.host !== undefined || socket?.port !== undefined || config.url === undefined) return addressOf({ host: socket?.host, port: socket?.port }, 6379);
  return addressOf(config.url, 6379);
}

/** `host:port` of a client someone else created, when it exposes its options (node-redis does). */
function clientAddress(client: RedisCommandClient): string {
  const { options } = client as { options?: unknown };
  return options !== null && typeof options === 'object' ? configAddress(options as RedisClientOptions) : 'the given client';
}
