import { createClient, type Client, type Config, type InStatement } from '@libsql/client';
import {
  InvalidPersistArgumentError,
  PersisterNotInitializedError,
  RecordStatePersister,
  burrSqlStatements,
  readPersisterConfig,
  storedRecordFromSqlRow,
  toSqlTimestamp,
  type BurrSqlStatements,
  type RecordQuery,
  type RecordStatePersisterOptions,
  type SerdeKwargs,
  type StateRecord,
  type StoredStateRecord,
} from '@burr/core';
import { isMissingTable, isPrimaryKeyViolation } from './libsql-errors.js';

/** How long a local `file:` connection waits for another one's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options of the {@link LibSQLPersister} constructor. */
export interface LibSQLPersisterOptions extends RecordStatePersisterOptions {
  /** Table holding the steps; lower-case letters, digits and `_`. Default `burr_state`, as in Python Burr. */
  tableName?: string;
}

/** Arguments of {@link LibSQLPersister.fromValues} and keys of {@link LibSQLPersister.fromConfig}. */
export interface LibSQLPersisterValues {
  /** `file:path.db`, `:memory:`, `libsql://…`, `http(s)://…` or `ws(s)://…`. */
  url: string;
  /** Token for a remote database (Turso). */
  authToken?: string;
  /** Default `burr_state`. */
  tableName?: string;
  serdeKwargs?: SerdeKwargs;
  /** Any other `createClient()` option (`intMode`, `tls`, `concurrency`, `timeout`…). */
  clientOptions?: Omit<Config, 'url' | 'authToken'>;
}

const CONFIG_SCHEMA = {
  url: { type: 'string', required: true },
  authToken: { type: 'string' },
  tableName: { type: 'string' },
  serdeKwargs: { type: 'object' },
  clientOptions: { type: 'object' },
} as const;

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
export class LibSQLPersister extends RecordStatePersister {
  /** The table holding the steps. */
  readonly tableName: string;
  readonly #client: Client;
  readonly #sql: BurrSqlStatements;
  #ownsClient = false;

  /**
   * A persister on a client the caller created and keeps: `cleanup()` leaves
   * it open. Throws `InvalidIdentifierError` for an unsafe table name.
   */
  constructor(client: Client, options: LibSQLPersisterOptions = {}) {
    super(options);
    this.tableName = options.tableName ?? 'burr_state';
    this.#sql = burrSqlStatements('sqlite', this.tableName);
    this.#client = client;
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
    // Validate the table name before connecting, so a bad name leaks no client.
    burrSqlStatements('sqlite', values.tableName ?? 'burr_state');
    if (typeof values.url !== 'string' || values.url.length === 0) {
      throw new InvalidPersistArgumentError(`url must be a non-empty string (file:…, :memory:, libsql://…, http(s)://…), got ${JSON.stringify(values.url)}`);
    }
    const client = createClient({ timeout: DEFAULT_BUSY_TIMEOUT_MS, ...values.clientOptions, url: values.url, authToken: values.authToken });
    const persister = new LibSQLPersister(client, values);
    persister.#ownsClient = true;
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

  protected describe(): string {
    return `LibSQLPersister(${JSON.stringify(this.tableName)})`;
  }

  protected async createSchema(): Promise<void> {
    // A local file this persister opened is switched to WAL (a property of the file) so readers do not block the writer.
    if (this.#ownsClient && this.#client.protocol === 'file') await this.#client.execute('PRAGMA journal_mode = WAL');
    // Each statement is IF NOT EXISTS: on a table Python Burr made, only missing indexes are added.
    for (const statement of this.#sql.createSchema) await this.#client.execute(statement);
  }

  protected async schemaExists(): Promise<boolean> {
    const { sql, params } = this.#sql.selectTableExists;
    const result = await this.#client.execute({ sql, args: params });
    return result.rows.length > 0;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const args = [record.partitionKey, record.appId, record.sequenceId, record.position, record.status, record.state, toSqlTimestamp(record.createdAt, record.createdAtMicros)];
    try {
      await this.#client.execute({ sql: this.#sql.insert, args });
    } catch (error) {
      if (isPrimaryKeyViolation(error)) throw this.conflict(record, error);
      throw error;
    }
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    const statement: InStatement =
      query.sequenceId === null
        ? { sql: this.#sql.selectLatest, args: [query.partitionKey, query.appId] }
        : { sql: this.#sql.selectAtSequence, args: [query.partitionKey, query.appId, query.sequenceId] };
    const [row] = await this.#query(statement);
    return row ? storedRecordFromSqlRow(row) : null;
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    const rows = await this.#query({ sql: this.#sql.selectAppIds, args: [partitionKey] });
    return rows.map((row) => String(row.app_id));
  }

  protected async closeOwnedResources(): Promise<void> {
    if (this.#ownsClient) this.#client.close();
  }

  /** Runs a read; a missing table means `initialize()` never ran. */
  async #query(statement: InStatement) {
    try {
      return (await this.#client.execute(statement)).rows;
    } catch (error) {
      if (isMissingTable(error)) throw new PersisterNotInitializedError(this.describe(), `table ${JSON.stringify(this.tableName)} does not exist`);
      throw error;
    }
  }
}
