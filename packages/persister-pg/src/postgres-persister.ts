import postgres from 'postgres';
import {
  ConnectionGuard,
  SqlStatePersister,
  createSqlSchema,
  addressOf,
  quoteSqlIdentifier,
  readConnectionTimeouts,
  SQL_SERVER_CONFIG_FIELDS,
  readSqlServerConfig,
  validateSqlPersisterOptions,
  type ConnectionTimeoutOptions,
  type SqlParam,
  type SqlServerValues,
  type SqlStatement,
  type SqlPersisterIdentity,
  type SqlRowValues,
  type SqlStatePersisterOptions,
  type StateRecord,
} from '@burr/core';
import { assertNoNulInText, toJsonbText } from './jsonb.js';
import { PG_UNDEFINED_COLUMN, PG_UNDEFINED_TABLE, PG_UNIQUE_VIOLATION, postgresFaultReason, sqlState } from './postgres-errors.js';

/** A postgres.js client (`postgres(url)`); `TTypes` are its custom types (the `types` option), if any. */
// biome-ignore lint/complexity/noBannedTypes: {} is postgres.js's own default for TTypes, the type a plain postgres(url) client has.
export type PostgresClient<TTypes extends Record<string, unknown> = {}> = postgres.Sql<TTypes>;

/** postgres.js options for a pool the persister opens itself. */
export type PostgresClientOptions = postgres.Options<Record<string, postgres.PostgresType>>;

/** Seconds `cleanup()` lets running queries finish before it closes an owned pool's connections (none when no call is running). */
export const CLOSE_TIMEOUT_SECONDS = 5;

/**
 * Options of the {@link PostgreSQLPersister} constructor. `operationTimeoutMs`
 * (default 30 s) bounds every call; `connectTimeoutMs` (default 10 s) is
 * postgres.js's `connect_timeout` of a pool the persister opens, and on a
 * client you pass in only lengthens the deadline of calls until one has
 * succeeded. A missed deadline, a refused or dropped connection reject with
 * `PersisterUnavailableError`.
 */
export interface PostgreSQLPersisterOptions extends SqlStatePersisterOptions, ConnectionTimeoutOptions {
  /** Schema of the table, created by `initialize()` when missing. Default: the connection's `search_path`. */
  schema?: string | undefined;
}

/** Options of {@link PostgreSQLPersister.fromUrl}. */
export interface PostgreSQLPersisterUrlOptions extends PostgreSQLPersisterOptions {
  /**
   * Any other postgres.js option (`max`, `ssl`, `idle_timeout`, `connection`...).
   * `fetch_types` defaults to `false` here: fetching array types on each new
   * connection can reject unhandled when that connection is cut (see README).
   */
  clientOptions?: PostgresClientOptions | undefined;
}

/** Arguments of {@link PostgreSQLPersister.fromValues} (Python's `from_values`, camelCased). */
export interface PostgreSQLPersisterValues extends PostgreSQLPersisterUrlOptions, SqlServerValues {}

const CONFIG_SCHEMA = { ...SQL_SERVER_CONFIG_FIELDS, schema: { type: 'string' } } as const;

const identity = (schema: string | undefined): SqlPersisterIdentity => ({ persister: 'PostgreSQLPersister', dialect: 'postgres', schema });

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
export class PostgreSQLPersister<TTypes extends Record<string, unknown> = {}> extends SqlStatePersister {
  /** The schema of the table, when one was given. */
  readonly schema: string | undefined;
  protected override readonly nonFiniteNumbers = 'reject' as const;
  readonly #client: PostgresClient<TTypes>;
  /** The same client, seen without custom types: this class only sends strings, numbers and dates. */
  readonly #sql: PostgresClient;
  readonly #guard: ConnectionGuard;

