import { DeserializationError } from '../../errors.js';
import type { SerdeKwargs } from '../../serde/registry.js';
import type { State } from '../../state.js';
import { storedSequenceId } from '../history-pages.js';
import { storedStepError } from '../stored-step-error.js';
import { ReplayState } from './delta.js';
import type { ChainQuery, DeltaBase, IncrementalRows, StoredIncrementalRecord } from './rows.js';

/** A stored row, its numbers checked. */
export interface ChainRow {
  sequenceId: number;
  position: string;
  status: StoredIncrementalRecord['status'];
  createdAt: StoredIncrementalRecord['createdAt'];
  /** `null` for a snapshot. */
  base: DeltaBase | null;
  state: string;
}

/** The key of a row within one app. */
export function rowKey(step: { sequenceId: number; position: string }): string {
  // The sequence id holds no "|", so the first one ends it.
  return `${step.sequenceId}|${step.position}`;
}

/** A row as the reader keeps it: where it sits among the rows read with it, so its base is usually found next to it. */
export interface ReadRow extends ChainRow {
  readonly batch: readonly ReadRow[];
  readonly index: number;
}

/**
 * Reads one app's rows for rebuilding steps: keeps every row it has read, so
 * chains that share rows are read once, and fetches a base it has not read
 * (a chain that passes over a snapshot another process wrote) on demand.
 */
export class ChainReader {
  readonly #batches: ReadRow[][] = [];
  /** Rows by key, built only when a row is looked up by key (a chain's base is usually the row before it). */
  #byKey: Map<string, ReadRow> | undefined;
  readonly #source: IncrementalRows;
  readonly partitionKey: string;
  readonly appId: string;

  constructor(source: IncrementalRows, partitionKey: string, appId: string) {
    this.#source = source;
    this.partitionKey = partitionKey;
    this.appId = appId;
  }

  /** Reads the rows of {@link IncrementalRows.findChain} for `from`..`to`, in its order, and keeps them. */
  async fetch(from: number | null, to: number | null): Promise<ReadRow[]> {
    const query: ChainQuery = { partitionKey: this.partitionKey, appId: this.appId, from, to };
    const stored = await this.#source.findChain(query);
    const batch: ReadRow[] = [];
    for (const [index, row] of stored.entries()) batch.push(checked(row, batch, index));
    this.#batches.push(batch);
    if (this.#byKey) for (const row of batch) this.#byKey.set(rowKey(row), row);
    return batch;
  }

  /** A row read so far, by its key. */
  get(sequenceId: number, position: string): ReadRow | undefined {
    if (!this.#byKey) {
      this.#byKey = new Map();
      for (const batch of this.#batches) for (const row of batch) this.#byKey.set(rowKey(row), row);
    }
    return this.#byKey.get(rowKey({ sequenceId, position }));
  }

  /** The rows `row` is rebuilt from: its snapshot first, `row` last. Throws {@link DeserializationError} for a base that is not stored. */
  async chainOf(row: ReadRow): Promise<ReadRow[]> {
    const chain = [row];
    let current = row;
    while (current.base !== null) {
      const base: DeltaBase = current.base;
      if (base.sequenceId >= current.sequenceId)
        throw new DeserializationError(`the delta at sequence ${current.sequenceId} names a base at sequence ${base.sequenceId}, not below it`);
      let next = rowBefore(current, base) ?? this.get(base.sequenceId, base.position);
      if (!next) {
        await this.fetch(base.sequenceId, base.sequenceId);
        next = this.get(base.sequenceId, base.position);
      }
      if (!next) {
        throw new DeserializationError(
          `its chain needs the step at sequence ${current.sequenceId} (position ${JSON.stringify(current.position)}) to be applied to the step at sequence ${base.sequenceId}, position ${JSON.stringify(base.position)}, which is not stored`,
        );
      }
      chain.push(next);
      current = next;
    }
    return chain.reverse();
  }
}

/** The row read just before `row`, when it is `base`. */
function rowBefore(row: ReadRow, base: DeltaBase): ReadRow | undefined {
  const before = row.batch[row.index - 1];
  return before && before.sequenceId === base.sequenceId && before.position === base.position ? before : undefined;
}

function checked(stored: StoredIncrementalRecord, batch: readonly ReadRow[], index: number): ReadRow {
  // Errors name the row; the caller adds the step being loaded.
  const isSnapshot = stored.baseSequenceId === null || stored.baseSequenceId === undefined;
  if (!isSnapshot && typeof stored.basePosition !== 'string') throw new DeserializationError(`the delta row at sequence ${String(stored.sequenceId)} has no base position`);
  if (typeof stored.state !== 'string') throw new DeserializationError(`the row at sequence ${String(stored.sequenceId)} has no state text`);
  return {
    sequenceId: storedSequenceId(stored.sequenceId),
    position: stored.position,
    status: stored.status,
    createdAt: stored.createdAt,
    base: isSnapshot ? null : { sequenceId: storedSequenceId(stored.baseSequenceId!), position: stored.basePosition as string },
    state: stored.state,
    batch,
    index,
  };
}

/** Rebuilds the state of the last row of `chain` (a snapshot first, then deltas in order). */
export function replay(chain: readonly ChainRow[], kwargs: SerdeKwargs): State {
  const [snapshot, ...deltas] = chain;
  if (!snapshot || snapshot.base !== null) throw new DeserializationError('a chain must start with a snapshot');
  const state = new ReplayState(snapshot, kwargs);
  state.apply(deltas, kwargs);
  return state.toState();
}

/**
 * Rebuilds several steps of one app, replaying shared chains once: steps are
 * taken in sequence order, and a step whose chain passes through the step
 * rebuilt before it continues from there.
 */
export async function replayMany(reader: ChainReader, steps: ReadonlyArray<{ sequenceId: number; position: string }>, kwargs: SerdeKwargs): Promise<State[]> {
  const states = new Array<State>(steps.length);
  if (steps.length === 0) return states;
  const order = steps.map((_, i) => i).sort((a, b) => steps[a]!.sequenceId - steps[b]!.sequenceId || a - b);
  await reader.fetch(steps[order[0]!]!.sequenceId, steps[order[order.length - 1]!]!.sequenceId);
  let current: { state: ReplayState; at: string } | undefined;
  for (const index of order) {
    const step = steps[index]!;
    try {
      const row = reader.get(step.sequenceId, step.position);
      if (!row) throw new DeserializationError('the step is no longer stored (removed while it was being listed)');
      const chain = await reader.chainOf(row);
      const resumeAt = current ? chain.findIndex((link) => rowKey(link) === current!.at) : -1;
      const state = resumeAt >= 0 ? current!.state : new ReplayState(chain[0]!, kwargs);
      if (resumeAt < 0 && chain[0]!.base !== null) throw new DeserializationError('a chain must start with a snapshot');
      state.apply(chain.slice(resumeAt >= 0 ? resumeAt + 1 : 1), kwargs);
      states[index] = state.toState();
      current = { state, at: rowKey(row) };
    } catch (error) {
      throw storedStepError({ partitionKey: reader.partitionKey, appId: reader.appId, sequenceId: step.sequenceId }, error);
    }
  }
  return states;
}
