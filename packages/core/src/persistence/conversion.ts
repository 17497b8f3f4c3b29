import { InvalidPersistArgumentError, StorageConversionError } from '../errors.js';
import type { BaseStatePersister } from './contract.js';
import { STORAGE_CONVERSION, type ConvertedStep, type StorageConversionAccess, type StoredStepKey } from './conversion-access.js';
import { MAX_PAGE_SIZE, type PruneTarget } from './history.js';
import { InMemoryPersister } from './in-memory.js';
import type { StorageMode } from './incremental/options.js';
import { rowKey } from './incremental/chain.js';
import type { RecordStatePersister } from './record-persister.js';
import { sameStateContent } from './same-content.js';
import type { AppRef } from './stored-history.js';
import { appsOfTarget } from './target-apps.js';

/** Default of {@link ConvertStorageOptions.batchSize}. */
export const DEFAULT_CONVERSION_BATCH_SIZE = 100;

/** How many times one app is gone over when new steps keep arriving in the source's mode before the conversion gives up on it. */
const MAX_ROUNDS_PER_APP = 5;

/** Which apps {@link convertStorage} moves: every app of every partition (`'all'`), a partition's apps, or one app. Same shape as a prune's target. */
export type ConversionTarget = PruneTarget;

/** Options of {@link convertStorage}. */
export interface ConvertStorageOptions {
  /** The persister the steps are stored with now. */
  from: BaseStatePersister;
  /**
   * A persister on the same store and table, in the other storage mode (for
   * SQL persisters: the same class, database, schema and `tableName`; for
   * `InMemoryPersister`: the same `InMemoryStore`). Its settings
   * (`snapshotEvery`, `snapshotBytes`, serde options) are those the converted
   * steps are written with. A run (not a dry run) calls `initialize()` on both:
   * the target's table is created when missing, and so is the source's app
   * index (a table Python Burr made has none).
   */
  to: BaseStatePersister;
  /** Every app of every partition (default), a partition's apps (`{ partitionKey }`), or one app (`{ partitionKey, appId }`). */
  target?: ConversionTarget | undefined;
  /** Steps read (and written) per batch, 1 to 1,000; default {@link DEFAULT_CONVERSION_BATCH_SIZE}. A full-mode batch holds that many whole states in memory. */
  batchSize?: number | undefined;
  /**
   * Read every step and compute what would be written (into memory), write
   * and remove nothing: counts what would move and estimates its size in the
   * target mode (as JSON bytes, see {@link StorageConversionReport.bytesAfter}).
   */
  dryRun?: boolean | undefined;
  /** Called after each batch and after each app, with the totals so far. May throw to stop the conversion (a re-run completes it). */
  onProgress?: ((progress: StorageConversionReport) => void) | undefined;
  /** Stops between batches; the promise then rejects with the signal's reason. A re-run completes what was left. */
  signal?: AbortSignal | undefined;
}

/** What {@link convertStorage} moved (or, with `dryRun`, would move). */
export interface StorageConversionReport {
  dryRun: boolean;
  /** The mode the steps were stored in. */
  from: StorageMode;
  /** The mode they are stored in now. */
  to: StorageMode;
  /** Apps of the source looked at. */
  appsScanned: number;
  /** Apps now stored only in the target mode (or that would be). */
  appsConverted: number;
  /** Steps now stored in the target mode (or that would be): written, or found there already. One row per step in either mode. */
  stepsConverted: number;
  /**
   * Of {@link StorageConversionReport.stepsConverted}, those found already in
   * the target with the same content: left there by an interrupted
   * conversion, or written by another one running at the same time.
   */
  stepsResumed: number;
  /** The steps' stored size in the source mode: the sum of their `listSteps` `sizeBytes`. */
  bytesBefore: number;
  /**
   * Their stored size in the target mode, as `listSteps` reports it. In a dry
   * run, an estimate: the JSON bytes the target mode would store (exact for
   * SQLite, libSQL and MySQL; PostgreSQL reports its compressed size).
   */
  bytesAfter: number;
}