  /**
   * A persister on a postgres.js client the caller created and keeps:
   * `cleanup()` leaves it open. Throws `InvalidIdentifierError` for an
   * unsafe table or schema name.
   */
  constructor(client: PostgresClient<TTypes>, options: PostgreSQLPersisterOptions = {}) {
    super(identity(options.schema), options);
    this.schema = options.schema;
    this.#client = client;
    this.#sql = client as unknown as PostgresClient;
    this.#guard = new ConnectionGuard({
      backend: 'PostgreSQL',
      address: clientAddress(this.#sql),
      classify: postgresFaultReason,
      ...readConnectionTimeouts('PostgreSQLPersister', options),
    });
  }

  /** The postgres.js client; when the persister opened it, `cleanup()` ends it, so do not end it yourself. */
  get client(): PostgresClient<TTypes> {
    return this.#client;
  }

  /** Opens a pool for `url` (`postgres://user:password@host:port/db`) that the persister owns: `cleanup()` ends it. */
  static fromUrl(url: string, options: PostgreSQLPersisterUrlOptions = {}): PostgreSQLPersister {
    return PostgreSQLPersister.#owning((clientOptions) => postgres(url, clientOptions), options);
  }

  /** Opens a pool from connection values (Python's `from_values`) that the persister owns: `cleanup()` ends it. */
  static fromValues(values: PostgreSQLPersisterValues): PostgreSQLPersister {
    const { dbName, user, password, host, port, ...options } = values;
    return PostgreSQLPersister.#owning((clientOptions) => postgres({ ...clientOptions, database: dbName, user, password, host, port: port ?? 5432 }), options);
  }

  /**
   * {@link PostgreSQLPersister.fromValues} (or, with `url`, {@link PostgreSQLPersister.fromUrl})
   * from a plain config object, e.g. parsed JSON. Unknown keys, wrong types and
   * a missing connection target throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): PostgreSQLPersister {
    const { url, values, options } = readSqlServerConfig('PostgreSQLPersister', config, CONFIG_SCHEMA);
    const withClient = { ...options, clientOptions: options.clientOptions as PostgresClientOptions | undefined };
    return url !== undefined ? PostgreSQLPersister.fromUrl(url, withClient) : PostgreSQLPersister.fromValues({ ...withClient, ...values });
  }

  static #owning(open: (options: PostgresClientOptions) => PostgresClient, options: PostgreSQLPersisterUrlOptions): PostgreSQLPersister {
    const { connectTimeoutMs } = validateSqlPersisterOptions(identity(options.schema), options);
    const sql = open({
      // Notices ("relation already exists, skipping") would go to console.log by default.
      onnotice: () => {},
      // The persister only reads text, numbers and JSONB; fetching array types on a new connection is what can
      // reject unhandled when the connection is cut during it (porsager/postgres, open upstream).
      fetch_types: false,
      connect_timeout: connectTimeoutMs / 1000,
      ...options.clientOptions,
    });
    const persister = new PostgreSQLPersister(sql, options);
    persister.takeOwnershipOfClient();
    return persister;
  }

  /**
   * Creates the schema (when given), table and index in one transaction that
   * first takes advisory locks on the schema and table names: concurrent
   * `CREATE ... IF NOT EXISTS` can otherwise fail with a unique violation in
   * the catalog when several processes initialize at once.
   */
  protected override async createSchema(): Promise<void> {
    await this.#guard.run(() => this.#createSchema());
  }

  async #createSchema(): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx.unsafe('SET LOCAL client_min_messages = warning');
      if (this.schema) await tx.unsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`burr:schema:${this.schema}`]);
      await tx.unsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`burr:table:${this.statements.table}`]);
      if (this.schema) {
        // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
        const [found] = await tx.unsafe('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]).values();
        if (!found) await tx.unsafe(`CREATE SCHEMA ${quoteSqlIdentifier(this.schema, 'schema name')}`);
      }
      // Skip what exists: a role allowed to use a table made by someone else (Python, a migration) lacks CREATE on the schema.
      await createSqlSchema(this.statements, true, {
        exists: async ({ sql, params }) => (await tx.unsafe(sql, params).values()).length > 0,
        run: async (sql) => void (await tx.unsafe(sql)),
      });
    });
  }

  /** JSONB and text columns cannot hold NUL, and JSONB rewrites some numbers: checked and converted before the write. */
  protected override insertParams(record: StateRecord): SqlParam[] {
    assertNoNulInText(record.partitionKey, 'partition key');
    assertNoNulInText(record.appId, 'app id');
    assertNoNulInText(record.position, 'position');
    return super.insertParams({ ...record, state: toJsonbText(record.state) });
  }

  protected override canHoldText(text: string): boolean {
    return !text.includes('\u0000');
  }

  /** Prepared; rows as arrays, so a client's column-name transform cannot rename them. */
  protected async execute(sql: string, params: readonly SqlParam[]): Promise<number> {
    return (await this.#guard.run(() => this.#sql.unsafe(sql, [...params], { prepare: true }).execute())).count;
  }

  protected async executeInTransaction(statements: readonly SqlStatement[]): Promise<number[]> {
    return this.#guard.run(() =>
      // Read committed whatever the server's default: deleteApp's app lock and prune's orphan guard read what committed before them.
      this.#sql.begin('isolation level read committed', async (tx) => {
        const changed: number[] = [];
        for (const { sql, params } of statements) changed.push((await tx.unsafe(sql, [...params], { prepare: true }).execute()).count);
        return changed;
      }),
    );
  }

  protected async fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]> {
    return this.#guard.run(() => this.#sql.unsafe(sql, [...params], { prepare: true }).values());
  }

  protected isUniqueViolation(error: unknown): boolean {
    return sqlState(error) === PG_UNIQUE_VIOLATION;
  }

  protected isMissingTable(error: unknown): boolean {
    return sqlState(error) === PG_UNDEFINED_TABLE;
  }

  protected override isMissingColumn(error: unknown): boolean {
    return sqlState(error) === PG_UNDEFINED_COLUMN;
  }

  protected async closeClient(): Promise<void> {
    // With a timeout: postgres.js's end() never settles after a connection died mid-query (porsager/postgres#1097).
    // When no caller waits for a call of ours (none runs, or those running missed their deadline) there is nothing to
    // let finish, and a dead or silent connection would hold cleanup() for the whole timeout.
    await this.#sql.end({ timeout: this.#guard.awaited === 0 ? 0 : CLOSE_TIMEOUT_SECONDS });
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
