import type Database from 'better-sqlite3';
import {
  SqlStatePersister,
  PERSISTER_CONFIG_FIELDS,
  SQL_TABLE_CONFIG_FIELDS,
  readPersisterConfig,
  validateSqlPersisterOptions,
  type SqlParam,
  type SqlStatement,
  type SqlPersisterIdentity,
  type SqlRowValues,
  type SqlStatePersisterOptions,
} from '@burr/core';
import { openDatabase, retryWhileBusy } from './open-database.js';

/** Options of the {@link SQLitePersister} constructor. */
export interface SQLitePersisterOptions extends SqlStatePersisterOptions {}

/** Arguments of {@link SQLitePersister.fromValues} and keys of {@link SQLitePersister.fromConfig}. */
export interface SQLitePersisterValues extends SQLitePersisterOptions {
  /** Database file; its directory is created when missing. `':memory:'` for a private in-memory database. */
  dbPath: string;
  /** Passed to `new Database()` of better-sqlite3 (`readonly`, `fileMustExist`, `timeout`, `verbose`...). */
  clientOptions?: Database.Options | undefined;
}

const CONFIG_SCHEMA = { dbPath: { type: 'string', required: true }, ...SQL_TABLE_CONFIG_FIELDS, ...PERSISTER_CONFIG_FIELDS } as const;

const IDENTITY: SqlPersisterIdentity = { persister: 'SQLitePersister', dialect: 'sqlite' };

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
export class SQLitePersister extends SqlStatePersister {
  readonly #db: Database.Database;
  /** Statements prepared on first use (preparing needs the table to exist), by SQL text. */
  readonly #prepared = new Map<string, Database.Statement<SqlParam[]>>();

  /**
   * A persister on a connection the caller opened and keeps: `cleanup()`
   * leaves it open. Throws `InvalidIdentifierError` for an unsafe table name.
   */
  constructor(db: Database.Database, options: SQLitePersisterOptions = {}) {
    super(IDENTITY, options);
    this.#db = db;
  }

  /** The better-sqlite3 connection; when the persister opened it, `cleanup()` closes it, so do not close it yourself. */
  get client(): Database.Database {
    return this.#db;
  }

  /**
   * Opens `dbPath` (WAL journal, 5 s busy timeout, `synchronous = NORMAL`) and
   * returns a persister that owns the connection: `cleanup()` closes it.
   */
  static fromValues(values: SQLitePersisterValues): SQLitePersister {
    validateSqlPersisterOptions(IDENTITY, values);
    const persister = new SQLitePersister(openDatabase(values.dbPath, values.clientOptions), values);
    persister.takeOwnershipOfClient();
    return persister;
  }

  /**
   * {@link SQLitePersister.fromValues} from a plain config object (e.g. parsed
   * JSON); unknown keys and wrong types throw `InvalidPersistArgumentError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>): SQLitePersister {
    const values = readPersisterConfig('SQLitePersister', config, CONFIG_SCHEMA);
    return SQLitePersister.fromValues({ ...values, clientOptions: values.clientOptions as Database.Options | undefined });
  }

  protected override async createSchema(): Promise<void> {
    // Each statement is IF NOT EXISTS: on a table Python Burr made, only missing indexes are added. One IMMEDIATE
    // transaction takes the write lock first (waiting on the busy timeout), so processes initializing one file at
    // once queue up instead of deadlocking on a read-to-write upgrade.
    const { createSchema, schemaObjectExists, appIndexTableStep, backfillAppIndex } = this.statements;
    const create = this.#db.transaction(() => {
      const lookup = schemaObjectExists[appIndexTableStep]!;
      const appIndexExisted = this.#db.prepare(lookup.sql).get(...lookup.params) !== undefined;
      for (const statement of createSchema) this.#db.exec(statement);
      // A table made before the app index existed (by Python Burr, or an earlier version): index its apps once.
      if (!appIndexExisted) this.#db.exec(backfillAppIndex);
    });
    retryWhileBusy(this.#db, () => create.immediate());
  }

  protected async execute(sql: string, params: readonly SqlParam[]): Promise<number> {
    return this.#statement(sql).run(...params).changes;
  }

  protected async executeInTransaction(statements: readonly SqlStatement[]): Promise<number[]> {
    const run = this.#db.transaction(() => statements.map(({ sql, params }) => this.#statement(sql).run(...params).changes));
    return run.immediate();
  }

  protected async fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]> {
    return this.#statement(sql)
      .raw()
      .all(...params) as SqlRowValues[];
  }

  protected isUniqueViolation(error: unknown): boolean {
    return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }

  protected isMissingTable(error: unknown): boolean {
    return error instanceof Error && /no such table/.test(error.message);
  }

  protected async closeClient(): Promise<void> {
    this.#db.close();
  }

  #statement(sql: string): Database.Statement<SqlParam[]> {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare<SqlParam[]>(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }
}