/**
 * Moves the steps of one app, one partition or a whole table from one
 * storage mode to the other (docs/incremental-storage.md in the repository,
 * "Converting between modes"): full to incremental, or back to full, the
 * format Python Burr reads. App by app, each step is read through the source
 * (its state rebuilt or decoded, its status, position and save time to the
 * microsecond), oldest first, and written through the target with its own
 * save time: in incremental mode as a snapshot followed by deltas, computed
 * by comparing values (decoded states share no objects); several positions
 * at one sequence id are each kept. Once every step of the app is in the
 * target, the copied steps are removed from the source; an app stops being
 * in both modes only then.
 *
 * Safe to stop at any point (a crash, an error, `signal`, a throwing
 * `onProgress`): no step is removed before its copy is stored, and a re-run
 * resumes. An app found in both modes is resumed when the target's steps are
 * the source's (same status and content); otherwise it stops with
 * {@link StorageConversionError} (`steps-differ`) and leaves both as they
 * are. Stop the applications writing the apps being converted first: a save
 * in the old mode while its app is converted is copied by a later round (up
 * to 5 rounds, then `app-still-written`), but a process that keeps saving in
 * the old mode puts the app back in both modes.
 *
 * Throws {@link StorageConversionError} before any I/O for persisters that
 * cannot convert (`unsupported-persister`, `same-mode`, `different-stores`;
 * the last also once the first app is read, when the target does not see
 * the source's table), and {@link InvalidPersistArgumentError} for bad options.
 *
 * @example
 * const from = SQLitePersister.fromValues({ dbPath: './burr.db' });
 * const to = SQLitePersister.fromValues({ dbPath: './burr.db', storage: 'incremental' });
 * const report = await convertStorage({ from, to, target: { partitionKey: 'user-7' } });
 * // report.stepsConverted, report.bytesBefore → report.bytesAfter
 */
export async function convertStorage(options: ConvertStorageOptions): Promise<StorageConversionReport> {
  const { source, target } = conversionSides(options);
  const batchSize = options.batchSize ?? DEFAULT_CONVERSION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PAGE_SIZE)
    throw new InvalidPersistArgumentError(`batchSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(batchSize)}`);
  const apps = appsOfTarget(source, options.target ?? 'all');
  const dryRun = options.dryRun === true;
  const report: StorageConversionReport = {
    dryRun,
    from: source.mode,
    to: target.mode,
    appsScanned: 0,
    appsConverted: 0,
    stepsConverted: 0,
    stepsResumed: 0,
    bytesBefore: 0,
    bytesAfter: 0,
  };
  if (!(await options.from.isInitialized())) return report;
  if (!dryRun) {
    // The source too: a table Python Burr made has no app index until initialize() creates and fills it.
    await options.from.initialize();
    await options.to.initialize();
  }
  const run: ConversionRun = {
    source,
    target,
    targetReadable: dryRun ? await options.to.isInitialized() : true,
    sameStoreChecked: false,
    batchSize,
    dryRun,
    report,
    options,
  };
  for await (const app of apps) {
    options.signal?.throwIfAborted();
    report.appsScanned++;
    if (await convertApp(run, app)) report.appsConverted++;
    options.onProgress?.({ ...report });
  }
  return report;
}

interface ConversionRun {
  source: StorageConversionAccess;
  target: StorageConversionAccess;
  /** Whether the target's table exists (a dry run does not create it). */
  targetReadable: boolean;
  sameStoreChecked: boolean;
  batchSize: number;
  dryRun: boolean;
  report: StorageConversionReport;
  options: ConvertStorageOptions;
}

/** The two persisters' conversion access, checked: both convertible, on one store, in different modes. */
function conversionSides(options: ConvertStorageOptions): { source: StorageConversionAccess; target: StorageConversionAccess } {
  if (options === null || typeof options !== 'object') throw new InvalidPersistArgumentError('convertStorage() takes one options object');
  const source = accessOf(options.from, 'from');
  const target = accessOf(options.to, 'to');
  if (source.mode === target.mode) {
    throw new StorageConversionError('same-mode', `${source.describe()} and ${target.describe()} both store in ${source.mode} mode; open one of them with the other storage mode`);
  }
  if (source.storeName !== target.storeName) {
    throw new StorageConversionError(
      'different-stores',
      `${source.storeName} and ${target.storeName} are not the same store and table: a conversion moves steps within one table (open both with the same class, table and schema)`,
    );
  }
  return { source, target };
}

function accessOf(persister: BaseStatePersister, role: 'from' | 'to'): StorageConversionAccess {
  const open = (persister as Partial<{ [STORAGE_CONVERSION]: () => StorageConversionAccess }> | null)?.[STORAGE_CONVERSION];
  if (typeof open !== 'function') {
    throw new StorageConversionError('unsupported-persister', `${role}: a conversion needs a persister with storage modes (a SQL persister or InMemoryPersister)`);
  }
  return open.call(persister);
}

