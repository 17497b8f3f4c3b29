import { ConcurrentDependentError, DeserializationError, PersisterConflictError } from '../../errors.js';
import type { SerdeKwargs } from '../../serde/registry.js';
import { encodeState, type EncodeStateOptions } from '../../serde/state-codec.js';
import type { State } from '../../state.js';
import type { PersistedStateData, SaveStateArgs } from '../contract.js';
import type { RecordQuery } from '../record-persister.js';
import { sameStateContent } from '../same-content.js';
import type { StepRemoval } from '../stored-history.js';
import { storedStepError } from '../stored-step-error.js';
import { nextSaveTime, parseSaveTime, parseTimestamp, type SaveTime } from '../timestamps.js';
import { isPersistStatus, type StepKey } from '../validate.js';
import { ChainAccount, type ChainCounts } from './chain-account.js';
import { BaseNotStoredError, ChainReader, replay, replayMany, replayStoredJson, type ChainRow } from './chain.js';
import { encodeDelta, savedValues, type DeltaComparison, type EncodedDelta, type SavedValues } from './delta.js';
import { MIN_CHAIN_STEPS, type IncrementalSettings } from './options.js';
import { appKey, LOADED_APPS, LOADED_BYTES, RecentMap } from './recent.js';
import { MAX_BASE_GAP, MIN_DELTA_COST_BYTES, type IncrementalRecord, type IncrementalRows } from './rows.js';

/** How many times a load reads a step whose chain lost a base meanwhile (see {@link IncrementalStorage.load}). */
const MAX_LOAD_ATTEMPTS = 3;

/** How many times a prune's batch looks for dependents (and removes) before it gives up while deltas on its steps keep being saved. */
const MAX_REMOVAL_ATTEMPTS = 5;

/** What the engine needs from the persister it works for. */
export interface IncrementalHost {
  /** The current encoding options (serde kwargs, non-finite numbers). */
  encodeOptions(): EncodeStateOptions;
  serdeKwargs(): SerdeKwargs;
  /** Throws `PersisterNotInitializedError` when the store has no table for the steps. */
  ensureInitialized(): Promise<void>;
  /** Throws `StorageModeMismatchError` when the app has steps in full mode; `undefined` when nothing needs asking. */
  checkStorageMode(partitionKey: string, appId: string): Promise<void> | undefined;
}

/**
 * What the process cache remembers of a step of an app, the base of its next
 * delta: the step a persister saved last, or the latest step it loaded.
 */
interface CachedStep extends ChainCounts {
  sequenceId: number;
  position: string;
  savedAt: SaveTime;
  saved: SavedValues;
  /**
   * How the next save tells an unchanged value: `'identity'` when `saved`
   * holds the saving application's own values, `'value'` when they were
   * loaded (the application building on them may hold copies: a schema's
   * check).
   */
  compare: DeltaComparison;
}

/**
 * The latest step a load found of an app. Its `State` went to whoever loaded
 * it, who may change its values in place: they vouch only by identity (see
 * `SavedValues`), and what equals them by value is checked on the step
 * rebuilt from its `chain`.
 */
interface LoadedStep extends ChainCounts {
  sequenceId: number;
  position: string;
  savedAt: SaveTime;
  saved: SavedValues;
  chain: readonly ChainRow[];
}

/** What a save writes: a delta on `base` (with the lists' appended bytes once it is written), or a snapshot. */
type Encoded = { text: string; bytes: number; base: CachedStep; appended: ReadonlyMap<string, number>; appendedBytes: number } | { text: string; bytes: number; base: undefined };

const NOTHING_APPENDED: ReadonlyMap<string, number> = new Map();

/**
 * Incremental storage (docs/incremental-storage.md), written once for every
 * backend: decides between delta and snapshot, encodes, keeps the process
 * cache, rebuilds steps on load, and keeps prunes from breaking chains. A
 * backend supplies {@link IncrementalRows}.
 */
export class IncrementalStorage {
  readonly #rows: IncrementalRows;
  readonly #settings: IncrementalSettings;
  readonly #host: IncrementalHost;
  readonly #cache = new RecentMap<CachedStep>();
  /**
   * The latest step a load found of each app, unless this persister saved a
   * newer one: the base of a save that continues from a load. Bounded by
   * count and by the bytes of the chains, not to hold a reader's states.
   */
  readonly #loaded = new RecentMap<LoadedStep>(LOADED_APPS, { weight: (step) => step.snapshotBytes + step.deltaBytes, max: LOADED_BYTES });

