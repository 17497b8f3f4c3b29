import { DeserializationError, InvalidPersistArgumentError, type PersisterConflictError } from '../../errors.js';
import type { StateRecord } from '../record-persister.js';
import type { SqlDialectSettings } from '../sql-dialects.js';
import type { SaveTime } from '../timestamps.js';
import type { StepKey } from '../validate.js';
import type { StepQuery, StepRemoval, StoredStepSummary } from '../stored-history.js';
import { packedRecords } from './packed-records.js';
import { packedStepsPage, utf8Order, type SegmentPageShape } from './sql-packed-steps.js';
import type { ChainQuery, DeltaBase, Dependent, IncrementalRecord, IncrementalRows, StoredIncrementalRecord } from './rows.js';
import type { SqlStatement as Statement } from '../sql-persister.js';
import { MAX_SEGMENT_STEPS, type SegmentStatements } from './sql-segments.js';
import type { ChainParam, ChainStatement, IncrementalSqlStatements } from './sql-statements.js';

/** A statement parameter (the SQL persisters send text and integers). */
type Param = string | number;

/** What {@link SqlIncrementalRows} runs on: the SQL persister's own primitives. */
export interface SqlRowsPrimitives {
  dialect: SqlDialectSettings;
  /** Runs a statement; resolves to the rows it changed. A missing table is `PersisterNotInitializedError`. */
  change(sql: string, params: readonly Param[]): Promise<number>;
  /** Runs a query; rows as positional values. A missing table is `PersisterNotInitializedError`. */
  select(sql: string, params: Param[]): Promise<ArrayLike<unknown>[]>;
  /** Runs statements in one transaction; resolves to the rows each changed. A missing table is `PersisterNotInitializedError`. */
  transaction(statements: Statement[]): Promise<number[]>;
  /** Deltas of how many sequence ids a save packs into one segment (see `SegmentStatements`); 1 packs none. */
  segmentSteps: number;
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
  readonly #segments: SegmentStatements;
  readonly #sql: SqlRowsPrimitives;

  constructor(statements: IncrementalSqlStatements, primitives: SqlRowsPrimitives) {
    this.#statements = statements;
    this.#segments = statements.segments;
    this.#sql = primitives;
  }

