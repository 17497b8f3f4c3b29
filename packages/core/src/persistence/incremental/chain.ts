import { type ChainRowId, DeserializationError } from '../../errors.js';
import type { SerdeKwargs } from '../../serde/registry.js';
import type { State } from '../../state.js';
import { soundSequenceId, storedSequenceId } from '../history-pages.js';
import { storedStepError } from '../stored-step-error.js';
import type { ChainAccount } from './chain-account.js';
import { chainRowId, ReplayState } from './delta.js';
import type { ChainQuery, IncrementalRows, StoredIncrementalRecord } from './rows.js';

/**
 * A stored row, its numbers checked: the record {@link IncrementalRows.findChain}
 * returned, checked in place (a load reads thousands of rows: copying each
 * into a second object cost about a tenth of the load, with the garbage it
 * left).
 */
export interface ChainRow {
  sequenceId: number;
  position: string;
  status: StoredIncrementalRecord['status'];
  createdAt: StoredIncrementalRecord['createdAt'];
  /** The base of a delta; both `null` for a snapshot. */
  baseSequenceId: number | null;
  basePosition: string | null;
  state: string;
}

/** The key of a row within one app. */
export function rowKey(step: { sequenceId: number; position: string }): string {
  // The sequence id holds no "|", so the first one ends it.
  return `${step.sequenceId}|${step.position}`;
}

/** Where a row was read: the rows read with it, and its index there (its base is usually the row before it). */
export interface RowAt {
  readonly batch: readonly ChainRow[];
  readonly index: number;
}

/**
 * Reads one app's rows for rebuilding steps: keeps every row it has read, so
 * chains that share rows are read once, and fetches a base it has not read
 * (a chain that passes over a snapshot another process wrote) on demand.
 */
export class ChainReader {
  readonly #batches: ChainRow[][] = [];
  /** Rows by key, built only when a row is looked up by key (a chain's base is usually the row before it). */
  #byKey: Map<string, RowAt> | undefined;
  /** Each read's rows by key, built when a chain's base is not the row before it. */
  readonly #batchIndexes = new WeakMap<readonly ChainRow[], Map<string, number>>();
  readonly #source: IncrementalRows;
  readonly partitionKey: string;
  readonly appId: string;

  constructor(source: IncrementalRows, partitionKey: string, appId: string) {
    this.#source = source;
    this.partitionKey = partitionKey;
    this.appId = appId;
  }

