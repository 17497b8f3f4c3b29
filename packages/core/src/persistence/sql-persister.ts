import { InvalidPersistArgumentError, PersisterNotInitializedError } from '../errors.js';
import { readConnectionTimeouts, type ConnectionTimeoutOptions } from './connection-faults.js';
import { RecordStatePersister, type RecordQuery, type RecordStatePersisterOptions, type StateRecord, type StoredStateRecord } from './record-persister.js';
import { BURR_SQL_COLUMNS, DEFAULT_SQL_TABLE_NAME, burrSqlStatements, type BurrSqlStatements } from './sql.js';
import { SQL_DIALECTS, type BurrSqlDialect, type SqlDialectSettings } from './sql-dialects.js';
import { storedRecordFromSqlRow } from './sql-row.js';
import type { StepKey } from './validate.js';

/** A statement parameter: the persister sends only text and integers. */
export type SqlParam = string | number;

/** One result row as positional values, in the order the statement selects them (arrays and libSQL rows fit). */
export type SqlRowValues = ArrayLike<unknown>;

/** How long a local SQLite connection waits for another one's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options every {@link SqlStatePersister} takes. */
export interface SqlStatePersisterOptions extends RecordStatePersisterOptions {
  /** Table holding the steps; lower-case letters, digits and `_`. Default `burr_state`, as in Python Burr. */
  tableName?: string;
}

/** What a {@link SqlStatePersister} subclass tells the base about itself. */
export interface SqlPersisterIdentity {
  /** Class name for error messages, e.g. `SQLitePersister`. */
  persister: string;
  dialect: BurrSqlDialect;
  /** Schema qualifying the table (PostgreSQL). */
  schema?: string | undefined;
}

/**
 * Validates a SQL persister's options (table and schema names, timeouts)
 * without opening anything, so a factory can call it before it creates a
 * client and a bad option leaks no connection. Throws
 * `InvalidIdentifierError` or {@link InvalidPersistArgumentError}.
 */
export function validateSqlPersisterOptions(identity: SqlPersisterIdentity, options: SqlStatePersisterOptions & ConnectionTimeoutOptions): void {
  burrSqlStatements(identity.dialect, options.tableName ?? DEFAULT_SQL_TABLE_NAME, identity.schema);
  readConnectionTimeouts(identity.persister, options);
}

/**
 * The base of the SQL persisters: the Burr table's statements, saves, loads,
 * conflict and missing-table translation are written once here, and a
 * subclass is a thin adapter to one driver. It implements four primitives:
 *
 * - `execute()`: run a statement;
 * - `fetchRows()`: run a query, rows as positional values;
 * - `isUniqueViolation()`: whether an error is a primary-key violation;
 * - `isMissingTable()`: whether an error says the table does not exist;
 *
 * plus `closeClient()`. `createSchema()` and `insertParams()` are hooks for
 * what a backend does differently (transactions and locks, value checks).
 */
export abstract class SqlStatePersister extends RecordStatePersister {
  /** The table holding the steps. */
  readonly tableName: string;
  /** The statements for this table in this dialect. */
  protected readonly statements: BurrSqlStatements;
  protected readonly dialect: SqlDialectSettings;
  readonly #persister: string;

  /** Throws `InvalidIdentifierError` for an unsafe table or schema name. */
  protected constructor(identity: SqlPersisterIdentity, options: SqlStatePersisterOptions = {}) {
    super(options);
    this.tableName = options.tableName ?? DEFAULT_SQL_TABLE_NAME;
    this.statements = burrSqlStatements(identity.dialect, this.tableName, identity.schema);
    this.dialect = SQL_DIALECTS[identity.dialect];
    this.#persister = identity.persister;
  }

