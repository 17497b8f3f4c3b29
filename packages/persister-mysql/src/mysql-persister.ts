import mysql from 'mysql2/promise';
import {
  ConnectionGuard,
  MYSQL_MAX_KEY_BYTES,
  StateTooLargeError,
  SqlStatePersister,
  addressOf,
  readConnectionTimeouts,
  SQL_SERVER_CONFIG_FIELDS,
  readSqlServerConfig,
  validateSqlPersisterOptions,
  type ConnectionTimeoutOptions,
  type SqlParam,
  type SqlServerValues,
  type SqlStatement,
  type SqlRowValues,
  type SqlStatePersisterOptions,
} from '@burr/core';
import { MYSQL_DEADLOCK, MYSQL_DUPLICATE_INDEX, MYSQL_DUPLICATE_KEY, MYSQL_DUPLICATE_TRIGGER, MYSQL_NO_SUCH_TABLE, mysqlCode, mysqlFaultReason } from './mysql-errors.js';

/** A mysql2 pool or connection from `mysql2/promise`, which the persister runs its statements on. */
export type MySqlClient = mysql.Pool | mysql.Connection;

/** mysql2 options for a pool the persister opens itself (`connectionLimit`, `ssl`, `charset`...). */
export type MySqlPoolOptions = mysql.PoolOptions;

/** States up to this many bytes are saved without asking the server's `max_allowed_packet` (its minimum default is 4 MB). */
const UNCHECKED_STATE_BYTES = 1024 * 1024;
/** Room for the key columns and the statement around the state in one packet. */
const PACKET_OVERHEAD_BYTES = 3 * MYSQL_MAX_KEY_BYTES + 4096;

/** Milliseconds `cleanup()` lets an owned pool close its connections politely before it destroys them. */
export const CLOSE_TIMEOUT_MS = 5000;

/**
 * Options of the {@link MySQLPersister} constructor. `operationTimeoutMs`
 * (default 30 s) bounds every call; `connectTimeoutMs` (default 10 s) is
 * mysql2's `connectTimeout` of a pool the persister opens. A missed deadline,
 * a refused or dropped connection reject with `PersisterUnavailableError`.
 */
export interface MySQLPersisterOptions extends SqlStatePersisterOptions, ConnectionTimeoutOptions {}

/** Options of {@link MySQLPersister.fromUrl}. */
export interface MySQLPersisterUrlOptions extends MySQLPersisterOptions {
  /** Any other mysql2 pool option. */
  clientOptions?: MySqlPoolOptions | undefined;
}

/** Arguments of {@link MySQLPersister.fromValues}. */
export interface MySQLPersisterValues extends MySQLPersisterUrlOptions, SqlServerValues {}

const IDENTITY = { persister: 'MySQLPersister', dialect: 'mysql' } as const;

/**
 * Saves and loads Burr application state in MySQL 8 or MariaDB 10.6+ through
 * mysql2, one row per step in a table shaped like Python Burr's SQL table
 * (see the package README: key columns are byte-exact VARBINARY, the state
 * is our JSON text as is, so key order, NaN and Infinity survive).
 *
 * ```ts
 * await using persister = MySQLPersister.fromUrl('mysql://root@localhost:3306/app');
 * await persister.initialize();
 * ```
 *
 * An app id, partition key or position longer than {@link MYSQL_MAX_KEY_BYTES}
 * bytes of UTF-8 is refused with `InvalidIdentifierError` before the write.
 */
export class MySQLPersister extends SqlStatePersister {
  readonly #client: MySqlClient;
  readonly #guard: ConnectionGuard;
  #maxAllowedPacket: number | undefined;