  constructor(rows: IncrementalRows, settings: IncrementalSettings, host: IncrementalHost) {
    this.#rows = rows;
    this.#settings = settings;
    this.#host = host;
  }

  /**
   * Saves a validated step: a delta on this persister's last save of the app,
   * or on the latest step it loaded of it, when the policy allows; else a snapshot.
   */
  async save(key: StepKey, args: SaveStateArgs): Promise<void> {
    const app = appKey(key.partitionKey, key.appId);
    const options = this.#host.encodeOptions();
    // Encode first: a value that cannot be stored fails before any I/O.
    const encoded = this.#encode(key, this.#baseOf(app), args.state, options);
    try {
      await this.#host.ensureInitialized();
      await this.#host.checkStorageMode(key.partitionKey, key.appId);
      this.#remember(app, await this.#write(key, args, encoded, options));
    } catch (error) {
      // The outcome is unknown or the app is not what the cache thinks: its next save is a snapshot.
      this.#forgetApp(app);
      if (!(error instanceof PersisterConflictError) || !(await this.#holdsSameStep(key, args))) throw error;
    }
  }

  /**
   * Writes one step of a conversion from full storage (`convertStorage`):
   * as {@link IncrementalStorage.save}, but with the step's own save time,
   * without the storage mode check (the app is in full mode until the
   * conversion ends), and comparing values, not only references, with the
   * base (decoded states share no objects). Resolves `'same'` when the key
   * already holds this step (a resumed conversion).
   */
  async saveConverted(key: StepKey, args: SaveStateArgs, time: SaveTime): Promise<'written' | 'same'> {
    const app = appKey(key.partitionKey, key.appId);
    const options = this.#host.encodeOptions();
    const encoded = this.#encode(key, this.#cache.get(app), args.state, options, 'value');
    try {
      await this.#host.ensureInitialized();
      this.#remember(app, await this.#write(key, args, encoded, options, time, true));
      return 'written';
    } catch (error) {
      this.#forgetApp(app);
      if (!(error instanceof PersisterConflictError) || !(await this.#holdsSameStep(key, args))) throw error;
      return 'same';
    }
  }

  /** The settings this engine writes with. */
  get settings(): IncrementalSettings {
    return this.#settings;
  }

  /**
   * The base of the app's next save: the newer of its last save and its last
   * load. When both are the same stored step, the saver's own values, with
   * the loaded ones beside them (whichever the application built on, what it
   * kept is seen as unchanged). On a load alone, the loaded values, checked
   * on the step rebuilt from its chain (only when a value equals them without
   * being one of them), so a copy changed in place by whoever loaded it never
   * stands for what this application saves.
   */
  #baseOf(app: string): CachedStep | undefined {
    const saved = this.#cache.get(app);
    const loaded = this.#loaded.get(app);
    if (!loaded || (saved && saved.sequenceId > loaded.sequenceId)) return saved;
    if (saved && sameStep(saved, loaded)) return { ...saved, saved: { ...saved.saved, loaded: loaded.saved.values }, compare: 'value' };
    // A load alone, or a load that found another row at the sequence id this persister saved (deleted and saved again since).
    const { chain, ...step } = loaded;
    let rebuilt: ReadonlyMap<string, unknown> | null | undefined;
    const rebuild = () => {
      if (rebuilt === undefined) {
        try {
          rebuilt = new Map(replay(chain, this.#host.serdeKwargs()).entries());
        } catch {
          rebuilt = null; // what cannot be rebuilt vouches for nothing: such values are written whole
        }
      }
      return rebuilt ?? undefined;
    };
    return { ...step, saved: { ...step.saved, rebuilt: rebuild }, compare: 'value' };
  }

  #remember(app: string, step: CachedStep): void {
    this.#cache.set(app, step);
    this.#loaded.delete(app);
  }

  #forgetApp(app: string): void {
    this.#cache.delete(app);
    this.#loaded.delete(app);
  }

  #encode(key: StepKey, base: CachedStep | undefined, state: State, options: EncodeStateOptions, compare: DeltaComparison = base?.compare ?? 'identity'): Encoded {
    const gap = base ? key.sequenceId - base.sequenceId : 0;
    if (base && gap >= 1 && gap <= MAX_BASE_GAP && base.chainSteps < this.#chainStepLimit(base)) {
      const delta = encodeDelta(base.saved, state, options, { base, row: key }, compare);
      // A row costs a load about as much as decoding a few hundred bytes: tiny deltas count as MIN_DELTA_COST_BYTES.
      const bytes = Math.max(Buffer.byteLength(delta.text), MIN_DELTA_COST_BYTES);
      const { appended, appendedBytes } = appendedAfter(base, delta);
      // What a load reads beyond the state itself: the deltas, less the list items they appended (part of the state,
      // read once either way) where rows are cheap to read. Kept within the state's size, or snapshotBytes.
      const stateBytes = base.snapshotBytes + (this.#rows.expensiveRows ? 0 : appendedBytes);
      const overhead = base.snapshotBytes + base.deltaBytes + bytes - stateBytes;
      const withinBudget = overhead <= Math.max(this.#settings.snapshotBytes, stateBytes);
      // The state is at most its snapshot plus every delta since (each counted at least MIN_DELTA_COST_BYTES).
      const fitsSnapshot = base.snapshotBytes + base.deltaBytes + bytes <= (this.#rows.maxSnapshotBytes ?? Number.POSITIVE_INFINITY);
      if (withinBudget && fitsSnapshot) return { text: delta.text, bytes, base, appended, appendedBytes };
    }
    const text = encodeState(state, options);
    return { text, bytes: Buffer.byteLength(text), base: undefined };
  }

  /**
   * Steps a chain may hold: as many as the history its snapshot covers (at least MIN_CHAIN_STEPS, at most
   * `snapshotEvery`), so snapshots of a long chat come at doubling lengths and a load reads rows in proportion to the state.
   */
  #chainStepLimit(base: CachedStep): number {
    return Math.min(this.#settings.snapshotEvery, Math.max(this.#settings.minChainSteps ?? MIN_CHAIN_STEPS, base.snapshotSequenceId));
  }

  /** Writes the step at `time` (`copied`: a conversion's copy, whose save time is the source's). */
  async #write(key: StepKey, args: SaveStateArgs, encoded: Encoded, options: EncodeStateOptions, time: SaveTime = nextSaveTime(), copied = false): Promise<CachedStep> {
    const record = (state: string, base: IncrementalRecord['base']): IncrementalRecord => ({
      ...key,
      status: args.status,
      state,
      ...time,
      base,
      ...(copied ? { copiedSaveTime: true as const } : {}),
    });
    const cached = { sequenceId: key.sequenceId, position: key.position, savedAt: time, saved: savedValues(args.state), compare: 'identity' as const };
    const { base } = encoded;
    if (base) {
      const delta = record(encoded.text, { sequenceId: base.sequenceId, position: base.position, ...base.savedAt });
      if (await this.#rows.insert(delta)) {
        return {
          ...cached,
          chainSteps: base.chainSteps + 1,
          snapshotSequenceId: base.snapshotSequenceId,
          snapshotBytes: base.snapshotBytes,
          deltaBytes: base.deltaBytes + encoded.bytes,
          appended: encoded.appended,
          appendedBytes: encoded.appendedBytes,
        };
      }
      // The base is gone (deleted or pruned by another process, or deleted and saved again): a snapshot instead.
      const text = encodeState(args.state, options);
      encoded = { text, bytes: Buffer.byteLength(text), base: undefined };
    }
    await this.#rows.insert(record(encoded.text, null));
    return { ...cached, chainSteps: 1, snapshotSequenceId: key.sequenceId, snapshotBytes: encoded.bytes, deltaBytes: 0, appended: NOTHING_APPENDED, appendedBytes: 0 };
  }

  /** Whether the step stored under `key` has the status and content of `args`: then the save was a repeat. */
  async #holdsSameStep(key: StepKey, args: SaveStateArgs): Promise<boolean> {
    const stored = await this.#rebuild(key, (chain) => replay(chain, this.#host.serdeKwargs()));
    if (!stored || stored.row.status !== args.status) return false;
    const options = this.#host.encodeOptions();
    return sameStateContent(encodeState(args.state, options), encodeState(stored.state, { ...options, nonFiniteNumbers: 'python' }));
  }

  /** The row stored under exactly `key` and its state, as `replayed` rebuilds it from its chain, or `null`. */
  async #rebuild<T>(key: StepKey, replayed: (chain: ChainRow[]) => T): Promise<{ row: ChainRow; state: T } | null> {
    const reader = new ChainReader(this.#rows, key.partitionKey, key.appId);
    try {
      await reader.fetch(key.sequenceId, key.sequenceId);
      const at = reader.get(key.sequenceId, key.position);
      if (!at) return null;
      const chain = await reader.chainOf(at);
      return { row: chain[chain.length - 1]!, state: replayed(chain) };
    } catch (error) {
      throw wrapped(key, error);
    }
  }

  /**
   * The latest step of an app (`sequenceId` null) or the least position at a
   * sequence id, rebuilt; `null` when there is none. A chain whose base went
   * between two reads (a prune rewrote the delta and removed its base, or the
   * app was deleted) is read again, up to {@link MAX_LOAD_ATTEMPTS} times.
   */
  async load(query: RecordQuery): Promise<PersistedStateData | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#loadOnce(query, attempt === MAX_LOAD_ATTEMPTS);
      } catch (error) {
        if (!(error instanceof BaseNotStoredError)) throw error;
      }
    }
  }