  /** Runs a statement that returns no rows. */
  protected abstract execute(sql: string, params: readonly SqlParam[]): Promise<void>;
  /** Runs a query; each row as positional values in select order. */
  protected abstract fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]>;
  /** Whether `error` is the driver's primary-key (unique) violation. */
  protected abstract isUniqueViolation(error: unknown): boolean;
  /** Whether `error` says the Burr table does not exist. */
  protected abstract isMissingTable(error: unknown): boolean;

  /**
   * Whether the column type can hold `text` (PostgreSQL text cannot hold NUL).
   * A key that cannot be stored was never saved, so reads answer "nothing".
   */
  protected canHoldText(text: string): boolean {
    void text;
    return true;
  }

  /** The insert's parameters (see `BurrSqlStatements.insert`); a backend may check or convert values first. */
  protected insertParams(record: StateRecord): SqlParam[] {
    return [record.partitionKey, record.appId, record.sequenceId, record.position, record.status, record.state, this.dialect.createdAtParam(record)];
  }

  protected describe(): string {
    return `${this.#persister}(${this.statements.table})`;
  }

  /** Runs the DDL in order; with `checkBeforeCreate`, only for objects that do not exist. */
  protected async createSchema(): Promise<void> {
    const { createSchema, schemaObjectExists } = this.statements;
    for (const [i, statement] of createSchema.entries()) {
      if (this.dialect.checkBeforeCreate) {
        const lookup = schemaObjectExists[i]!;
        if ((await this.fetchRows(lookup.sql, lookup.params)).length > 0) continue;
      }
      await this.execute(statement, []);
    }
  }

  protected async schemaExists(): Promise<boolean> {
    const { sql, params } = this.statements.selectTableExists;
    return (await this.fetchRows(sql, params)).length > 0;
  }

  protected async insertRecord(record: StateRecord): Promise<void> {
    const max = this.dialect.maxSequenceId;
    if (max !== undefined && record.sequenceId > max) {
      throw new InvalidPersistArgumentError(`sequenceId ${record.sequenceId} does not fit the table's INTEGER column (at most ${max})`);
    }
    const params = this.insertParams(record);
    try {
      await this.execute(this.statements.insert, params);
    } catch (error) {
      if (this.isUniqueViolation(error)) throw this.conflict(record, error);
      throw this.#notInitializedOr(error);
    }
  }

  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    if (!this.#couldBeStored(query)) return null;
    const rows =
      query.sequenceId === null
        ? await this.#select(this.statements.selectLatest, [query.partitionKey, query.appId])
        : await this.#select(this.statements.selectAtSequence, [query.partitionKey, query.appId, query.sequenceId]);
    return rows[0] ? toStoredRecord(rows[0]) : null;
  }

  /** One indexed lookup of the exact key, so an identical re-save of any position is idempotent. */
  protected override async findRecordAt(key: StepKey): Promise<StoredStateRecord | null> {
    if (!this.#couldBeStored(key) || !this.canHoldText(key.position)) return null;
    const [row] = await this.#select(this.statements.selectAtKey, [key.partitionKey, key.appId, key.sequenceId, key.position]);
    return row ? toStoredRecord(row) : null;
  }

  protected async findAppIds(partitionKey: string): Promise<string[]> {
    if (!this.canHoldText(partitionKey)) return [];
    const rows = await this.#select(this.statements.selectAppIds, [partitionKey]);
    return rows.map((row) => String(row[0]));
  }

  #couldBeStored(query: RecordQuery): boolean {
    const max = this.dialect.maxSequenceId;
    if (max !== undefined && query.sequenceId !== null && query.sequenceId > max) return false;
    return this.canHoldText(query.partitionKey) && this.canHoldText(query.appId);
  }

  async #select(sql: string, params: SqlParam[]): Promise<SqlRowValues[]> {
    try {
      return await this.fetchRows(sql, params);
    } catch (error) {
      throw this.#notInitializedOr(error);
    }
  }

  #notInitializedOr(error: unknown): unknown {
    if (!this.isMissingTable(error)) return error;
    return new PersisterNotInitializedError(this.describe(), `table ${this.statements.table} does not exist`);
  }
}

function toStoredRecord(row: SqlRowValues): StoredStateRecord {
  return storedRecordFromSqlRow(Object.fromEntries(BURR_SQL_COLUMNS.map((column, i) => [column, row[i]])));
}