/** Converts one app; resolves whether it is now (or, in a dry run, would be) stored only in the target mode. */
async function convertApp(run: ConversionRun, app: AppRef): Promise<boolean> {
  const { source } = run;
  // A dry run writes into memory, in the target's mode and settings, to measure what the target would store.
  const writer = run.dryRun ? await scratchTwin(run.target) : run.target;
  let converted = false;
  try {
    for (let round = 1; ; round++) {
      const copied = await copySteps(run, app, writer);
      if (copied === undefined) return converted;
      converted = true;
      if (run.dryRun) return true;
      // A step saved meanwhile at or below the last sequence id copied (another position, a rewind) is copied by another
      // round before anything is removed: the removal takes a range of sequence ids.
      if (!(await holdsStepsNotIn(source, app, copied))) {
        const { appGone } = await source.removeConverted(app.partitionKey, app.appId, copied.upTo);
        if (appGone) return true;
      }
      if (round === MAX_ROUNDS_PER_APP) {
        throw new StorageConversionError(
          'app-still-written',
          `App ${JSON.stringify(app.appId)} in partition ${JSON.stringify(app.partitionKey)} kept getting new steps in ${source.mode} mode while it was converted (${round} rounds); stop the applications that write it and run the conversion again`,
          app,
        );
      }
    }
  } finally {
    run.target.forget(app.partitionKey, app.appId);
  }
}

/** What one round of {@link copySteps} copied: the steps up to `upTo` the source held when it began. */
interface CopiedSteps {
  upTo: number;
  /** Row keys of every step copied (written, or found in the target). */
  keys: Set<string>;
}

/**
 * Copies the app's steps up to the highest sequence id the source holds
 * when it begins into `writer`, oldest first, and checks that the target
 * then holds each of them. Resolves `undefined` when the source holds no
 * step of the app.
 */
async function copySteps(run: ConversionRun, app: AppRef, writer: StorageConversionAccess): Promise<CopiedSteps | undefined> {
  const { source, target, report, options } = run;
  const { partitionKey, appId } = app;
  const upTo = await source.latestSequenceId(partitionKey, appId);
  if (upTo === null) return undefined;
  // Steps the target holds already (an interrupted conversion): compared page by page, never written again.
  let resuming = run.targetReadable && (await target.stepKeys(partitionKey, appId, undefined, undefined, 1)).length > 0;
  const keys = new Set<string>();
  let after: number | undefined;
  for (let more = true; more; ) {
    // A synchronous driver (better-sqlite3) never yields on its own: let a signal handler (Ctrl-C) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    const page = await source.readSteps(partitionKey, appId, after, upTo, run.batchSize);
    more = page.more;
    if (page.steps.length === 0) break;
    if (!run.sameStoreChecked) {
      await checkSameStore(run, app);
      run.sameStoreChecked = true;
    }
    const last = page.steps[page.steps.length - 1]!.sequenceId;
    const existing = resuming ? await targetSteps(target, app, after, last) : new Map<string, StoredStepKey>();
    const toCompare = page.steps.filter((step) => existing.has(rowKey(step)));
    if (toCompare.length > 0) await assertSameSteps(run, app, toCompare, existing);
    const written: StepKeyRef[] = [];
    for (const step of page.steps) {
      const found = existing.get(rowKey(step));
      if (found) {
        report.stepsResumed++;
        report.bytesAfter += found.sizeBytes;
      } else {
        if ((await writer.writeStep(step)) === 'same') {
          // Written meanwhile by another conversion (or a crashed one's last write): found, not written, by this one.
          resuming = true;
          report.stepsResumed++;
        }
        written.push({ sequenceId: step.sequenceId, position: step.position });
      }
      report.bytesBefore += step.sizeBytes;
      report.stepsConverted++;
      keys.add(rowKey(step));
    }
    // Each batch written is read back (keys and sizes only) before the next: the source goes only once every copy is listed.
    report.bytesAfter += await verifyWritten(writer, app, written);
    after = last;
    options.onProgress?.({ ...report });
  }
  if (after === undefined) return undefined;
  return { upTo, keys };
}

/** Whether the source holds a step up to `copied.upTo` that the round did not copy (saved while it ran). */
async function holdsStepsNotIn(source: StorageConversionAccess, app: AppRef, copied: CopiedSteps): Promise<boolean> {
  let after: number | undefined;
  for (;;) {
    const keys = await source.stepKeys(app.partitionKey, app.appId, after, copied.upTo + 1, MAX_PAGE_SIZE);
    if (keys.some((key) => !copied.keys.has(rowKey(key)))) return true;
    if (keys.length < MAX_PAGE_SIZE) return false;
    const lastId = keys[keys.length - 1]!.sequenceId;
    after = lastId - 1 === after ? lastId : lastId - 1;
  }
}

