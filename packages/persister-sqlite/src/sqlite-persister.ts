import type Database from 'better-sqlite3';
import {
  PersisterNotInitializedError,
  RecordStatePersister,
  burrSqlStatements,
  readPersisterConfig,
  storedRecordFromSqlRow,
  toSqlTimestamp,
  type BurrSqlRow,
  type BurrSqlStatements,
  type RecordQuery,
  type RecordStatePersisterOptions,
  type SerdeKwargs,
  type StateRecord,
  type StoredStateRecord,
} from '@burr/core';
import { openDatabase, retryWhileBusy } from './open-database.js';

/** Options of the {@link SQLitePersister} constructor. */
export interface SQLitePersisterOptions extends RecordStatePersisterOptions {
  /** Table holding the steps; lower-case letters, digits and `_`. Default `burr_state`, as in Python Burr. */
  tableName?: string;
}

/** Arguments of {@link SQLitePersister.fromValues} and keys of {@link SQLitePersister.fromConfig}. */
export interface SQLitePersisterValues {
  /** Database file; its directory is created when missing. `':memory:'` for a private in-memory database. */
  dbPath: string;
  /** Default `burr_state`. */
  tableName?: string;
  serdeKwargs?: SerdeKwargs;
  /** Passed to `new Database()` of better-sqlite3 (`readonly`, `fileMustExist`, `timeout`, `verbose`...). */
  connectOptions?: Database.Options;
}

const CONFIG_SCHEMA = {
  dbPath: { type: 'string', required: true },
  tableName: { type: 'string' },
  serdeKwargs: { type: 'object' },
  connectOptions: { type: 'object' },
} as const;

interface PreparedStatements {
  insert: Database.Statement<unknown[], void>;
  selectLatest: Database.Statement<[string, string], BurrSqlRow>;
  selectAtSequence: Database.Statement<[string, string, number], BurrSqlRow>;
  selectAppIds: Database.Statement<[string], string>;
}

/**
 * Saves and loads Burr application state in SQLite through better-sqlite3,
 * in the table format of Python Burr's `SQLitePersister`: either side reads
 * what the other wrote, and an existing Python table is used as it is.
 *
 * ```ts
 * await using persister = SQLitePersister.fromValues({ dbPath: './burr.db' });
 * await persister.initialize();
 * ```
 */
export class SQLitePersister extends RecordStatePersister {
  /** The table holding the steps. */
  readonly tableName: string;
  readonly #db: Database.Database;
  readonly #sql: BurrSqlStatements;
  #ownsConnection = false;
  #statements: PreparedStatements | undefined;

  /**
   * A persister on a connection the caller opened and keeps: `cleanup()`
   * leaves it open. Throws `InvalidIdentifierError` for an unsafe table name.
   */
  constructor(db: Database.Database, options: SQLitePersisterOptions = {}) {
    super(options);
    this.tableName = options.tableName ?? 'burr_state';
    this.#sql = burrSqlStatements('sqlite', this.tableName);
    this.#db = db;
  }

  /** The better-sqlite3 connection; when the persister opened it, `cleanup()` closes it, so do not close it yourself. */
  get connection(): Database.Database {
    return this.#db;
  }

  /**
   * Opens `dbPath` (WAL journal, 5 s busy timeout, `synchronous = NORMAL`) and
   * returns a persister that owns the connection: `cleanup()` closes it.
   */
  static fromValues(values: SQLitePersisterValues): SQLitePersister {
    // Validate the table name before opening anything, so a bad name leaks no connection.
    burrSqlStatements('sqlite', values.tableName ?? 'burr_state');
    const persister = new SQLitePersister(openDatabase(values.dbPath, values.connectOptions), values);
    persister.#ownsConnection = true;
    return persister;
  }

  /**
   * {@link SQLitePersister.fromValues} from a plain config object (e.g. parsed
   * JSON); unknown keys and wrong types throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): SQLitePersister {
    const values = readPersisterConfig('SQLitePersister', config, CONFIG_SCHEMA);
    return SQLitePersister.fromValues({ ...values, connectOptions: values.connectOptions as Database.Options | undefined });
  }

  protected describe(): string {
    return `SQLitePersister(${JSON.stringify(this.tableName)})`;
  }

  protected async createSchema(): Promise<void> {
    // Each statement is IF NOT EXISTS: on a table Python Burr made, only missing indexes are added. One IMMEDIATE
    // transaction takes the write lock first (waiting on the busy timeout), so processes initializing one file at
    // once queue up instead of deadlocking on a read-to-write upgrade.
    const create = this.#db.transaction(() => {
      for (const statement of this.#sql.createSchema) this.#db.exec(statement);
    });
    retryWhileBusy(this.#db, () => create.immediate());
  }

  protected async schemaExists(): Promise<boolean> {
    const { sql, params } = this.#sql.selectTableExists;
    return this.#db.prepare(sql).get(...params) !== undefined;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    try {
      this.#prepared().insert.run(
        record.partitionKey,
        record.appId,
        record.sequenceId,
        record.position,
        record.status,
        record.state,
        toSqlTimestamp(record.createdAt, record.createdAtMicros),
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw this.conflict(record, error);
      throw error;
    }
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    const statements = this.#prepared();
    const row =
      query.sequenceId === null
        ? statements.selectLatest.get(query.partitionKey, query.appId)
        : statements.selectAtSequence.get(query.partitionKey, query.appId, query.sequenceId);
    return row ? storedRecordFromSqlRow(row) : null;
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    return this.#prepared().selectAppIds.all(partitionKey);
  }

  protected async closeOwnedResources(): Promise<void> {
    if (this.#ownsConnection) this.#db.close();
  }

  /** Statements are prepared once, on first use: preparing needs the table to exist. */
  #prepared(): PreparedStatements {
    if (this.#statements) return this.#statements;
    try {
      const db = this.#db;
      this.#statements = {
        insert: db.prepare<unknown[], void>(this.#sql.insert),
        selectLatest: db.prepare<[string, string], BurrSqlRow>(this.#sql.selectLatest),
        selectAtSequence: db.prepare<[string, string, number], BurrSqlRow>(this.#sql.selectAtSequence),
        selectAppIds: db.prepare<[string], string>(this.#sql.selectAppIds).pluck(),
      };
    } catch (error) {
      if (/no such table/.test((error as Error).message)) {
        throw new PersisterNotInitializedError(this.describe(), `table ${JSON.stringify(this.tableName)} does not exist`);
      }
      throw error;
    }
    return this.#statements;
  }
}
