import { DeserializationError, InvalidPersistArgumentError, PersisterClosedError, PersisterConflictError, PersisterNotInitializedError } from '../errors.js';
import type { SerdeKwargs } from '../serde/registry.js';
import type { State, StateValues } from '../state.js';
import { decodeState, encodeState, type EncodeStateOptions } from '../serde/state-codec.js';
import type { BaseStatePersister, PartitionKeyInput, PersistedStateData, PersistStatus, SaveStateArgs } from './contract.js';
import type { AppPage, CompactReport, ListAppsOptions, ListStepsOptions, PruneOptions, PruneReport, StepPage, StepSummary } from './history.js';
import { appCursor, appQuery, appSummary, stepQuery, stepSummaryFields, storedStatus, wholeSequencePage, storedSequenceId } from './history-pages.js';
import { pruneSteps } from './prune.js';
import type { AppQuery, AppScan, StepQuery, StepRemoval, StoredAppSummary, StoredStepSummary } from './stored-history.js';
import { sameStateContent } from './same-content.js';
import { IncrementalStorage } from './incremental/engine.js';
import { StorageModeGuard } from './incremental/mode-guard.js';
import type { IncrementalSettings, StorageMode } from './incremental/options.js';
import type { IncrementalRows } from './incremental/rows.js';
import { nextSaveTime, parseSaveTime, parseTimestamp, type SaveTime } from './timestamps.js';
import { storedStepError } from './stored-step-error.js';
import { assertAppId, assertSequenceId, isPersistStatus, normalizePartitionKey, validateSaveArgs, type StepKey } from './validate.js';
import { STORAGE_CONVERSION, type ConvertedStep, type StorageConversionAccess } from './conversion-access.js';

/** A step ready to store: validated key, state as JSON text, creation time. */
export interface StateRecord extends StepKey, SaveTime {
  status: PersistStatus;
  /** The serialized state (JSON text, hidden keys included). */
  state: string;
  /**
   * Set on a step a conversion copies, whose save time is the source's: a
   * backend that ranks apps by the time of each write (Redis's apps-by-save
   * set) ranks the app by this save time instead.
   */
  copiedSaveTime?: true | undefined;
}

/** A step as a backend read it; numbers and times may come back as strings, bigints or Dates. */
export interface StoredStateRecord {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | bigint | string;
  position: string;
  status: string;
  state: string;
  createdAt: string | Date | number | null;
}

/** What to look up: one app's latest step (`sequenceId: null`) or one sequence id. */
export interface RecordQuery {
  partitionKey: string;
  appId: string;
  sequenceId: number | null;
}

/** Options every {@link RecordStatePersister} takes. */
export interface RecordStatePersisterOptions {
  serdeKwargs?: SerdeKwargs | undefined;
}

/**
 * The base a storage backend extends. It holds everything that is the same
 * for every backend: argument validation, partition-key normalization, state
 * encoding before any I/O, decoding, the one-time "is the table there" check,
 * idempotent cleanup and `await using`. A backend only translates these
 * primitives into its driver's calls:
 *
 * - `createSchema()` / `schemaExists()`: tables, indexes, collections;
 * - `insertRecord()`: one atomic insert that throws {@link PersisterConflictError}
 *   (see {@link RecordStatePersister.conflict}) when the key exists; the base
 *   then reads the stored record and succeeds when it is the same step
 *   (idempotent saves, see {@link BaseStatePersister.save});
 * - `findRecord()`: latest step of an app = highest sequence id, ties broken
 *   by the greatest position; a given sequence id = the least position;
 * - `findAppIds()`: distinct app ids, most recently saved first;
 * - `findSteps()`, `findApps()`, `scanApps()`: the history and app listings
 *   (see {@link StepQuery}, {@link AppQuery}), each bounded by its limit;
 * - `removeApp()`, `removeSteps()`: deletes (see {@link StepRemoval}); the
 *   base runs prunes on them in batches;
 * - `compactStore()`: optional, for backends that must give space back;
 * - `closeClient()`: close the driver client; `cleanup()` calls it only when
 *   the persister opened that client itself (see {@link RecordStatePersister.takeOwnershipOfClient}).
 */
