import { createClient, type Client, type Config, type InStatement } from '@libsql/client';
import {
  ConnectionGuard,
  DEFAULT_BUSY_TIMEOUT_MS,
  InvalidPersistArgumentError,
  SqlStatePersister,
  addressOf,
  readConnectionTimeouts,
  SERVER_CONFIG_FIELDS,
  SQL_TABLE_CONFIG_FIELDS,
  readPersisterConfig,
  validateSqlPersisterOptions,
  type ConnectionTimeoutOptions,
  type ConnectionTimeouts,
  type SqlParam,
  type SqlStatement,
  type CompactReport,
  type SqlPersisterIdentity,
  type SqlRowValues,
  type SqlStatePersisterOptions,
} from '@burr/core';
import { isMissingTable, isPrimaryKeyViolation, libsqlFaultReason } from './libsql-errors.js';
import { collectReleasedHandles } from './release-handles.js';

/**
 * Options of the {@link LibSQLPersister} constructor. For a remote database
 * `operationTimeoutMs` (default 30 s) bounds every call, and until one call
 * has succeeded the bound is `connectTimeoutMs + operationTimeoutMs` (default
 * 10 s + 30 s: the first call opens the connection); a missed deadline, a
 * refused or dropped connection reject with `PersisterUnavailableError`. Local
 * files wait for locks on the busy timeout instead.
 */
export interface LibSQLPersisterOptions extends SqlStatePersisterOptions, ConnectionTimeoutOptions {}

/** Arguments of {@link LibSQLPersister.fromValues} and keys of {@link LibSQLPersister.fromConfig}. */
export interface LibSQLPersisterValues extends LibSQLPersisterOptions {
  /** `file:path.db`, `:memory:`, `libsql://…`, `http(s)://…` or `ws(s)://…`. */
  url: string;
  /** Token for a remote database (Turso). */
  authToken?: string | undefined;
  /** Any other `createClient()` option (`intMode`, `tls`, `concurrency`, `timeout`…). */
  clientOptions?: Omit<Config, 'url' | 'authToken'> | undefined;
}

const CONFIG_SCHEMA = { url: { type: 'string', required: true }, authToken: { type: 'string' }, ...SQL_TABLE_CONFIG_FIELDS, ...SERVER_CONFIG_FIELDS } as const;

const IDENTITY: SqlPersisterIdentity = { persister: 'LibSQLPersister', dialect: 'sqlite' };

/**
 * Saves and loads Burr application state in libSQL / Turso through
 * `@libsql/client`, in the table format of Python Burr's `SQLitePersister`
 * (the same SQL as `@burr/persister-sqlite`). Every call is one statement
 * (`client.execute`), never `client.transaction()`, so a `:memory:` database,
 * which lives on a single connection, keeps its data.
 *
 * ```ts
 * await using persister = LibSQLPersister.fromValues({ url: 'file:burr.db' });
 * await persister.initialize();
 * ```
 */
export class LibSQLPersister extends SqlStatePersister {
  readonly #client: Client;
  /** Deadlines and fault translation for a remote database; `undefined` for a local file or `:memory:`. */
  #guard: ConnectionGuard | undefined;

  /**
   * A persister on a client the caller created and keeps: `cleanup()` leaves
   * it open. Throws `InvalidIdentifierError` for an unsafe table name.
   */
  constructor(client: Client, options: LibSQLPersisterOptions = {}) {
    super(IDENTITY, options);
    this.#client = client;
    const timeouts = readConnectionTimeouts('LibSQLPersister', options);
    // A client does not tell its URL: `fromValues()` puts the real host:port in.
    this.#guard = client.protocol === 'file' ? undefined : remoteGuard(`(${client.protocol} server)`, timeouts);
  }

  /** The `@libsql/client` client; when the persister created it, `cleanup()` closes it, so do not close it yourself. */
  get client(): Client {
    return this.#client;
  }