  /**
   * A persister on a mysql2 pool or connection the caller created and keeps:
   * `cleanup()` leaves it open. Throws `InvalidIdentifierError` for an unsafe table name.
   */
  constructor(client: MySqlClient, options: MySQLPersisterOptions = {}) {
    super(IDENTITY, options);
    this.#client = client;
    this.#guard = new ConnectionGuard({
      backend: 'MySQL',
      address: clientAddress(client),
      classify: mysqlFaultReason,
      ...readConnectionTimeouts(IDENTITY.persister, options),
    });
  }

  /** The mysql2 client; when the persister opened it, `cleanup()` ends it, so do not end it yourself. */
  get client(): MySqlClient {
    return this.#client;
  }

  /** Opens a pool for `url` (`mysql://user:password@host:port/db`) that the persister owns: `cleanup()` ends it. */
  static fromUrl(url: string, options: MySQLPersisterUrlOptions = {}): MySQLPersister {
    return MySQLPersister.#owning({ uri: url }, options);
  }

  /** Opens a pool from connection values (Python's `from_values`) that the persister owns: `cleanup()` ends it. */
  static fromValues(values: MySQLPersisterValues): MySQLPersister {
    const { dbName, user, password, host, port, ...options } = values;
    return MySQLPersister.#owning({ database: dbName, user, password, host, port: port ?? 3306 }, options);
  }

  /**
   * {@link MySQLPersister.fromValues} (or, with `url`, {@link MySQLPersister.fromUrl})
   * from a plain config object, e.g. parsed JSON. Unknown keys, wrong types and
   * a missing connection target throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): MySQLPersister {
    const { url, values, options } = readSqlServerConfig(IDENTITY.persister, config, SQL_SERVER_CONFIG_FIELDS);
    const withClient = { ...options, clientOptions: options.clientOptions as MySqlPoolOptions | undefined };
    return url !== undefined ? MySQLPersister.fromUrl(url, withClient) : MySQLPersister.fromValues({ ...withClient, ...values });
  }

  static #owning(target: MySqlPoolOptions, options: MySQLPersisterUrlOptions): MySQLPersister {
    // Validate names and timeouts before connecting, so a bad one leaks no pool.
    const { connectTimeoutMs } = validateSqlPersisterOptions(IDENTITY, options);
    const pool = mysql.createPool({ connectTimeout: connectTimeoutMs, ...options.clientOptions, ...target });
    const persister = new MySQLPersister(pool, options);
    persister.takeOwnershipOfClient();
    return persister;
  }

  /**
   * A concurrent `initialize()` may create an index or the trigger between our
   * check and our CREATE: run again, which skips what exists (at most once per statement).
   */
  protected override async createSchema(): Promise<void> {
    const progress = { appIndexCreated: false };
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.createSchema(progress);
      } catch (error) {
        const raced = mysqlCode(error) === MYSQL_DUPLICATE_INDEX || mysqlCode(error) === MYSQL_DUPLICATE_TRIGGER;
        if (!raced || attempt > this.statements.createSchema.length) throw error;
      }
    }
  }

  /**
   * The server refuses a statement larger than `max_allowed_packet` and then
   * closes the connection: a state that cannot fit (a step's, a delta's, a
   * prune's rewrite of a delta as a snapshot) is refused here instead, before
   * the write, with `StateTooLargeError`.
   */
  protected override assertStateFits(state: string): Promise<void> | undefined {
    // A UTF-16 unit takes at most 3 bytes of UTF-8: most states are known small without counting.
    if (state.length * 3 <= UNCHECKED_STATE_BYTES) return undefined;
    const bytes = Buffer.byteLength(state, 'utf8');
    return bytes <= UNCHECKED_STATE_BYTES ? undefined : this.#assertUnderPacketLimit(bytes);
  }

  async #assertUnderPacketLimit(bytes: number): Promise<void> {
    if (this.#maxAllowedPacket === undefined) {
      const [row] = await this.fetchRows('SELECT @@max_allowed_packet', []);
      this.#maxAllowedPacket = Number(row?.[0]);
    }
    const limit = this.#maxAllowedPacket - PACKET_OVERHEAD_BYTES;
    if (bytes > limit) throw new StateTooLargeError(bytes, limit, "MySQL (the server's max_allowed_packet)");
  }

  /** Prepared, except statements without parameters: MySQL cannot prepare some DDL (CREATE TRIGGER). */
  protected async execute(sql: string, params: readonly SqlParam[]): Promise<number> {
    const [result] = await againAfterDeadlock(() =>
      this.#guard.run(() => (params.length === 0 ? this.#client.query<mysql.ResultSetHeader>(sql) : this.#client.execute<mysql.ResultSetHeader>(sql, params as SqlParam[]))),
    );
    return result.affectedRows;
  }

  /** On one connection of the pool (or the given connection): BEGIN, the statements, COMMIT; ROLLBACK on any error. */
  protected async executeInTransaction(statements: readonly SqlStatement[]): Promise<number[]> {
    return againAfterDeadlock(() => this.#transaction(statements));
  }

  #transaction(statements: readonly SqlStatement[]): Promise<number[]> {
    return this.#guard.run(async () => {
      const client = this.#client;
      const connection = 'getConnection' in client ? await client.getConnection() : client;
      try {
        await connection.beginTransaction();
        const changed: number[] = [];
        for (const { sql, params } of statements) changed.push((await connection.execute<mysql.ResultSetHeader>(sql, params as SqlParam[]))[0].affectedRows);
        await connection.commit();
        return changed;
      } catch (error) {
        await connection.rollback().catch(() => {});
        throw error;
      } finally {
        if (connection !== client) (connection as mysql.PoolConnection).release();
      }
    });
  }

  protected async fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]> {
    const [rows] = await this.#guard.run(() => this.#client.execute<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }, params as SqlParam[]));
    // Key columns are VARBINARY holding UTF-8.
    return rows.map((row) => (row as unknown[]).map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : value)));
  }

  protected isUniqueViolation(error: unknown): boolean {
    return mysqlCode(error) === MYSQL_DUPLICATE_KEY;
  }

  protected isMissingTable(error: unknown): boolean {
    return mysqlCode(error) === MYSQL_NO_SUCH_TABLE;
  }

  /**
   * Ends the pool; connections that do not close politely in time (a server
   * that stopped answering) are destroyed, at once when the only calls running
   * already missed their deadline.
   */
  protected async closeClient(): Promise<void> {
    const client = this.#client;
    if (this.#guard.abandonedCallsOnly) {
      client.end().catch(() => {});
      destroyConnections(client);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([client.end().catch(() => undefined), timedOut]);
      if (outcome === 'timeout') destroyConnections(client);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Destroys the sockets of a pool or connection that `end()` could not close. */
function destroyConnections(client: MySqlClient): void {
  const callbackPool = (client as { pool?: { _allConnections?: { toArray?: () => Array<{ destroy(): void }> } } }).pool;
  const connections = callbackPool?._allConnections?.toArray?.() ?? [];
  for (const connection of connections) connection.destroy();
  if (!callbackPool) (client as mysql.Connection).destroy();
}

/** `host:port` of a mysql2 pool or connection, never its password. */
function clientAddress(client: MySqlClient): string {
  const pooled = (client as { pool?: { config?: { connectionConfig?: unknown } } }).pool?.config?.connectionConfig;
  const config = (pooled ?? (client as { config?: unknown }).config ?? {}) as { host?: unknown; port?: unknown; socketPath?: unknown };
  if (typeof config.socketPath === 'string' && config.socketPath) return config.socketPath;
  return addressOf({ host: typeof config.host === 'string' ? config.host : undefined, port: typeof config.port === 'number' ? config.port : undefined }, 3306);
}

/** Attempts of a statement or transaction that InnoDB keeps choosing as a deadlock's victim. */
const DEADLOCK_ATTEMPTS = 5;

/**
 * Runs `run` again when InnoDB rolled it back as a deadlock's victim (a
 * delta's insert beside a `deleteApp`, a seal beside a prune: each takes
 * rows and segments in its own order), after a short random pause. The
 * victim was rolled back whole, so running it again is safe.
 */
async function againAfterDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (mysqlCode(error) !== MYSQL_DEADLOCK || attempt >= DEADLOCK_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