export abstract class RecordStatePersister implements BaseStatePersister {
  protected serdeKwargs: SerdeKwargs;
  /** How this backend stores NaN/Infinity; PostgreSQL overrides with `'reject'`. */
  protected readonly nonFiniteNumbers: EncodeStateOptions['nonFiniteNumbers'] = 'python';
  #schemaKnownToExist = false;
  #ownsClient = false;
  #cleanup: Promise<void> | undefined;
  /** Set by {@link RecordStatePersister.useIncrementalStorage}: steps are snapshots and deltas (docs/incremental-storage.md). */
  #incremental: IncrementalStorage | undefined;
  #modeGuard: StorageModeGuard | undefined;

  protected constructor(options: RecordStatePersisterOptions = {}) {
    this.serdeKwargs = options.serdeKwargs ?? {};
  }

  /** Name used in error messages, e.g. `SQLitePersister("burr_state")`. */
  protected abstract describe(): string;
  protected abstract createSchema(): Promise<void>;
  protected abstract schemaExists(): Promise<boolean>;
  protected abstract insertRecord(record: StateRecord): Promise<void>;
  protected abstract findRecord(query: RecordQuery): Promise<StoredStateRecord | null>;
  protected abstract findAppIds(partitionKey: string): Promise<string[]>;
  /** One page of an app's steps, in the query's order. */
  protected abstract findSteps(query: StepQuery): Promise<StoredStepSummary[]>;
  /** One page of a partition's apps, most recently saved first. */
  protected abstract findApps(query: AppQuery): Promise<StoredAppSummary[]>;
  /** One page of the apps of a partition (or of every partition, for `null`), in any stable order. */
  protected abstract scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan>;
  /** Removes every step of an app, atomically for readers; returns how many went. */
  protected abstract removeApp(partitionKey: string, appId: string): Promise<number>;
  /** Removes one batch of an app's steps; returns how many went. */
  protected abstract removeSteps(removal: StepRemoval): Promise<number>;

  /** Gives space back; the default reports that this backend needs nothing. */
  protected async compactStore(): Promise<CompactReport> {
    return { bytesBefore: null, bytesAfter: null, performed: [], advice: [] };
  }

  /**
   * The record stored under exactly this key, or `null`. Read only after
   * `insertRecord` reported a conflict. The default asks `findRecord` for the
   * sequence id and keeps the answer only when its position matches, so when
   * another position sorts first at that sequence id this finds nothing and
   * the save stays a conflict; a backend with a direct lookup may override it.
   */
  protected async findRecordAt(key: StepKey): Promise<StoredStateRecord | null> {
    const found = await this.findRecord({ partitionKey: key.partitionKey, appId: key.appId, sequenceId: key.sequenceId });
    return found !== null && found.position === key.position ? found : null;
  }
  /** Closes the driver client. Called once, by `cleanup()`, and only when the persister owns the client. */
  protected abstract closeClient(): Promise<void>;

  /**
   * Whether the other storage mode's table holds a step of the app. A backend
   * that has an incremental mode implements it; with it, the first save of
   * each app in either mode, and a load that finds no step, refuse an app
   * stored in the other mode (`StorageModeMismatchError`).
   */
  protected stepsInOtherStorageMode?(partitionKey: string, appId: string): Promise<boolean>;

  /** How this persister stores steps: `'full'` (default) or `'incremental'`. */
  get storageMode(): StorageMode {
    return this.#incremental ? 'incremental' : 'full';
  }