  /** One read of {@link IncrementalStorage.load}: a missing base is thrown as is (to read again) unless `lastAttempt`. */
  async #loadOnce(query: RecordQuery, lastAttempt: boolean): Promise<PersistedStateData | null> {
    const reader = new ChainReader(this.#rows, query.partitionKey, query.appId);
    let row: ChainRow | undefined;
    try {
      const batch = await reader.fetch(query.sequenceId, query.sequenceId);
      const index = query.sequenceId === null ? batch.length - 1 : batch.findIndex((candidate) => candidate.sequenceId === query.sequenceId);
      row = batch[index];
      if (!row) return null;
      const chain = await reader.chainOf({ batch, index });
      // As the chain's read has it (another read than the first when the chain needed one).
      row = chain[chain.length - 1]!;
      const app = appKey(query.partitionKey, query.appId);
      // Only the latest step can be continued (a save above an older one conflicts): only its chain is counted, and
      // not when this persister saved that very step (it has the counts: a status poll through a writer's persister).
      const remembered = query.sequenceId === null ? this.#loadToRemember(app, row) : undefined;
      const account = remembered && !remembered.counts ? new ChainAccount(chain[0]!) : undefined;
      const state = replay(chain, this.#host.serdeKwargs(), account);
      if (!isPersistStatus(row.status)) throw new DeserializationError(`unknown status ${JSON.stringify(row.status)}`);
      if (remembered) this.#rememberLoad(app, row, remembered.savedAt, chain, state, remembered.counts ?? account!);
      return {
        partitionKey: query.partitionKey,
        appId: query.appId,
        sequenceId: row.sequenceId,
        position: row.position,
        state,
        createdAt: row.createdAt === null ? new Date(0) : parseTimestamp(row.createdAt),
        status: row.status,
      };
    } catch (error) {
      if (error instanceof BaseNotStoredError && !lastAttempt) throw error;
      throw wrapped({ ...query, sequenceId: row?.sequenceId ?? query.sequenceId ?? 'latest' }, error);
    }
  }

  /** The states of several steps of one app (a `listSteps` page), in the order given. */
  async statesOf(partitionKey: string, appId: string, steps: ReadonlyArray<{ sequenceId: number; position: string }>): Promise<State[]> {
    const reader = new ChainReader(this.#rows, partitionKey, appId);
    try {
      return await replayMany(reader, steps, this.#host.serdeKwargs());
    } catch (error) {
      throw wrapped({ partitionKey, appId, sequenceId: steps[0]?.sequenceId ?? 0 }, error);
    }
  }

  /**
   * Removes one batch of a prune: first rewrites as snapshots the kept rows
   * whose base goes (so every kept step stays loadable, whenever the prune
   * stops), then calls `remove`, which removes nothing if a delta on a step
   * of the batch was saved meanwhile (`keepDependentsWithin`): then it looks
   * again, up to `MAX_REMOVAL_ATTEMPTS` times.
   */
  async removeSteps(removal: StepRemoval, remove: (removal: StepRemoval) => Promise<number>): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const dependents = await this.#rows.findDependents(removal, MAX_BASE_GAP);
      // After the removal refused, a delta saved meanwhile is found here (its base is still stored). Finding none, what
      // it saw is a delta whose base was gone already (a corrupt chain): removing the batch breaks nothing more.
      if (attempt > 1 && dependents.length === 0) return remove(removal);
      for (const dependent of dependents) {
        const key = { partitionKey: removal.partitionKey, appId: removal.appId, sequenceId: dependent.sequenceId, position: dependent.position };
        // Its values as stored: a rewrite with this persister's serde options could change what the application saved.
        const stored = await this.#rebuild(key, replayStoredJson);
        // Rewritten or removed meanwhile: nothing left to do for it.
        if (stored?.row.baseSequenceId !== dependent.base.sequenceId || stored.row.basePosition !== dependent.base.position) continue;
        // With the save time the rebuilt row had: an app deleted and saved again since holds another run's row at the key.
        const row = { ...key, ...parseSaveTime(stored.row.createdAt) };
        await this.#rows.rewriteAsSnapshot(row, dependent.base, stored.state);
      }
      try {
        return await remove({ ...removal, keepDependentsWithin: MAX_BASE_GAP });
      } catch (error) {
        if (!(error instanceof ConcurrentDependentError) || attempt >= MAX_REMOVAL_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Whether a loaded latest step is to become the app's remembered load: it
   * has its exact save time (a delta is inserted only while its base has it),
   * and this persister neither saved nor loaded a newer step of the app. With
   * the chain's counts when this persister saved that step itself.
   */
  #loadToRemember(app: string, row: ChainRow): { savedAt: SaveTime; counts: ChainCounts | undefined } | undefined {
    const saved = this.#cache.get(app);
    if (row.createdAt === null || row.sequenceId < Math.max(saved?.sequenceId ?? -1, this.#loaded.get(app)?.sequenceId ?? -1)) return undefined;
    const savedAt = parseSaveTime(row.createdAt);
    const same = saved && sameStep(saved, { sequenceId: row.sequenceId, position: row.position, savedAt });
    return { savedAt, counts: same ? saved : undefined };
  }

  /** Remembers a loaded latest step (see {@link IncrementalStorage.#loadToRemember}) as the base of the app's next save. */
  #rememberLoad(app: string, row: ChainRow, savedAt: SaveTime, chain: readonly ChainRow[], state: State, counts: ChainCounts): void {
    const { chainSteps, snapshotSequenceId, snapshotBytes, deltaBytes, appended, appendedBytes } = counts;
    this.#loaded.set(app, {
      sequenceId: row.sequenceId,
      position: row.position,
      savedAt,
      saved: savedValues(state),
      chain,
      chainSteps,
      snapshotSequenceId,
      snapshotBytes,
      deltaBytes,
      appended,
      appendedBytes,
    });
  }

  /** Forgets an app's last save and load (after `deleteApp`): its next save is a snapshot. */
  forget(partitionKey: string, appId: string): void {
    this.#forgetApp(appKey(partitionKey, appId));
  }

  /** Forgets every app (after `setSerdeKwargs`: values may encode differently from now on). */
  forgetAll(): void {
    this.#cache.clear();
    this.#loaded.clear();
  }
}

/** The bytes appended to each list since the chain's snapshot, once `delta` is applied to `base`. */
function appendedAfter(base: CachedStep, delta: EncodedDelta): { appended: ReadonlyMap<string, number>; appendedBytes: number } {
  if (delta.appended.length === 0 && !delta.replaced.some((key) => base.appended.has(key))) return base;
  const appended = new Map(base.appended);
  let appendedBytes = base.appendedBytes;
  for (const key of delta.replaced) {
    appendedBytes -= appended.get(key) ?? 0;
    appended.delete(key);
  }
  for (const [key, bytes] of delta.appended) {
    appended.set(key, (appended.get(key) ?? 0) + bytes);
    appendedBytes += bytes;
  }
  return { appended, appendedBytes };
}

/** `error` as the `DeserializationError` of the step being read, unless it is an error of the store (a connection fault) or already one. */
function wrapped(step: { partitionKey: string; appId: string; sequenceId: number | string }, error: unknown): unknown {
  if (!(error instanceof DeserializationError) || error.message.startsWith('Could not load the stored step')) return error;
  return storedStepError(step, error);
}

/** Whether two remembered steps are the same stored row: same key and save time. */
function sameStep(a: Pick<CachedStep, 'sequenceId' | 'position' | 'savedAt'>, b: Pick<CachedStep, 'sequenceId' | 'position' | 'savedAt'>): boolean {
  return (
    a.sequenceId === b.sequenceId &&
    a.position === b.position &&
    a.savedAt.createdAt.getTime() === b.savedAt.createdAt.getTime() &&
    a.savedAt.createdAtMicros === b.savedAt.createdAtMicros
  );
}
