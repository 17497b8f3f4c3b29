import { ConcurrentDependentError, InvalidIdentifierError, InvalidPersistArgumentError, PersisterNotInitializedError } from '../errors.js';
import { readConnectionTimeouts, type ConnectionTimeoutOptions, type ConnectionTimeouts } from './connection-faults.js';
import { RecordStatePersister, type RecordQuery, type RecordStatePersisterOptions, type StateRecord, type StoredStateRecord } from './record-persister.js';
import { BURR_SQL_COLUMNS, DEFAULT_SQL_TABLE_NAME, burrSqlStatements, type BurrSqlStatements } from './sql.js';
import { SQL_DIALECTS, type BurrSqlDialect, type SqlDialectSettings } from './sql-dialects.js';
import { storedRecordFromSqlRow } from './sql-row.js';
import type { SqlQuery } from './sql-dialects.js';
import type { CompactReport } from './history.js';
import type { AppQuery, AppScan, StepQuery, StepRemoval, StoredAppSummary, StoredStepSummary } from './stored-history.js';
import type { StepKey } from './validate.js';
import { readStorageOptions, type StorageModeOptions } from './incremental/options.js';
import { SqlIncrementalRows } from './incremental/sql-rows.js';
import { readSegmentSteps } from './incremental/sql-segments.js';
import { appStepProbe, incrementalSqlStatements, MAX_INCREMENTAL_TABLE_NAME_LENGTH, type AppStepProbe } from './incremental/sql-statements.js';

/** A statement parameter: the persister sends only text and integers. */
export type SqlParam = string | number;

/** A statement with its parameters. */
export interface SqlStatement {
  sql: string;
  params: readonly SqlParam[];
}

/** One result row as positional values, in the order the statement selects them (arrays and libSQL rows fit). */
export type SqlRowValues = ArrayLike<unknown>;