  /**
   * Switches this persister to incremental storage over `rows` (call from the
   * constructor). Saves, loads, `listSteps` with states and prunes then go
   * through the incremental engine; the history primitives must already read
   * the incremental rows.
   */
  protected useIncrementalStorage(rows: IncrementalRows, settings: IncrementalSettings): void {
    this.#incremental = new IncrementalStorage(rows, settings, {
      encodeOptions: () => ({ kwargs: this.serdeKwargs, nonFiniteNumbers: this.nonFiniteNumbers }),
      serdeKwargs: () => this.serdeKwargs,
      ensureInitialized: async () => {
        if (!(await this.isInitialized())) throw new PersisterNotInitializedError(this.describe(), 'its table or collection does not exist');
      },
      checkStorageMode: (partitionKey, appId) => this.#checkStorageMode(partitionKey, appId, 'save'),
    });
  }

  /** Refuses an app stored in the other mode; `undefined`, no promise made, when there is nothing to ask the store. */
  #checkStorageMode(partitionKey: string, appId: string, operation: 'save' | 'load'): Promise<void> | undefined {
    const probe = this.stepsInOtherStorageMode;
    if (!probe) return undefined;
    this.#modeGuard ??= new StorageModeGuard(
      this.storageMode,
      () => this.describe(),
      (pk, app) => probe.call(this, pk, app),
    );
    return this.#modeGuard.check(partitionKey, appId, operation);
  }

  /**
   * Marks the client as opened by this persister (a `fromValues()`-style
   * factory calls it): `cleanup()` then closes it. A client passed to the
   * constructor stays the caller's, and `cleanup()` leaves it open.
   */
  protected takeOwnershipOfClient(): void {
    this.#ownsClient = true;
  }

  /** Whether `cleanup()` closes the client (the persister opened it). */
  protected get ownsClient(): boolean {
    return this.#ownsClient;
  }

  async initialize(): Promise<void> {
    this.#assertOpen();
    await this.createSchema();
    this.#schemaKnownToExist = true;
  }

  async isInitialized(): Promise<boolean> {
    this.#assertOpen();
    if (this.#schemaKnownToExist) return true;
    this.#schemaKnownToExist = await this.schemaExists();
    return this.#schemaKnownToExist;
  }

  async save(args: SaveStateArgs): Promise<void> {
    this.#assertOpen();
    const key = validateSaveArgs(args);
    if (this.#incremental) return this.#incremental.save(key, args);
    // Encode first: a value that cannot be stored fails before any I/O.
    const state = encodeState(args.state, { kwargs: this.serdeKwargs, nonFiniteNumbers: this.nonFiniteNumbers });
    // Awaited only when there is something to ask the store: a save is usually one round trip and nothing else.
    if (!this.#schemaKnownToExist && !(await this.isInitialized())) throw new PersisterNotInitializedError(this.describe(), 'its table or collection does not exist');
    const modeChecked = this.#checkStorageMode(key.partitionKey, key.appId, 'save');
    if (modeChecked) await modeChecked;
    const record: StateRecord = { ...key, status: args.status, state, ...nextSaveTime() };
    try {
      await this.insertRecord(record);
    } catch (error) {
      // Only a taken key costs a read: the happy path stays one round trip.
      if (!(error instanceof PersisterConflictError) || !(await this.#holdsSameRecord(record))) throw error;
    }
  }

  /**
   * Whether the record stored under `record`'s exact key has its status and
   * state content: then a save is a repeat (e.g. a retry after a lost reply)
   * and succeeds, leaving the stored record, its `created_at` included, as it
   * was. If the lookup itself fails, that error propagates: the outcome is
   * unknown, and the caller may retry.
   */
  async #holdsSameRecord(record: StateRecord): Promise<boolean> {
    const stored = await this.findRecordAt(record);
    return stored !== null && stored.status === record.status && sameStateContent(record.state, stored.state);
  }

  /** {@link BaseStatePersister.load}: the step at `sequenceId`, or the app's latest; `null` when there is none. */
  load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null>;
  /**
   * {@link BaseStatePersister.load} with the state typed as `T` (`load<MyState>(...)`).
   * `T` is not checked: the state is whatever was stored. To check it, load
   * through `ApplicationBuilder.initializeFrom` with `withSchema`, or validate it yourself.
   */
  load<T extends StateValues>(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData<T> | null>;
  async load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null> {
    this.#assertOpen();
    const partition = normalizePartitionKey(partitionKey);
    if (appId === null) {
      if (sequenceId !== undefined && sequenceId !== null)
        throw new InvalidPersistArgumentError('load with appId null loads the latest step of the partition; it takes no sequenceId');
      const [latest] = await this.findApps({ partitionKey: partition, limit: 1, after: undefined });
      if (!latest) return null;
      appId = latest.appId;
    }
    assertAppId(appId);
    if (sequenceId !== undefined && sequenceId !== null) assertSequenceId(sequenceId);
    const query: RecordQuery = { partitionKey: partition, appId, sequenceId: sequenceId ?? null };
    const found = this.#incremental ? await this.#incremental.load(query) : await this.findRecord(query).then((record) => (record ? this.toPersistedData(record) : null));
    // An app converted to the other mode must not look new: the caller would start it over from its default state.
    if (found === null) await this.#checkStorageMode(partition, appId, 'load');
    return found;
  }

  async listSteps(partitionKey: PartitionKeyInput, appId: string, options: ListStepsOptions = {}): Promise<StepPage> {
    this.#assertOpen();
    assertAppId(appId);
    const query = stepQuery(normalizePartitionKey(partitionKey), appId, options);
    // Incremental rows hold deltas: their states are rebuilt, not read.
    const { stored, more } = await wholeSequencePage((page) => this.findSteps(page), this.#incremental ? { ...query, withState: false } : query);
    const states =
      this.#incremental && query.withState
        ? await this.#incremental.statesOf(
            query.partitionKey,
            query.appId,
            stored.map((step) => this.#stepKeyOf(step)),
          )
        : undefined;
    const steps = stored.map((step, i) => this.#stepSummary(query, step, states?.[i]));
    const last = steps[steps.length - 1];
    return { steps, nextCursor: more && last ? last.sequenceId : null };
  }

  #stepKeyOf(stored: StoredStepSummary): { sequenceId: number; position: string } {
    return { sequenceId: storedSequenceId(stored.sequenceId), position: stored.position };
  }

  #stepSummary(query: StepQuery, stored: StoredStepSummary, rebuilt?: State): StepSummary {
    const where = { partitionKey: query.partitionKey, appId: query.appId, sequenceId: stored.sequenceId };
    try {
      const summary: StepSummary = stepSummaryFields(query.partitionKey, query.appId, stored);
      if (this.#incremental) summary.storedAs = stored.isDelta ? 'delta' : 'snapshot';
      if (rebuilt) summary.state = rebuilt;
      else if (query.withState) {
        if (stored.state === undefined) throw new DeserializationError('the backend returned no state');
        summary.state = decodeState(stored.state, this.serdeKwargs);
      }
      return summary;
    } catch (error) {
      throw storedStepError(where, error);
    }
  }

  async listApps(partitionKey: PartitionKeyInput, options: ListAppsOptions = {}): Promise<AppPage> {
    this.#assertOpen();
    const query = appQuery(normalizePartitionKey(partitionKey), options);
    const stored = await this.findApps(query);
    const last = stored[stored.length - 1];
    return { apps: stored.map((app) => appSummary(query.partitionKey, app)), nextCursor: stored.length === query.limit && last ? appCursor(last) : null };
  }

  async deleteApp(partitionKey: PartitionKeyInput, appId: string): Promise<number> {
    this.#assertOpen();
    assertAppId(appId);
    const partition = normalizePartitionKey(partitionKey);
    const removed = await this.removeApp(partition, appId);
    this.#incremental?.forget(partition, appId);
    this.#modeGuard?.forget(partition, appId);
    return removed;
  }

  prune(options: PruneOptions): Promise<PruneReport> {
    this.#assertOpen();
    return pruneSteps(
      {
        scanApps: (partitionKey, cursor, limit) => this.scanApps(partitionKey, cursor, limit),
        findSteps: (query) => this.findSteps(query),
        removeSteps: (removal) => this.#removeSteps(removal),
        removesNewestBatchFirst: this.#incremental !== undefined,
      },
      options,
    );
  }

  /** A batch removal in this persister's mode: in incremental mode, kept rows whose base goes are rewritten as snapshots first. */
  #removeSteps(removal: StepRemoval): Promise<number> {
    return this.#incremental ? this.#incremental.removeSteps(removal, (batch) => this.removeSteps(batch)) : this.removeSteps(removal);
  }

  /**
   * Names the store and table of this persister, the same in both storage
   * modes: `convertStorage` refuses two persisters whose names differ. The
   * default is the class name; a backend with tables names its table too.
   */
  protected storageLocation(): string {
    return this.constructor.name;
  }

  /**
   * After a conversion removed every step of an app it had read: whether the
   * app has no step left, and if so, drops what the backend keeps about the
   * app apart from its steps (a SQL app index entry). The default only looks.
   */
  protected async dropAppIfEmpty(partitionKey: string, appId: string): Promise<boolean> {
    const left = await this.findSteps({ partitionKey, appId, newestFirst: false, before: undefined, after: undefined, limit: 1, withState: false });
    return left.length === 0;
  }

  /**
   * What `convertStorage` needs beyond the public API: reading steps with
   * their exact save times, writing a step with its own save time and without
   * the storage mode check. Internal: keyed by a symbol the package does not
   * export.
   * @internal
   */
  [STORAGE_CONVERSION](): StorageConversionAccess {
    const persister = this;
    const incremental = this.#incremental;
    const decodeOptions = (): EncodeStateOptions => ({ kwargs: this.serdeKwargs, nonFiniteNumbers: 'python' });
    const stepOf = (partitionKey: string, appId: string, stored: StoredStepSummary, state: State): ConvertedStep => ({
      partitionKey,
      appId,
      sequenceId: storedSequenceId(stored.sequenceId),
      position: stored.position,
      status: storedStatus(stored.status),
      savedAt: parseSaveTime(stored.createdAt),
      state,
      sizeBytes: Number(stored.sizeBytes),
    });
    return {
      mode: this.storageMode,
      serdeKwargs: this.serdeKwargs,
      incrementalSettings: incremental?.settings,
      storeName: this.storageLocation(),
      describe: () => this.describe(),
      scanApps: (partitionKey, cursor, limit) => {
        this.#assertOpen();
        return this.scanApps(partitionKey, cursor, limit);
      },
      async latestSequenceId(partitionKey, appId) {
        persister.#assertOpen();
        const [latest] = await persister.findSteps({ partitionKey, appId, newestFirst: true, before: undefined, after: undefined, limit: 1, withState: false });
        return latest ? storedSequenceId(latest.sequenceId) : null;
      },
      async readSteps(partitionKey, appId, after, upTo, limit) {
        persister.#assertOpen();
        const query: StepQuery = { partitionKey, appId, newestFirst: false, before: upTo + 1, after, limit, withState: !incremental };
        const { stored, more } = await wholeSequencePage((page) => persister.findSteps(page), query);
        const states = incremental
          ? await incremental.statesOf(
              partitionKey,
              appId,
              stored.map((step) => persister.#stepKeyOf(step)),
            )
          : stored.map((step) => persister.#stepSummary({ ...query, withState: true }, step).state!);
        return { steps: stored.map((step, i) => stepOf(partitionKey, appId, step, states[i]!)), more };
      },
      async stepKeys(partitionKey, appId, after, before, limit) {
        persister.#assertOpen();
        const stored = await persister.findSteps({ partitionKey, appId, newestFirst: false, before, after, limit, withState: false });
        return stored.map((step) => ({ partitionKey, appId, ...persister.#stepKeyOf(step), status: step.status, sizeBytes: Number(step.sizeBytes) }));
      },
      async statesOf(partitionKey, appId, steps) {
        persister.#assertOpen();
        if (incremental) return incremental.statesOf(partitionKey, appId, steps);
        const states: State[] = [];
        for (const key of steps) {
          const record = await persister.findRecordAt(key);
          if (!record) throw storedStepError(key, new DeserializationError('the step is no longer stored'));
          states.push(persister.toPersistedData(record).state);
        }
        return states;
      },
      async writeStep(step) {
        persister.#assertOpen();
        const args: SaveStateArgs = {
          partitionKey: step.partitionKey,
          appId: step.appId,
          sequenceId: step.sequenceId,
          position: step.position,
          state: step.state,
          status: step.status,
        };
        const key = validateSaveArgs(args);
        if (incremental) return incremental.saveConverted(key, args, step.savedAt);
        const state = encodeState(step.state, { kwargs: persister.serdeKwargs, nonFiniteNumbers: persister.nonFiniteNumbers });
        if (!(await persister.isInitialized())) throw new PersisterNotInitializedError(persister.describe(), 'its table or collection does not exist');
        const record: StateRecord = { ...key, status: step.status, state, ...step.savedAt, copiedSaveTime: true };
        try {
          await persister.insertRecord(record);
          return 'written';
        } catch (error) {
          if (!(error instanceof PersisterConflictError) || !(await persister.#holdsSameRecord(record))) throw error;
          return 'same';
        }
      },
      async otherModeHolds(partitionKey, appId) {
        persister.#assertOpen();
        return (await persister.stepsInOtherStorageMode?.(partitionKey, appId)) ?? false;
      },
      async removeConverted(partitionKey, appId, toSequenceId) {
        persister.#assertOpen();
        const removed = await persister.#removeSteps({ partitionKey, appId, fromSequenceId: 0, toSequenceId, createdBefore: undefined });
        incremental?.forget(partitionKey, appId);
        persister.#modeGuard?.forget(partitionKey, appId);
        return { removed, appGone: await persister.dropAppIfEmpty(partitionKey, appId) };
      },
      encode: (state) => encodeState(state, decodeOptions()),
      forget(partitionKey, appId) {
        incremental?.forget(partitionKey, appId);
        persister.#modeGuard?.forget(partitionKey, appId);
      },
    };
  }

  compact(): Promise<CompactReport> {
    this.#assertOpen();
    return this.compactStore();
  }

  async listAppIds(partitionKey: PartitionKeyInput): Promise<string[]> {
    this.#assertOpen();
    return this.findAppIds(normalizePartitionKey(partitionKey));
  }

  setSerdeKwargs(kwargs: SerdeKwargs): void {
    this.serdeKwargs = kwargs;
    this.#incremental?.forgetAll();
  }

  cleanup(): Promise<void> {
    this.#cleanup ??= this.#ownsClient ? this.closeClient() : Promise.resolve();
    return this.#cleanup;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.cleanup();
  }

  #assertOpen(): void {
    if (this.#cleanup) throw new PersisterClosedError(this.describe());
  }

  /** The error an `insertRecord` throws when the key is taken. */
  protected conflict(key: StepKey, cause?: unknown): PersisterConflictError {
    return new PersisterConflictError(key, { cause });
  }

  /**
   * Decodes a stored record into what `load` returns. Every failure is a
   * {@link DeserializationError} naming the row's partition, app id and
   * sequence id.
   */
  protected toPersistedData(record: StoredStateRecord): PersistedStateData {
    try {
      if (!isPersistStatus(record.status)) throw new DeserializationError(`unknown status ${JSON.stringify(record.status)}`);
      const sequenceId = typeof record.sequenceId === 'string' && !/^\d+$/.test(record.sequenceId) ? Number.NaN : Number(record.sequenceId);
      if (!Number.isSafeInteger(sequenceId) || sequenceId < 0) throw new DeserializationError('the sequence id is not a non-negative integer');
      return {
        partitionKey: record.partitionKey ?? '',
        appId: record.appId,
        sequenceId,
        position: record.position,
        state: decodeState(record.state, this.serdeKwargs),
        createdAt: record.createdAt === null ? new Date(0) : parseTimestamp(record.createdAt),
        status: record.status,
      };
    } catch (error) {
      throw storedStepError(record, error);
    }
  }
}
