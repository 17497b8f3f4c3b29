import postgres from 'postgres';
import {
  BURR_SQL_COLUMNS,
  ConnectionGuard,
  addressOf,
  readConnectionTimeouts,
  type ConnectionTimeoutOptions,
  InvalidPersistArgumentError,
  PersisterNotInitializedError,
  RecordStatePersister,
  burrSqlStatements,
  quoteSqlIdentifier,
  readPersisterConfig,
  storedRecordFromSqlRow,
  toIsoTimestamp,
  type BurrSqlRow,
  type BurrSqlStatements,
  type RecordQuery,
  type RecordStatePersisterOptions,
  type StateRecord,
  type StoredStateRecord,
} from '@burr/core';
import { assertNoNulInText, toJsonbText } from './jsonb.js';
import { PG_UNDEFINED_TABLE, PG_UNIQUE_VIOLATION, postgresFaultReason, sqlState } from './postgres-errors.js';

/** A postgres.js client (`postgres(url)`); `TTypes` are its custom types (the `types` option), if any. */
// biome-ignore lint/complexity/noBannedTypes: {} is postgres.js's own default for TTypes, the type a plain postgres(url) client has.
export type PostgresClient<TTypes extends Record<string, unknown> = {}> = postgres.Sql<TTypes>;

/** postgres.js connection options for a pool the persister opens itself. */
export type PostgresConnectionOptions = postgres.Options<Record<string, postgres.PostgresType>>;

/** `sequence_id` is an INTEGER column (Python Burr's table): 32 bits. */
const MAX_SEQUENCE_ID = 2 ** 31 - 1;

/** Seconds `cleanup()` lets running queries finish before it closes an owned pool's connections. */
export const CLOSE_TIMEOUT_SECONDS = 5;

/**
 * Options of the {@link PostgreSQLPersister} constructor. `operationTimeoutMs`
 * (default 30 s) bounds every call; `connectTimeoutMs` (default 10 s) is
 * postgres.js's `connect_timeout` of a pool the persister opens, and on a
 * client you pass in only lengthens the deadline of calls until one has
 * succeeded. A missed deadline, a refused or dropped connection reject with
 * `PersisterUnavailableError`.
 */
export interface PostgreSQLPersisterOptions extends RecordStatePersisterOptions, ConnectionTimeoutOptions {
  /** Table holding the steps; lower-case letters, digits and `_`. Default `burr_state`, as in Python Burr. */
  tableName?: string;
  /** Schema of the table, created by `initialize()` when missing. Default: the connection's `search_path`. */
  schema?: string;
}

/** Options of {@link PostgreSQLPersister.fromUrl}. */
export interface PostgreSQLPersisterUrlOptions extends PostgreSQLPersisterOptions {
  /**
   * Any other postgres.js option (`max`, `ssl`, `idle_timeout`, `connection`...).
   * `fetch_types` defaults to `false` here: fetching array types on each new
   * connection can reject unhandled when that connection is cut (see README).
   */
  connectionOptions?: PostgresConnectionOptions;
}

/** Arguments of {@link PostgreSQLPersister.fromValues} (Python's `from_values`, camelCased). */
export interface PostgreSQLPersisterValues extends PostgreSQLPersisterUrlOptions {
  dbName: string;
  user: string;
  password?: string;
  host: string;
  /** Default 5432. */
  port?: number;
}

const CONFIG_SCHEMA = {
  url: { type: 'string' },
  dbName: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'number' },
  tableName: { type: 'string' },
  schema: { type: 'string' },
  serdeKwargs: { type: 'object' },
  connectionOptions: { type: 'object' },
  connectTimeoutMs: { type: 'number' },
  operationTimeoutMs: { type: 'number' },
} as const;

/**
 * Saves and loads Burr application state in PostgreSQL through postgres.js,
 * in the table format of Python Burr's `PostgreSQLPersister` (state as
 * JSONB), so both read each other's rows.
 *
 * ```ts
 * await using persister = PostgreSQLPersister.fromUrl('postgres://localhost/app');
 * await persister.initialize();
 * ```
 *
 * JSONB cannot hold NaN, ±Infinity or a NUL character: saving one throws
 * `UnsupportedValueError` naming the key path, and nothing is written. JSONB
 * also reorders object keys (shorter first), so a loaded state's keys are not
 * in the order they were saved in.
 */
// biome-ignore lint/complexity/noBannedTypes: {} is postgres.js's own default for TTypes, the type a plain postgres(url) client has.
export class PostgreSQLPersister<TTypes extends Record<string, unknown> = {}> extends RecordStatePersister {
  /** The table holding the steps. */
  readonly tableName: string;
  /** The schema of the table, when one was given. */
  readonly schema: string | undefined;
  protected override readonly nonFiniteNumbers = 'reject' as const;
  readonly #client: PostgresClient<TTypes>;
  /** The same client, seen without custom types: this class only sends strings, numbers and dates. */
  readonly #sql: PostgresClient;
  readonly #statements: BurrSqlStatements;
  readonly #qualifiedName: string;
  readonly #guard: ConnectionGuard;
  #ownsPool = false;