/** How long a local SQLite connection waits for another one's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options every {@link SqlStatePersister} takes. */
export interface SqlStatePersisterOptions extends RecordStatePersisterOptions, StorageModeOptions {
  /** Table holding the steps; lower-case letters, digits and `_`. Default `burr_state`, as in Python Burr. */
  tableName?: string | undefined;
  /**
   * Incremental mode: a save packs the deltas of the previous `segmentSteps`
   * sequence ids (`64n` to `64n + 63` by default) into one row of
   * `<table>_incremental_segments` once the app's saves move past them, so a
   * load reads a row per segment instead of a row per step. An integer from
   * 1 (pack nothing) to 256; default 64. Persisters with different values
   * may share a table.
   */
  segmentSteps?: number | undefined;
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
 * client and a bad option leaks no connection. Returns the connection
 * deadlines with their defaults. Throws `InvalidIdentifierError` or
 * {@link InvalidPersistArgumentError}.
 */
export function validateSqlPersisterOptions(identity: SqlPersisterIdentity, options: SqlStatePersisterOptions & ConnectionTimeoutOptions): ConnectionTimeouts {
  const tableName = options.tableName ?? DEFAULT_SQL_TABLE_NAME;
  burrSqlStatements(identity.dialect, tableName, identity.schema);
  if (readStorageOptions(identity.persister, options)) incrementalSqlStatements(identity.dialect, tableName, identity.schema);
  readSegmentSteps(identity.persister, options.segmentSteps, options.storage ?? 'full');
  return readConnectionTimeouts(identity.persister, options);
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
  readonly #schema: string | undefined;
  /** Finds the app's steps in the other storage mode's table (absent when that table cannot exist). */
  readonly #otherMode: AppStepProbe | undefined;
  /** Incremental storage's rows: their `removalGuards` fail a removal when a delta on a removed step was saved meanwhile (see `StepRemoval.keepDependentsWithin`). */
  readonly #incrementalRows: SqlIncrementalRows | undefined;
  /** A listing found the app index in an earlier version's shape (see `BurrSqlStatements.appListingsBeforeUpgrade`). */
  #appIndexNotUpgraded = false;

  /**
   * Throws `InvalidIdentifierError` for an unsafe table or schema name, and
   * `InvalidPersistArgumentError` for bad storage options. With `storage:
   * 'incremental'` the persister works on `<table>_incremental` (see
   * docs/incremental-storage.md in the repository): `statements` are that
   * table's, and a subclass needs no code of its own for the mode.
   */
  protected constructor(identity: SqlPersisterIdentity, options: SqlStatePersisterOptions = {}) {
    super(options);
    this.tableName = options.tableName ?? DEFAULT_SQL_TABLE_NAME;
    this.dialect = SQL_DIALECTS[identity.dialect];
    this.#persister = identity.persister;
    this.#schema = identity.schema;
    const full = burrSqlStatements(identity.dialect, this.tableName, identity.schema);
    const incremental = readStorageOptions(identity.persister, options);
    const segmentSteps = readSegmentSteps(identity.persister, options.segmentSteps, incremental ? 'incremental' : 'full');
    if (!incremental) {
      this.statements = full;
      const incrementalTable = this.tableName.length <= MAX_INCREMENTAL_TABLE_NAME_LENGTH && incrementalSqlStatements(identity.dialect, this.tableName, identity.schema);
      this.#otherMode = incrementalTable ? appStepProbe(identity.dialect, incrementalTable.table) : undefined;
      return;
    }
    const statements = incrementalSqlStatements(identity.dialect, this.tableName, identity.schema);
    this.statements = statements.table;
    this.#otherMode = appStepProbe(identity.dialect, full);
    const rows = new SqlIncrementalRows(statements, {
      dialect: this.dialect,
      change: (sql, params) => this.#change(sql, params),
      select: (sql, params) => this.#select(sql, params),
      transaction: async (statements) => {
        try {
          return await this.executeInTransaction(statements);
        } catch (error) {
          throw this.#notInitializedOr(error);
        }
      },
      segmentSteps,
      insertParams: (record) => this.insertParams(record),
      assertStateFits: (state) => this.assertStateFits(state),
      isUniqueViolation: (error) => this.isUniqueViolation(error),
      conflict: (key, cause) => this.conflict(key, cause),
      couldBeStored: (key) => this.#couldBeStored(key),
    });
    this.#incrementalRows = rows;
    this.useIncrementalStorage(rows, incremental);
  }

  /** One catalog lookup of the other mode's table, and only when it exists, one primary-key lookup. */
  protected override async stepsInOtherStorageMode(partitionKey: string, appId: string): Promise<boolean> {
    const probe = this.#otherMode;
    if (!probe || !this.#couldBeStored({ partitionKey, appId, sequenceId: null })) return false;
    if ((await this.fetchRows(probe.tableExists.sql, probe.tableExists.params)).length === 0) return false;
    return (await this.#select(probe.anyStep, [partitionKey, appId])).length > 0;
  }

  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  protected abstract execute(sql: string, params: readonly SqlParam[]): Promise<number>;
  /**
   * Runs statements in one transaction (all or none); resolves to each one's
   * number of changed rows. Used where two tables must change together.
   */
  protected abstract executeInTransaction(statements: readonly SqlStatement[]): Promise<number[]>;
  /** Runs a query; each row as positional values in select order. */
  protected abstract fetchRows(sql: string, params: readonly SqlParam[]): Promise<SqlRowValues[]>;
  /** Whether `error` is the driver's primary-key (unique) violation. */
  protected abstract isUniqueViolation(error: unknown): boolean;
  /** Whether `error` says the Burr table does not exist. */
  protected abstract isMissingTable(error: unknown): boolean;

  /** Whether an error says a column does not exist (an app index an earlier version made); `false` where none can be missing. */
  protected isMissingColumn(_error: unknown): boolean {
    return false;
  }

  /**
   * Whether a key column can hold `text` (PostgreSQL text cannot hold NUL; MySQL's keys hold at most
   * `maxKeyBytes`). A key that cannot be stored was never saved, so reads answer "nothing".
   */
  protected canHoldText(text: string): boolean {
    const max = this.dialect.maxKeyBytes;
    return max === undefined || Buffer.byteLength(text, 'utf8') <= max;
  }

  /**
   * Refuses, before it is written, a state text the backend cannot take, with
   * `StateTooLargeError`; every write of a state calls it (a step, a delta, a
   * prune's rewrite of a delta as a snapshot). By default every state fits.
   * Returns a promise only when it must ask the server, so a save that needs
   * no check awaits nothing for it.
   */
  protected assertStateFits(_state: string): Promise<void> | undefined {
    return undefined;
  }

  /** The insert's parameters (see `BurrSqlStatements.insert`); a backend may check or convert values first. */
  protected insertParams(record: StateRecord): SqlParam[] {
    const max = this.dialect.maxKeyBytes;
    if (max !== undefined) {
      for (const [kind, value] of [
        ['partition key', record.partitionKey],
        ['app id', record.appId],
        ['position', record.position],
      ] as const) {
        const bytes = Buffer.byteLength(value, 'utf8');
        if (bytes > max) throw new InvalidIdentifierError(kind, `${Array.from(value).slice(0, 32).join('')}…`, `is ${bytes} bytes of UTF-8; the key columns hold at most ${max}`);
      }
    }
    return [record.partitionKey, record.appId, record.sequenceId, record.position, record.status, record.state, this.dialect.createdAtParam(record)];
  }

  protected describe(): string {
    return `${this.#persister}(${this.statements.table})`;
  }

  /** The persister class and the Burr table (schema-qualified), the same in both storage modes. */
  protected override storageLocation(): string {
    return `${this.#persister}(${this.#schema === undefined ? '' : `${this.#schema}.`}${this.tableName})`;
  }

  /** When no step of the app is left, drops its app index entry (in a statement that keeps it if a step came back meanwhile). */
  protected override async dropAppIfEmpty(partitionKey: string, appId: string): Promise<boolean> {
    if (!(await super.dropAppIfEmpty(partitionKey, appId))) return false;
    if (!this.canHoldText(partitionKey) || !this.canHoldText(appId)) return true;
    try {
      await this.execute(this.statements.history.deleteAppIndexEntry, [partitionKey, appId, partitionKey, appId]);
    } catch (error) {
      // A table made by Python Burr and never initialized has no app index: nothing to drop.
      if (!this.isMissingTable(error)) throw error;
    }
    return true;
  }

  /** Runs the DDL in order (see {@link createSqlSchema}); `progress` carries over between attempts of one `initialize()`. */
  protected async createSchema(progress?: { appIndexCreated: boolean }): Promise<void> {
    await createSqlSchema(
      this.statements,
      this.dialect.checkBeforeCreate,
      {
        exists: async ({ sql, params }) => (await this.fetchRows(sql, params)).length > 0,
        run: async (sql) => void (await this.execute(sql, [])),
      },
      progress,
    );
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
    const checking = this.assertStateFits(record.state);
    if (checking) await checking;
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

  /**
   * From the app index; on a table that has none yet (Python Burr made it and
   * `initialize()` has not run) from the steps, so a read-only user of a
   * Python database still lists its apps.
   */
  protected async findAppIds(partitionKey: string): Promise<string[]> {
    if (!this.canHoldText(partitionKey)) return [];
    let rows: SqlRowValues[];
    try {
      rows = await this.#appListing(this.statements.selectAppIds, this.statements.appListingsBeforeUpgrade?.selectAppIds, [partitionKey]);
    } catch (error) {
      if (!this.isMissingTable(error)) throw error;
      rows = await this.#select(this.statements.selectAppIdsFromSteps, [partitionKey]);
    }
    return rows.map((row) => String(row[0]));
  }

  /**
   * `sql`, or on an app index that `initialize()` has not upgraded yet (a column missing), `beforeUpgrade`; once one
   * listing found it so, the next ones go straight to `beforeUpgrade`, until `initialize()` runs again.
   */
  async #appListing(sql: string, beforeUpgrade: string | undefined, params: SqlParam[]): Promise<SqlRowValues[]> {
    if (beforeUpgrade !== undefined && this.#appIndexNotUpgraded) return this.fetchRows(beforeUpgrade, params);
    try {
      return await this.fetchRows(sql, params);
    } catch (error) {
      if (beforeUpgrade === undefined || !this.isMissingColumn(error)) throw error;
      this.#appIndexNotUpgraded = true;
      return this.fetchRows(beforeUpgrade, params);
    }
  }

  /** Also lets app listings try the current app index again: this call may have upgraded it. */
  override async initialize(): Promise<void> {
    await super.initialize();
    this.#appIndexNotUpgraded = false;
  }

  protected async findSteps(query: StepQuery): Promise<StoredStepSummary[]> {
    if (!this.#couldBeStored({ ...query, sequenceId: null })) return [];
    const params: SqlParam[] = [query.partitionKey, query.appId];
    const max = this.dialect.maxSequenceId;
    // Bounds beyond the column's range select everything or nothing, without sending a number the column cannot hold.
    if (query.after !== undefined && max !== undefined && query.after >= max) return [];
    const before = query.before !== undefined && (max === undefined || query.before <= max) ? query.before : undefined;
    if (before !== undefined) params.push(before);
    if (query.after !== undefined) params.push(query.after);
    const sql = this.statements.history.selectSteps({
      newestFirst: query.newestFirst,
      hasBefore: before !== undefined,
      hasAfter: query.after !== undefined,
      withState: query.withState,
      withBase: this.storageMode === 'incremental',
      limit: query.limit,
    });
    const rows = await this.#select(sql, params);
    const steps = rows.map((row) => {
      const step: StoredStepSummary = {
        sequenceId: row[0] as StoredStepSummary['sequenceId'],
        position: String(row[1]),
        status: String(row[2]),
        createdAt: row[3] as StoredStepSummary['createdAt'],
        sizeBytes: row[4] as StoredStepSummary['sizeBytes'],
      };
      let next = 5;
      if (this.storageMode === 'incremental') {
        const base = row[next++];
        step.isDelta = base !== null && base !== undefined;
      }
      if (query.withState) step.state = String(row[next]);
      return step;
    });
    return this.#incrementalRows ? this.#incrementalRows.withPackedSteps(query, steps) : steps;
  }

  protected async findApps(query: AppQuery): Promise<StoredAppSummary[]> {
    if (!this.canHoldText(query.partitionKey)) return [];
    const params: SqlParam[] = [query.partitionKey];
    if (query.after) params.push(query.after.savedAtKey, query.after.savedAtKey, query.after.appId);
    const afterCursor = query.after !== undefined;
    let rows: SqlRowValues[];
    try {
      rows = await this.#appListing(
        this.statements.history.selectApps(afterCursor, query.limit),
        this.statements.appListingsBeforeUpgrade?.selectApps(afterCursor, query.limit),
        params,
      );
    } catch (error) {
      throw this.#notInitializedOr(error);
    }
    return rows.map((row) => ({
      appId: String(row[0]),
      lastSequenceId: row[1] as StoredAppSummary['lastSequenceId'],
      lastPosition: String(row[2]),
      lastStatus: String(row[3]),
      lastSavedAt: row[4] as StoredAppSummary['lastSavedAt'],
      savedAtKey: String(row[5]),
    }));
  }

  protected async scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
    if (partitionKey !== null && !this.canHoldText(partitionKey)) return { apps: [], cursor: null };
    const params: SqlParam[] = partitionKey === null ? [] : [partitionKey];
    const after = cursor === null ? undefined : (JSON.parse(cursor) as [string, string]);
    if (after) params.push(...this.statements.history.scanCursorParams(after[0], after[1]));
    const rows = await this.#select(this.statements.history.scanApps(partitionKey !== null, after !== undefined, limit), params);
    const apps = rows.map((row) => ({ partitionKey: String(row[0]), appId: String(row[1]) }));
    const last = apps[apps.length - 1];
    return { apps, cursor: apps.length === limit && last ? JSON.stringify([last.partitionKey, last.appId]) : null };
  }

  /**
   * The app's steps and its index entry in one transaction, so readers see
   * the app whole or gone, in listings too. On a table whose app index does
   * not exist yet (made before it, `initialize()` not run since) the steps
   * alone. Where the dialect locks the app for it (`lockAppForDelete`),
   * the lock comes first, so no delta saved meanwhile outlives its base.
   */
  protected async removeApp(partitionKey: string, appId: string): Promise<number> {
    if (!this.canHoldText(partitionKey) || !this.canHoldText(appId)) return 0;
    const { deleteApp, deleteAppIndexEntry, lockAppForDelete } = this.statements.history;
    const steps: SqlStatement = { sql: deleteApp, params: [partitionKey, appId] };
    const lock: SqlStatement[] = lockAppForDelete === undefined ? [] : [{ sql: lockAppForDelete, params: [partitionKey, appId] }];
    try {
      // Packed steps are counted before the transaction: a seal meanwhile moves steps from rows to segments, and the count misses them.
      const segments = await this.#incrementalRows?.segmentsOfApp(partitionKey, appId).catch((error: unknown) => {
        if (this.isMissingTable(error)) return undefined;
        throw error;
      });
      const packed = segments ? [segments.remove] : [];
      const changed = await this.executeInTransaction([...lock, steps, ...packed, { sql: deleteAppIndexEntry, params: [partitionKey, appId, partitionKey, appId] }]);
      return (changed[lock.length] ?? 0) + (segments && changed[lock.length + 1] ? segments.steps : 0);
    } catch (error) {
      if (!this.isMissingTable(error)) throw error;
      return this.#change(steps.sql, [...steps.params]);
    }
  }

  protected async removeSteps(removal: StepRemoval): Promise<number> {
    const window = removal.keepDependentsWithin;
    const { keptStep } = removal;
    const params: SqlParam[] = [removal.partitionKey, removal.appId, removal.fromSequenceId, removal.toSequenceId];
    if (removal.createdBefore) params.push(this.dialect.createdAtParam(removal.createdBefore));
    if (keptStep) params.push(removal.partitionKey, removal.appId, keptStep.sequenceId, keptStep.position);
    // As selectSteps returned it: text, or a number some other writer stored (SQLite keeps any type).
    const savedAt = keptStep?.createdAt;
    if (savedAt !== null && savedAt !== undefined) params.push(typeof savedAt === 'number' ? savedAt : String(savedAt));
    const kept = keptStep && (keptStep.createdAt === null ? 'unsaved' : 'savedAt');
    const remove = this.statements.history.deleteSteps(removal.createdBefore !== undefined, kept);
    if (window === undefined || this.#incrementalRows === undefined) return this.#change(remove, params);
    try {
      const [removed] = await this.executeInTransaction([{ sql: remove, params }, ...this.#incrementalRows.removalGuards(removal, window)]);
      return removed ?? 0;
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new ConcurrentDependentError(removal, { cause: error });
      throw this.#notInitializedOr(error);
    }
  }

  /** Measures, runs the dialect's compaction statements, measures again. */
  protected override async compactStore(): Promise<CompactReport> {
    const { measure, allowed, run, advice, notAllowed } = this.statements.compaction;
    const bytes = async (): Promise<number | null> => {
      const [row] = await this.#select(measure.sql, measure.params);
      return row?.[0] === null || row?.[0] === undefined ? null : Number(row[0]);
    };
    const bytesBefore = await bytes();
    // A statement the server would skip (VACUUM by a role that does not own the table) is not run, and not reported as run.
    if (allowed && (await this.#select(allowed.sql, allowed.params)).length === 0)
      return { bytesBefore, bytesAfter: bytesBefore, performed: [], advice: [...notAllowed, ...advice] };
    for (const statement of run) await this.#change(statement, []);
    return { bytesBefore, bytesAfter: await bytes(), performed: [...run], advice: [...advice] };
  }

  async #change(sql: string, params: readonly SqlParam[]): Promise<number> {
    try {
      return await this.execute(sql, params);
    } catch (error) {
      throw this.#notInitializedOr(error);
    }
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
    return new PersisterNotInitializedError(this.describe(), `table ${this.statements.table} or its app index ${this.statements.appIndexTable} does not exist`);
  }
}

/** What {@link createSqlSchema} runs its statements with. */
export interface SqlSchemaRunner {
  /** Whether the lookup query returns a row. */
  exists(query: SqlQuery): Promise<boolean>;
  run(sql: string): Promise<void>;
}

/**
 * Runs a Burr table's DDL in order. With `checkEveryObject`, each object is
 * looked up first and created only when missing (PostgreSQL checks the CREATE
 * privilege even for `IF NOT EXISTS`; MySQL lacks `CREATE INDEX IF NOT
 * EXISTS`). The app index table is always looked up: when this call creates
 * it, the steps already stored are indexed, after the trigger exists, so no
 * step is missed; apps already indexed are skipped. A caller that retries a
 * failed attempt passes the same `progress`, so a retry still indexes what
 * the first attempt's new table needs. An app index an earlier version made
 * is brought to this version's shape (`upgradeAppIndex`).
 */
export async function createSqlSchema(
  statements: BurrSqlStatements,
  checkEveryObject: boolean,
  runner: SqlSchemaRunner,
  progress: { appIndexCreated: boolean } = { appIndexCreated: false },
): Promise<void> {
  for (const [step, statement] of statements.createSchema.entries()) {
    const isAppIndexTable = step === statements.appIndexTableStep;
    if ((checkEveryObject || isAppIndexTable) && (await runner.exists(statements.schemaObjectExists[step]!))) continue;
    await runner.run(statement);
    progress.appIndexCreated ||= isAppIndexTable;
  }
  const upgrade = statements.upgradeAppIndex;
  if (upgrade && (await runner.exists(upgrade.needed))) for (const sql of upgrade.run) await runner.run(sql);
  if (progress.appIndexCreated) await runner.run(statements.backfillAppIndex);
}

function toStoredRecord(row: SqlRowValues): StoredStateRecord {
  return storedRecordFromSqlRow(Object.fromEntries(BURR_SQL_COLUMNS.map((column, i) => [column, row[i]])));
}