interface StepKeyRef {
  sequenceId: number;
  position: string;
}

/** The target's steps of the app with sequence ids in `(after, last]`, by row key. */
async function targetSteps(target: StorageConversionAccess, app: AppRef, after: number | undefined, last: number): Promise<Map<string, StoredStepKey>> {
  const found = new Map<string, StoredStepKey>();
  let from = after;
  for (;;) {
    const keys = await target.stepKeys(app.partitionKey, app.appId, from, last + 1, MAX_PAGE_SIZE);
    for (const key of keys) found.set(rowKey(key), key);
    if (keys.length < MAX_PAGE_SIZE) return found;
    // A page ending inside a sequence id is read again from that id's start: the map keeps each row once.
    const lastId = keys[keys.length - 1]!.sequenceId;
    from = lastId - 1 === from ? lastId : lastId - 1;
  }
}

/** Throws `steps-differ` unless each step is stored in the target with the same status and content. */
async function assertSameSteps(run: ConversionRun, app: AppRef, steps: readonly ConvertedStep[], stored: ReadonlyMap<string, StoredStepKey>): Promise<void> {
  const { target } = run;
  const states = await target.statesOf(app.partitionKey, app.appId, steps);
  for (const [i, step] of steps.entries()) {
    if (stored.get(rowKey(step))?.status === step.status && sameStateContent(run.source.encode(step.state), target.encode(states[i]!))) continue;
    throw new StorageConversionError(
      'steps-differ',
      `App ${JSON.stringify(app.appId)} in partition ${JSON.stringify(app.partitionKey)} has steps in both modes, and step ${step.sequenceId} (position ${JSON.stringify(step.position)}) differs between them; nothing of the app was removed. Inspect both (listSteps, load) and delete the wrong copy with deleteApp through the persister of its mode`,
      app,
    );
  }
}

/** Checks that every step written is listed by `writer`; resolves their stored size. Throws `steps-differ` when one is missing. */
async function verifyWritten(writer: StorageConversionAccess, app: AppRef, written: readonly StepKeyRef[]): Promise<number> {
  if (written.length === 0) return 0;
  const wanted = new Set(written.map(rowKey));
  let bytes = 0;
  let after: number | undefined = written[0]!.sequenceId - 1;
  const last = written[written.length - 1]!.sequenceId;
  if (after < 0) after = undefined;
  while (wanted.size > 0) {
    const keys = await writer.stepKeys(app.partitionKey, app.appId, after, last + 1, MAX_PAGE_SIZE);
    for (const key of keys) if (wanted.delete(rowKey(key))) bytes += key.sizeBytes;
    if (keys.length < MAX_PAGE_SIZE) break;
    const lastId = keys[keys.length - 1]!.sequenceId;
    after = lastId - 1 === after ? lastId : lastId - 1;
  }
  if (wanted.size > 0) {
    throw new StorageConversionError(
      'steps-differ',
      `App ${JSON.stringify(app.appId)} in partition ${JSON.stringify(app.partitionKey)}: ${wanted.size} step(s) written in ${writer.mode} mode are not listed there afterwards (removed meanwhile?); nothing of the app was removed from the source`,
      app,
    );
  }
  return bytes;
}

/** Throws `different-stores` unless the target sees the source's steps of `app` as its other mode's. */
async function checkSameStore(run: ConversionRun, app: AppRef): Promise<void> {
  if (await run.target.otherModeHolds(app.partitionKey, app.appId)) return;
  throw new StorageConversionError(
    'different-stores',
    `${run.target.describe()} does not see the steps ${run.source.describe()} holds of app ${JSON.stringify(app.appId)}: the two persisters are on different databases or stores; a conversion moves steps within one table`,
  );
}

/** An in-memory persister in the target's mode and settings, for a dry run of one app. */
async function scratchTwin(target: StorageConversionAccess): Promise<StorageConversionAccess> {
  const persister: RecordStatePersister = new InMemoryPersister({
    serdeKwargs: target.serdeKwargs,
    ...(target.mode === 'incremental' ? { storage: 'incremental', ...target.incrementalSettings } : {}),
  });
  await persister.initialize();
  return persister[STORAGE_CONVERSION]();
}
