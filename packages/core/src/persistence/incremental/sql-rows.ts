import { InvalidPersistArgumentError, type PersisterConflictError } from '../../errors.js';
import type { StateRecord } from '../record-persister.js';
import type { SqlDialectSettings } from '../sql-dialects.js';
import type { SaveTime } from '../timestamps.js';
import type { StepRemoval } from '../stored-history.js';
import type { StepKey } from '../validate.js';
import type { ChainQuery, DeltaBase, Dependent, IncrementalRecord, IncrementalRows, StoredIncrementalRecord } from './rows.js';
import type { IncrementalSqlStatements } from './sql-statements.js';

/** A statement parameter (the SQL persisters send text and integers). */
type Param = string | number;

/** What {@link SqlIncrementalRows} runs on: the SQL persister's own primitives. */
export interface SqlRowsPrimitives {
  dialect: SqlDialectSettings;
  /** Runs a statement; resolves to the rows it changed. A missing table is `PersisterNotInitializedError`. */
  change(sql: string, params: Param[]): Promise<number>;
  /** Runs a query; rows as positional values. A missing table is `PersisterNotInitializedError`. */
  select(sql: string, params: Param[]): Promise<ArrayLike<unknown>[]>;
  /** Inserts a snapshot the way a full-mode record is inserted (the backend's checks included). */
  insertSnapshot(record: StateRecord): Promise<void>;
  /** The insert's parameters for `record` (partition_key .. created_at), checked and converted by the backend. */
  insertParams(record: StateRecord): Param[];
  /** Refuses a state text the backend cannot take, before the write (`StateTooLargeError`); a promise only when it asks the server. */
  assertStateFits(state: string): Promise<void> | undefined;
  isUniqueViolation(error: unknown): boolean;
  conflict(key: StepKey, cause: unknown): PersisterConflictError;
  /** Whether a step with these key parts could be stored at all (text the columns hold, a sequence id in range). */
  couldBeStored(key: { partitionKey: string; appId: string; sequenceId: number | null }): boolean;
}

/** {@link IncrementalRows} for every SQL dialect, over the statements of `incrementalSqlStatements`. */
export class SqlIncrementalRows implements IncrementalRows {
  readonly #statements: IncrementalSqlStatements;
  readonly #sql: SqlRowsPrimitives;

  constructor(statements: IncrementalSqlStatements, primitives: SqlRowsPrimitives) {
    this.#statements = statements;
    this.#sql = primitives;
  }

  async insert(record: IncrementalRecord): Promise<boolean> {
    const { base, ...row } = record;
    if (!base) {
      await this.#sql.insertSnapshot(row);
      return true;
    }
    const max = this.#sql.dialect.maxSequenceId;
    if (max !== undefined && record.sequenceId > max) {
      throw new InvalidPersistArgumentError(`sequenceId ${record.sequenceId} does not fit the table's INTEGER column (at most ${max})`);
    }
    const checking = this.#sql.assertStateFits(record.state);
    if (checking) await checking;
    const params = [
      ...this.#sql.insertParams(row),
      base.sequenceId,
      base.position,
      record.partitionKey,
      record.appId,
      base.sequenceId,
      base.position,
      this.#sql.dialect.createdAtParam(base),
    ];
    try {
      return (await this.#sql.change(this.#statements.insertDelta, params)) > 0;
    } catch (error) {
      if (this.#sql.isUniqueViolation(error)) throw this.#sql.conflict(record, error);
      throw error;
    }
  }

  async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
    if (!this.#sql.couldBeStored({ ...query, sequenceId: null })) return [];
    const { partitionKey: pk, appId } = query;
    const latest = query.to === null || query.from === null;
    const to = latest ? 0 : this.#inRange(query.to!);
    const rows = latest
      ? await this.#sql.select(this.#statements.selectLatestChain, [pk, appId, pk, appId, pk, appId, pk, appId, pk, appId, pk, appId])
      : await this.#sql.select(this.#statements.selectChain, [to, to, pk, appId, to, pk, appId, this.#inRange(query.from!)]);
    return rows.map((row) => ({
      sequenceId: row[0] as StoredIncrementalRecord['sequenceId'],
      position: String(row[1]),
      status: row[2] === null || row[2] === undefined ? null : String(row[2]),
      baseSequenceId: row[3] === null || row[3] === undefined ? null : (row[3] as StoredIncrementalRecord['sequenceId']),
      basePosition: row[4] === null || row[4] === undefined ? null : String(row[4]),
      createdAt: row[5] as StoredIncrementalRecord['createdAt'],
      // Checked by the reader: a row without state text is reported as corrupt.
      state: row[6] as string,
    }));
  }

  async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
    const { partitionKey, appId, toSequenceId: to } = removal;
    const cutoff = removal.createdBefore && this.#sql.dialect.createdAtParam(removal.createdBefore);
    const params: Param[] = this.#deltasOnRange(removal, window);
    if (cutoff !== undefined) params.push(cutoff);
    params.push(to);
    if (cutoff !== undefined) params.push(cutoff);
    const rows = await this.#sql.select(this.#statements.selectDependents(cutoff !== undefined), params);
    return rows.map((row) => ({
      partitionKey,
      appId,
      sequenceId: Number(row[0]),
      position: String(row[1]),
      base: { sequenceId: Number(row[2]), position: String(row[3]) },
    }));
  }

  async rewriteAsSnapshot(row: StepKey & SaveTime, base: DeltaBase, state: string): Promise<boolean> {
    // The backend's insert parameters check and convert the state text (PostgreSQL's JSONB); only that one is used.
    const stateParam = this.#sql.insertParams({ ...row, status: 'completed', state })[5]!;
    await this.#sql.assertStateFits(state);
    const params = [stateParam, row.partitionKey, row.appId, row.sequenceId, row.position, base.sequenceId, base.position, this.#sql.dialect.createdAtParam(row)];
    return (await this.#sql.change(this.#statements.rewriteAsSnapshot, params)) > 0;
  }

  /**
   * The statement that, run after `removal`'s delete in its transaction,
   * fails on the primary key when a delta saved meanwhile lost its base (see
   * `IncrementalSqlStatements.orphanGuard`).
   */
  orphanGuard(removal: StepRemoval, window: number): { sql: string; params: Param[] } {
    return { sql: this.#statements.orphanGuard, params: this.#deltasOnRange(removal, window) };
  }

  /** The parameters of `deltasOnRange` in the statements: the app, the rows within `window` after the removal, their bases in it. */
  #deltasOnRange({ partitionKey, appId, fromSequenceId: from, toSequenceId: to }: StepRemoval, window: number): Param[] {
    return [partitionKey, appId, from, this.#inRange(to + window), from, to];
  }

  /** A sequence id bound within the column's range: past its maximum, the maximum selects the same rows. */
  #inRange(sequenceId: number): number {
    const max = this.#sql.dialect.maxSequenceId;
    return max !== undefined && sequenceId > max ? max : sequenceId;
  }
}