  /**
   * A persister on a postgres.js client the caller created and keeps:
   * `cleanup()` leaves it open. Throws `InvalidIdentifierError` for an
   * unsafe table or schema name.
   */
  constructor(sql: PostgresClient<TTypes>, options: PostgreSQLPersisterOptions = {}) {
    super(options);
    this.tableName = options.tableName ?? 'burr_state';
    this.schema = options.schema;
    this.#qualifiedName = qualifiedTableName(this.tableName, this.schema);
    this.#statements = burrSqlStatements('postgres', this.tableName, this.schema);
    this.#client = sql;
    this.#sql = sql as unknown as PostgresClient;
    this.#guard = new ConnectionGuard({
      backend: 'PostgreSQL',
      address: clientAddress(this.#sql),
      classify: postgresFaultReason,
      ...readConnectionTimeouts('PostgreSQLPersister', options),
    });
  }

  /** The postgres.js client; when the persister opened it, `cleanup()` ends it, so do not end it yourself. */
  get sql(): PostgresClient<TTypes> {
    return this.#client;
  }

  /** Opens a pool for `url` (`postgres://user:password@host:port/db`) that the persister owns: `cleanup()` ends it. */
  static fromUrl(url: string, options: PostgreSQLPersisterUrlOptions = {}): PostgreSQLPersister {
    return PostgreSQLPersister.#owning((connectionOptions) => postgres(url, connectionOptions), options);
  }

  /** Opens a pool from connection values (Python's `from_values`) that the persister owns: `cleanup()` ends it. */
  static fromValues(values: PostgreSQLPersisterValues): PostgreSQLPersister {
    const { dbName, user, password, host, port, ...options } = values;
    return PostgreSQLPersister.#owning(
      (connectionOptions) => postgres({ ...connectionOptions, database: dbName, user, password, host, port: port ?? 5432 }),
      options,
    );
  }

  /**
   * {@link PostgreSQLPersister.fromValues} (or, with `url`, {@link PostgreSQLPersister.fromUrl})
   * from a plain config object, e.g. parsed JSON. Unknown keys, wrong types and
   * a missing connection target throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): PostgreSQLPersister {
    const { url, dbName, user, password, host, port, connectionOptions, ...options } = readPersisterConfig('PostgreSQLPersister', config, CONFIG_SCHEMA);
    const withConnection = { ...options, connectionOptions: connectionOptions as PostgresConnectionOptions | undefined };
    if (url !== undefined) {
      if ([dbName, user, password, host, port].some((value) => value !== undefined)) {
        throw new InvalidPersistArgumentError('PostgreSQLPersister.fromConfig(): give either "url" or dbName/user/password/host/port, not both');
      }
      return PostgreSQLPersister.fromUrl(url, withConnection);
    }
    if (dbName === undefined || user === undefined || host === undefined) {
      throw new InvalidPersistArgumentError('PostgreSQLPersister.fromConfig(): options "dbName", "user" and "host" are required (or give "url")');
    }
    return PostgreSQLPersister.fromValues({ ...withConnection, dbName, user, password, host, port });
  }

  static #owning(open: (options: PostgresConnectionOptions) => PostgresClient, options: PostgreSQLPersisterUrlOptions): PostgreSQLPersister {
    // Validate names and timeouts before connecting, so a bad one leaks no pool.
    qualifiedTableName(options.tableName ?? 'burr_state', options.schema);
    const { connectTimeoutMs } = readConnectionTimeouts('PostgreSQLPersister', options);
    const sql = open({
      // Notices ("relation already exists, skipping") would go to console.log by default.
      onnotice: () => {},
      // The persister only reads text, numbers and JSONB; fetching array types on a new connection is what can
      // reject unhandled when the connection is cut during it (porsager/postgres, open upstream).
      fetch_types: false,
      connect_timeout: connectTimeoutMs / 1000,
      ...options.connectionOptions,
    });
    const persister = new PostgreSQLPersister(sql, options);
    persister.#ownsPool = true;
    return persister;
  }

  protected describe(): string {
    return `PostgreSQLPersister(${this.#qualifiedName})`;
  }

  /**
   * Creates the schema (when given), table and index in one transaction that
   * first takes advisory locks on the schema and table names: concurrent
   * `CREATE ... IF NOT EXISTS` can otherwise fail with a unique violation in
   * the catalog when several processes initialize at once.
   */
  protected async createSchema(): Promise<void> {
    await this.#guard.run(() => this.#createSchema());
  }

  async #createSchema(): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx.unsafe('SET LOCAL client_min_messages = warning');
      if (this.schema) await tx.unsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`burr:schema:${this.schema}`]);
      await tx.unsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`burr:table:${this.#qualifiedName}`]);
      if (this.schema) {
        // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
        const [found] = await tx.unsafe('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]).values();
        if (!found) await tx.unsafe(`CREATE SCHEMA ${quoteSqlIdentifier(this.schema, 'schema name')}`);
      }
      // Skip what exists: a role allowed to use a table made by someone else (Python, a migration) lacks CREATE on the schema.
      const { createSchema, schemaObjects } = this.#statements;
      for (const [i, statement] of createSchema.entries()) {
        const [exists] = await tx.unsafe('SELECT to_regclass($1) IS NOT NULL', [schemaObjects[i]!]).values();
        if (exists?.[0] !== true) await tx.unsafe(statement);
      }
    });
  }

  protected async schemaExists(): Promise<boolean> {
    const { sql, params } = this.#statements.selectTableExists;
    return (await this.#guard.run(() => this.#sql.unsafe(sql, params, { prepare: true }).values())).length > 0;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    if (record.sequenceId > MAX_SEQUENCE_ID) {
      throw new InvalidPersistArgumentError(`sequenceId ${record.sequenceId} does not fit the table's INTEGER column (at most ${MAX_SEQUENCE_ID})`);
    }
    assertNoNulInText(record.partitionKey, 'partition key');
    assertNoNulInText(record.appId, 'app id');
    assertNoNulInText(record.position, 'position');
    const state = toJsonbText(record.state);
    const createdAt = toIsoTimestamp(record.createdAt, record.createdAtMicros);
    const params = [record.partitionKey, record.appId, record.sequenceId, record.position, record.status, state, createdAt];
    try {
      await this.#guard.run(() => this.#sql.unsafe(this.#statements.insert, params, { prepare: true }).execute());
    } catch (error) {
      if (sqlState(error) === PG_UNIQUE_VIOLATION) throw this.conflict(record, error);
      throw this.#notInitializedOr(error);
    }
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    // Text columns cannot hold NUL, so nothing with one was ever stored.
    if (query.partitionKey.includes('\u0000') || query.appId.includes('\u0000')) return null;
    if (query.sequenceId !== null && query.sequenceId > MAX_SEQUENCE_ID) return null;
    const [row] =
      query.sequenceId === null
        ? await this.#select(this.#statements.selectLatest, [query.partitionKey, query.appId])
        : await this.#select(this.#statements.selectAtSequence, [query.partitionKey, query.appId, query.sequenceId]);
    if (!row) return null;
    return storedRecordFromSqlRow(Object.fromEntries(BURR_SQL_COLUMNS.map((column, i) => [column, row[i]])) as BurrSqlRow);
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    if (partitionKey.includes('\u0000')) return [];
    const rows = await this.#select(this.#statements.selectAppIds, [partitionKey]);
    return rows.map((row) => String(row[0]));
  }

  protected async closeOwnedResources(): Promise<void> {
    // With a timeout: postgres.js's end() never settles after a connection died mid-query (porsager/postgres#1097).
    if (this.#ownsPool) await this.#sql.end({ timeout: CLOSE_TIMEOUT_SECONDS });
  }

  /** Runs a prepared read and returns rows as arrays, so a client's column-name transform cannot rename them. */
  async #select(text: string, params: Array<string | number>): Promise<unknown[][]> {
    try {
      return await this.#guard.run(() => this.#sql.unsafe(text, params, { prepare: true }).values());
    } catch (error) {
      throw this.#notInitializedOr(error);
    }
  }

  #notInitializedOr(error: unknown): unknown {
    if (sqlState(error) !== PG_UNDEFINED_TABLE) return error;
    return new PersisterNotInitializedError(this.describe(), `table ${this.#qualifiedName} does not exist`);
  }
}

/** `host:port` of a postgres.js client (the first host of a multi-host one), never its password. */
function clientAddress(sql: PostgresClient): string {
  const { host, port, path } = sql.options as { host?: unknown; port?: unknown; path?: unknown };
  if (typeof path === 'string' && path) return path;
  const first = Array.isArray(host) ? host[0] : host;
  const firstPort = Array.isArray(port) ? port[0] : port;
  return addressOf({ host: typeof first === 'string' ? first : undefined, port: typeof firstPort === 'number' ? firstPort : undefined }, 5432);
}

/** `"schema"."table"` or `"table"`, each name validated (an empty schema name is refused, not ignored). */
function qualifiedTableName(tableName: string, schema: string | undefined): string {
  return (schema === undefined ? '' : `${quoteSqlIdentifier(schema, 'schema name')}.`) + quoteSqlIdentifier(tableName);
}