  /**
   * Creates a client for `url` (local files get a 5 s busy timeout) and
   * returns a persister that owns it: `cleanup()` closes it.
   */
  static fromValues(values: LibSQLPersisterValues): LibSQLPersister {
    validateSqlPersisterOptions(IDENTITY, values);
    if (typeof values.url !== 'string' || values.url.length === 0) {
      throw new InvalidPersistArgumentError(`url must be a non-empty string (file:…, :memory:, libsql://…, http(s)://…), got ${JSON.stringify(values.url)}`);
    }
    const { connectTimeoutMs, operationTimeoutMs } = readConnectionTimeouts('LibSQLPersister', values);
    const client = createClient({
      timeout: DEFAULT_BUSY_TIMEOUT_MS,
      // Over HTTP each request ends at the deadline, so no socket to a server that stopped answering outlives it.
      fetch: fetchWithDeadline(connectTimeoutMs + operationTimeoutMs),
      ...values.clientOptions,
      url: values.url,
      authToken: values.authToken,
    });
    const persister = new LibSQLPersister(client, values);
    persister.takeOwnershipOfClient();
    if (persister.#guard) persister.#guard = remoteGuard(remoteAddress(values.url), persister.#guard.timeouts);
    return persister;
  }

  /**
   * {@link LibSQLPersister.fromValues} from a plain config object (e.g. parsed
   * JSON); unknown keys and wrong types throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): LibSQLPersister {
    const values = readPersisterConfig('LibSQLPersister', config, CONFIG_SCHEMA);
    return LibSQLPersister.fromValues({ ...values, clientOptions: values.clientOptions as LibSQLPersisterValues['clientOptions'] });
  }

  protected override async createSchema(): Promise<void> {
    // A local file this persister opened is switched to WAL (a property of the file) so readers do not block the writer.
    if (this.ownsClient && this.#client.protocol === 'file') await this.execute('PRAGMA journal_mode = WAL', []);
    // Each statement is IF NOT EXISTS: on a table Python Burr made, only missing indexes are added.
    await super.createSchema();
  }

  protected async execute(sql: string, params: readonly SqlParam[]): Promise<number> {
    return (await this.#run({ sql, args: [...params] })).rowsAffected;
  }

  /** One batch in write mode: libSQL runs it as one transaction, locally and over the network alike. */
  protected async executeInTransaction(statements: readonly SqlStatement[]): Promise<number[]> {
    const batch = statements.map(({ sql, params }) => ({ sql, args: [...params] }));
    const results = await (this.#guard ? this.#guard.run(() => this.#client.batch(batch, 'write')) : this.#client.batch(batch, 'write'));
    return results.map((result) => result.rowsAffected);
  }

  /** sqld does not accept VACUUM over its protocol: a remote database is left to its server, with the sizes unknown. */
  protected override async compactStore(): Promise<CompactReport> {
    if (this.#client.protocol === 'file') return super.compactStore();
    return {
      bytesBefore: null,
      bytesAfter: null,
      performed: [],
      advice: ['A remote libSQL server (sqld, Turso) manages its own storage: VACUUM is not available over its protocol.'],
    };
  }

  protected async fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]> {
    return (await this.#run({ sql, args: [...params] })).rows;
  }

  protected isUniqueViolation(error: unknown): boolean {
    return isPrimaryKeyViolation(error);
  }

  protected isMissingTable(error: unknown): boolean {
    return isMissingTable(error);
  }

  protected async closeClient(): Promise<void> {
    this.#client.close();
    // Native statements of a local file keep its descriptors open until collected.
    if (this.#client.protocol === 'file') await collectReleasedHandles();
  }

  /** One statement, under the remote deadline when there is one. */
  #run(statement: InStatement) {
    return this.#guard ? this.#guard.run(() => this.#client.execute(statement)) : this.#client.execute(statement);
  }
}

/** `host:port` of a remote database URL, never its credentials. */
function remoteAddress(url: string): string {
  const https = /^(libsql|https|wss):/i.test(url);
  return addressOf(url.replace(/^libsql:/i, 'https:'), https ? 443 : 80);
}

function remoteGuard(address: string, timeouts: ConnectionTimeouts): ConnectionGuard {
  return new ConnectionGuard({ backend: 'libSQL', address, classify: libsqlFaultReason, ...timeouts });
}

/** The global `fetch`, each request aborted after `ms` (a `TimeoutError`) unless it has finished. */
function fetchWithDeadline(ms: number) {
  return (input: string | URL | Request, init: RequestInit = {}) => {
    const deadline = AbortSignal.timeout(ms);
    return fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
}