  /** Reads the rows of {@link IncrementalRows.findChain} for `from`..`to`, in its order, and keeps them. */
  async fetch(from: number | null, to: number | null): Promise<readonly ChainRow[]> {
    const query: ChainQuery = { partitionKey: this.partitionKey, appId: this.appId, from, to };
    const batch = checkedInPlace(await this.#source.findChain(query));
    this.#batches.push(batch);
    if (this.#byKey) indexBatch(this.#byKey, batch);
    return batch;
  }

  /** Where a row read so far is, by its key. */
  get(sequenceId: number, position: string): RowAt | undefined {
    if (!this.#byKey) {
      this.#byKey = new Map();
      for (const batch of this.#batches) indexBatch(this.#byKey, batch);
    }
    return this.#byKey.get(rowKey({ sequenceId, position }));
  }

  /**
   * The rows the row at `at` is rebuilt from: its snapshot first, that row
   * (as last read) last. The chain is taken from one read: rows of two reads
   * may belong to two runs of the app (deleted and saved again between them),
   * so when a base lies below what the row's read covered, the whole chain is
   * read again, down from that base. Throws {@link BaseNotStoredError} for a
   * base that is not stored, or a row gone by that second read.
   */
  async chainOf(at: RowAt): Promise<ChainRow[]> {
    let target = at;
    for (;;) {
      const batch = target.batch;
      const walked = walkWithinRead(target, () => this.#indexOf(batch));
      if (Array.isArray(walked)) return walked;
      const targetRow = batch[target.index]!;
      // A read covers every row from its first on: a base at or above it is simply not stored.
      if (walked.baseSequenceId! >= batch[0]!.sequenceId) throw baseNotStored(walked);
      const again = await this.fetch(walked.baseSequenceId!, targetRow.sequenceId);
      // A stored base is read from below the first read (from its snapshot, at or below it). A read that starts no
      // lower found no such step: read again, it would only find the same rows.
      const found = this.#indexOf(again).get(rowKey(targetRow));
      if (found === undefined || again[0]!.sequenceId >= batch[0]!.sequenceId) throw baseNotStored(walked);
      target = { batch: again, index: found };
    }
  }

  /** The index of each row of one read, by key. */
  #indexOf(batch: readonly ChainRow[]): Map<string, number> {
    let index = this.#batchIndexes.get(batch);
    if (!index) {
      index = new Map();
      for (let i = 0; i < batch.length; i++) index.set(rowKey(batch[i]!), i);
      this.#batchIndexes.set(batch, index);
    }
    return index;
  }
}

/**
 * Walks down the chain of the row at `at` within its read: the chain, its
 * snapshot first, or the delta whose base that read does not hold. The read's
 * index by key is asked for only when a base is not the row before its delta
 * (building it for a chat's 10,000 rows took a twentieth of a load).
 */
function walkWithinRead(at: RowAt, indexOf: () => Map<string, number>): ChainRow[] | ChainRow {
  const { batch } = at;
  let index = at.index;
  let current = batch[index]!;
  const newestFirst = [current];
  while (current.baseSequenceId !== null) {
    const baseSequenceId = current.baseSequenceId;
    const basePosition = current.basePosition!;
    if (baseSequenceId >= current.sequenceId)
      throw new DeserializationError(`the delta at sequence ${current.sequenceId} names a base at sequence ${baseSequenceId}, not below it`, {
        chainRow: chainRowId('delta', current),
      });
    const before = batch[index - 1];
    if (before && before.sequenceId === baseSequenceId && before.position === basePosition) {
      index--;
    } else {
      const found = indexOf().get(rowKey({ sequenceId: baseSequenceId, position: basePosition }));
      if (found === undefined) return current;
      index = found;
    }
    current = batch[index]!;
    newestFirst.push(current);
  }
  return newestFirst.reverse();
}

function baseNotStored(delta: ChainRow): BaseNotStoredError {
  return new BaseNotStoredError(
    `its chain needs the step at sequence ${delta.sequenceId} (position ${JSON.stringify(delta.position)}) to be applied to the step at sequence ${delta.baseSequenceId}, position ${JSON.stringify(delta.basePosition)}, which is not stored`,
    { chainRow: chainRowId('delta', delta) },
  );
}

/**
 * A delta's base was not found where the rows read before named it. Either
 * the chain is broken, or a prune or delete removed that base between two
 * reads of one load (rewriting the delta as a snapshot first): reading the
 * step again tells.
 */
export class BaseNotStoredError extends DeserializationError {}

function indexBatch(byKey: Map<string, RowAt>, batch: readonly ChainRow[]): void {
  for (let index = 0; index < batch.length; index++) byKey.set(rowKey(batch[index]!), { batch, index });
}

/**
 * Checks the records {@link IncrementalRows.findChain} returned and makes
 * them {@link ChainRow}s in place: sequence ids numbers, a snapshot's base
 * `null`. Errors name the row; the caller adds the step being loaded.
 */
function checkedInPlace(records: StoredIncrementalRecord[]): ChainRow[] {
  for (const record of records) {
    if (record.baseSequenceId === null || record.baseSequenceId === undefined) {
      record.baseSequenceId = null;
      record.basePosition = null;
    } else {
      if (typeof record.basePosition !== 'string')
        throw new DeserializationError(`the delta row at sequence ${String(record.sequenceId)} has no base position`, { chainRow: storedRowId(record, 'delta') });
      record.baseSequenceId = storedSequenceId(record.baseSequenceId);
    }
    if (typeof record.state !== 'string')
      throw new DeserializationError(`the row at sequence ${String(record.sequenceId)} has no state text`, {
        chainRow: storedRowId(record, record.baseSequenceId === null ? 'snapshot' : 'delta'),
      });
    record.sequenceId = storedSequenceId(record.sequenceId);
  }
  // Each record now has the types of a ChainRow.
  return records as unknown as ChainRow[];
}

/** Rebuilds the state of the last row of `chain` (a snapshot first, then deltas in order); counts its deltas in `account`, when given. */
export function replay(chain: readonly ChainRow[], kwargs: SerdeKwargs, account?: ChainAccount): State {
  const snapshot = chain[0];
  if (!snapshot || snapshot.baseSequenceId !== null) throw new DeserializationError('a chain must start with a snapshot');
  const state = new ReplayState(snapshot, kwargs);
  state.apply(chain, kwargs, 1, account);
  return state.toState();
}

/**
 * The JSON text of the last row of `chain` as a snapshot: its values exactly
 * as the chain stores them, decoded by no serde, so a rewrite keeps what the
 * application saved whatever the rewriting persister's serde options.
 */
export function replayStoredJson(chain: readonly ChainRow[]): string {
  const snapshot = chain[0];
  if (!snapshot || snapshot.baseSequenceId !== null) throw new DeserializationError('a chain must start with a snapshot');
  const state = new ReplayState(snapshot, {}, 'stored');
  state.apply(chain, {}, 1);
  return state.toStoredJson();
}

/**
 * Rebuilds several steps of one app, replaying shared chains once: steps are
 * taken in sequence order, and a step whose chain passes through the row the
 * step before it was rebuilt from (that very row, of the same read: a row of
 * another read with its key may be another run's) continues from there.
 */
export async function replayMany(reader: ChainReader, steps: ReadonlyArray<{ sequenceId: number; position: string }>, kwargs: SerdeKwargs): Promise<State[]> {
  const states = new Array<State>(steps.length);
  if (steps.length === 0) return states;
  const order = steps.map((_, i) => i).sort((a, b) => steps[a]!.sequenceId - steps[b]!.sequenceId || a - b);
  await reader.fetch(steps[order[0]!]!.sequenceId, steps[order[order.length - 1]!]!.sequenceId);
  let current: { state: ReplayState; at: ChainRow } | undefined;
  for (const index of order) {
    const step = steps[index]!;
    try {
      const at = reader.get(step.sequenceId, step.position);
      if (!at) throw new DeserializationError('the step is no longer stored (removed while it was being listed)');
      const chain = await reader.chainOf(at);
      const resumeAt = current ? chain.indexOf(current.at) : -1;
      const state = resumeAt >= 0 ? current!.state : new ReplayState(chain[0]!, kwargs);
      if (resumeAt < 0 && chain[0]!.baseSequenceId !== null) throw new DeserializationError('a chain must start with a snapshot');
      state.apply(chain, kwargs, resumeAt >= 0 ? resumeAt + 1 : 1);
      states[index] = state.toState();
      current = { state, at: chain[chain.length - 1]! };
    } catch (error) {
      throw storedStepError({ partitionKey: reader.partitionKey, appId: reader.appId, sequenceId: step.sequenceId }, error);
    }
  }
  return states;
}

/** A record not checked yet, as a {@link DeserializationError} names it: only when its sequence id and position are sound. */
function storedRowId(record: StoredIncrementalRecord, kind: ChainRowId['kind']): ChainRowId | undefined {
  const sequenceId = soundSequenceId(record.sequenceId);
  return sequenceId !== undefined && typeof record.position === 'string' ? chainRowId(kind, { sequenceId, position: record.position }) : undefined;
}