  #deltaParams(record: IncrementalRecord, base: DeltaBase & SaveTime): Param[] {
    const { base: _, ...row } = record;
    return [
      ...this.#sql.insertParams(row),
      base.sequenceId,
      base.position,
      record.partitionKey,
      record.appId,
      base.sequenceId,
      base.position,
      this.#sql.dialect.createdAtParam(base),
    ];
  }

  /**
   * Inserts `record`, guarded against a segment that covers its sequence id
   * (a fork in place, a retry, a prune that left a segment above the rows):
   * the guard fails as a unique violation, the segment is unpacked and the
   * insert tried again. A delta whose base lies in an earlier range of
   * `segmentSteps` sequence ids than its own then seals that range's deltas
   * into a segment (in the insert's transaction on SQLite, right after it
   * elsewhere).
   */
  async insert(record: IncrementalRecord): Promise<boolean> {
    const segments = this.#segments;
    const { base, ...row } = record;
    const max = this.#sql.dialect.maxSequenceId;
    if (max !== undefined && record.sequenceId > max) {
      throw new InvalidPersistArgumentError(`sequenceId ${record.sequenceId} does not fit the table's INTEGER column (at most ${max})`);
    }
    const checking = this.#sql.assertStateFits(record.state);
    if (checking) await checking;
    const { partitionKey: pk, appId, sequenceId, position } = record;
    const insert: Statement = base
      ? { sql: this.#statements.insertDelta, params: this.#deltaParams(record, base) }
      : { sql: this.#statements.table.insert, params: this.#sql.insertParams(row) };
    // The range of segmentSteps sequence ids below this step's, when the delta's base lies below this step's range: a
    // chat's save at 64n seals 64(n-1)..64n-1. One range, aligned: a base further down leaves its range as rows. A
    // snapshot seals nothing: it may be another persister's (a restart), whose seal would pack the base of the delta
    // the first persister saves next, which then finds no base row and is stored as a snapshot.
    const width = this.#sql.segmentSteps;
    const rangeStart = Math.floor(sequenceId / width) * width;
    const seal = base && width > 1 && rangeStart >= width && base.sequenceId < rangeStart ? segments.seal(pk, appId, rangeStart - width, rangeStart - 1) : [];
    for (let attempt = 1; ; attempt++) {
      try {
        if (segments.coveredGuard === undefined) {
          // The insert trigger guards it: a save stays one statement (a seal, once in segmentSteps saves, a transaction of its own).
          const inserted = await this.#sql.change(insert.sql, insert.params);
          if (inserted > 0 && seal.length > 0) await this.#sql.transaction(seal);
          return inserted > 0;
        }
        // The seal right after the insert: its first statement packs only when the insert stored the delta.
        const guard = { sql: segments.coveredGuard, params: [pk, appId, sequenceId, sequenceId, pk, appId, sequenceId, position] };
        const [inserted] = await this.#sql.transaction([insert, ...seal, guard]);
        return (inserted ?? 0) > 0;
      } catch (error) {
        if (!this.#sql.isUniqueViolation(error)) throw error;
        // Unpacked, a step stored in the segment is a row: the next attempt meets it as the conflict it is.
        if (attempt === 1 && (await this.#unpack(pk, appId, sequenceId, sequenceId)) > 0) continue;
        throw this.#sql.conflict(record, error);
      }
    }
  }

  /**
   * Turns the segments of an app that overlap `from`..`to` back into rows,
   * each in a transaction that re-inserts its rows only if it deleted the
   * segment (another process may have unpacked or removed it meanwhile).
   * Resolves to how many segments it found.
   */
  async #unpack(partitionKey: string, appId: string, from: number, to: number): Promise<number> {
    const segments = this.#segments;
    const found = await this.#sql.select(segments.selectOverlapping, [partitionKey, appId, this.#inRange(from), this.#inRange(from) - MAX_SEGMENT_STEPS, this.#inRange(to)]);
    for (const segment of found) {
      const [first, last, records] = [segment[0], segment[1], segment[2]];
      const rows: StoredIncrementalRecord[] = [];
      packedRecords(String(records), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, rows);
      const unpacked = rows.map((row) => {
        // A segment's first record names its base in full; the others name it or follow the record before them.
        if (row.basePosition === null)
          throw new DeserializationError(
            `a segment of app ${JSON.stringify(appId)} from sequence id ${String(first)} has a delta without its base at sequence id ${String(row.sequenceId)}`,
          );
        return {
          sequenceId: Number(row.sequenceId),
          position: row.position,
          status: String(row.status),
          state: row.state,
          createdAt: String(row.createdAt),
          baseSequenceId: Number(row.baseSequenceId),
          basePosition: row.basePosition,
        };
      });
      // On PostgreSQL with the app's shared lock, as a delta's insert: a deleteApp, which takes it exclusively, sees either the
      // segment or its rows, never neither.
      const lock = this.#statements.lockAppShared ? [{ sql: this.#statements.lockAppShared, params: [partitionKey, appId] }] : [];
      await this.#sql.transaction([...lock, ...segments.unpack(partitionKey, appId, Number(first), Number(last), unpacked, String(records))]);
    }
    return found.length;
  }

  async findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
    if (!this.#sql.couldBeStored({ ...query, sequenceId: null })) return [];
    return this.#chainBesideSegments(query);
  }

  /**
   * The chain's rows and its segments' records, in order: one statement, so
   * one consistent read of both (a seal moves rows into a segment).
   */
  async #chainBesideSegments(query: ChainQuery): Promise<StoredIncrementalRecord[]> {
    const latest = query.to === null || query.from === null;
    const statement: ChainStatement = latest ? this.#statements.selectLatestChain : this.#statements.selectChain;
    const values: Record<ChainParam, Param> = {
      partitionKey: query.partitionKey,
      appId: query.appId,
      to: latest ? 0 : this.#inRange(query.to!),
      from: latest ? 0 : this.#inRange(query.from!),
    };
    const found = await this.#sql.select(
      statement.sql,
      statement.params.map((name) => values[name]),
    );
    const rows: StoredIncrementalRecord[] = [];
    let packed = false;
    for (const row of found) {
      if (row[7] !== null && row[7] !== undefined) {
        // A segment: its records from the chain's snapshot up to its last step, status and save time only there.
        packedRecords(String(row[6]), Number(row[7]) - 1, Number(row[8]), rows, Number(row[8]));
        packed = true;
        continue;
      }
      rows.push(chainRecord(row));
    }
    // In key order, positions of one sequence id too: the loader takes the last row as the latest, the first at an id
    // as that id's. Segments come in order; only a row inside a segment's range (a snapshot) needs the sort.
    if (packed && !inKeyOrder(rows)) rows.sort(compareKeys);
    return rows;
  }

  /**
   * Turns into rows the segments that hold steps a removal of `removal`
   * touches (its range, its dependents within `window`, the step it keeps),
   * so the removal's statements, run on rows, see every one of them.
   */
  async prepareRemoval(removal: StepRemoval, window: number): Promise<void> {
    const { partitionKey, appId, fromSequenceId: from, toSequenceId: to, keptStep } = removal;
    await this.#unpack(partitionKey, appId, from, to + window);
    // The removal's statement checks that the step it keeps is stored, as a row.
    if (keptStep && keptStep.sequenceId > to + window) await this.#unpack(partitionKey, appId, keptStep.sequenceId, keptStep.sequenceId);
  }

  async findDependents(removal: StepRemoval, window: number): Promise<Dependent[]> {
    await this.prepareRemoval(removal, window);
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
   * The statements that, run after `removal`'s delete in its transaction,
   * fail on a primary key when a delta saved meanwhile lost its base (see
   * `IncrementalSqlStatements.orphanGuard`) or a segment sealed meanwhile
   * overlaps the range or its dependents.
   */
  removalGuards(removal: StepRemoval, window: number): Statement[] {
    const { partitionKey, appId, fromSequenceId: from, toSequenceId: to } = removal;
    const orphans = { sql: this.#statements.orphanGuard, params: this.#deltasOnRange(removal, window) };
    // A segment sealed meanwhile over the range would keep steps the removal meant to take, or their dependents.
    return [orphans, { sql: this.#segments.overlapGuard, params: [partitionKey, appId, this.#inRange(to + window), from - MAX_SEGMENT_STEPS, from] }];
  }

  /** The statement removing an app's segments (run in `deleteApp`'s transaction), and how many steps they hold now. */
  async segmentsOfApp(partitionKey: string, appId: string): Promise<{ remove: Statement; steps: number }> {
    const segments = this.#segments;
    const [row] = await this.#sql.select(segments.countApp, [partitionKey, appId]);
    return { remove: { sql: segments.deleteApp, params: [partitionKey, appId] }, steps: Number(row?.[0] ?? 0) };
  }

  /** A page of an app's steps: `rows`, the page the rows alone gave, merged with the steps packed in segments (see {@link packedStepsPage}). */
  withPackedSteps(query: StepQuery, rows: StoredStepSummary[]): Promise<StoredStepSummary[]> {
    const selectPage = (shape: SegmentPageShape, params: Param[]) => this.#sql.select(this.#segments.selectPage(shape), params);
    return packedStepsPage(selectPage, query, rows, { segmentSteps: this.#sql.segmentSteps, inRange: (sequenceId) => this.#inRange(sequenceId) });
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

/** A chain row as a statement returned it (columns of `selectChain`). */
function chainRecord(row: ArrayLike<unknown>): StoredIncrementalRecord {
  return {
    sequenceId: row[0] as StoredIncrementalRecord['sequenceId'],
    position: String(row[1]),
    status: row[2] === null || row[2] === undefined ? null : String(row[2]),
    baseSequenceId: row[3] === null || row[3] === undefined ? null : (row[3] as StoredIncrementalRecord['sequenceId']),
    basePosition: row[4] === null || row[4] === undefined ? null : String(row[4]),
    createdAt: row[5] as StoredIncrementalRecord['createdAt'],
    // Checked by the reader: a row without state text is reported as corrupt.
    state: row[6] as string,
  };
}

function compareKeys(a: StoredIncrementalRecord, b: StoredIncrementalRecord): number {
  return Number(a.sequenceId) - Number(b.sequenceId) || utf8Order(a.position, b.position);
}

function inKeyOrder(rows: readonly StoredIncrementalRecord[]): boolean {
  for (let i = 1; i < rows.length; i++) if (compareKeys(rows[i - 1]!, rows[i]!) > 0) return false;
  return true;
}
