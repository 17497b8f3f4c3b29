import {
  type BurrError,
  ConcurrentDependentError,
  DeserializationError,
  InvalidPersistArgumentError,
  PruneIncompleteError,
  StateTooLargeError,
  type PruneFailure,
} from '../errors.js';
import { DEFAULT_PRUNE_BATCH_SIZE, type PruneOptions, type PruneReport } from './history.js';
import { storedSequenceId } from './history-pages.js';
import type { AppRef, AppScan, StepQuery, StepRemoval, StoredStepSummary } from './stored-history.js';
import { parseTimestamp } from './timestamps.js';
import { appsOfTarget } from './target-apps.js';

/** The backend primitives a prune runs on (see `RecordStatePersister`). */
export interface PruneBackend {
  scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan>;
  findSteps(query: StepQuery): Promise<StoredStepSummary[]>;
  removeSteps(removal: StepRemoval): Promise<number>;
  /**
   * Remove an app's batches newest first (they are still listed oldest
   * first). Incremental storage sets it: a removal rewrites as a snapshot each
   * kept delta whose base it removes, so oldest first would rewrite the step
   * above every batch (and remove it with the next one), newest first only
   * the oldest kept step. A prune stopped part way then leaves an app's
   * oldest steps and its kept ones, with a gap between.
   */
  removesNewestBatchFirst?: boolean;
}

const MAX_BATCH_SIZE = 10_000;

interface PrunePlan {
  keepLast: number;
  olderThan: Date | undefined;
  dryRun: boolean;
  batchSize: number;
}

/**
 * Prunes app by app: for each, the sequence id of its `keepLast`-th newest
 * step (or of its latest) bounds what may go; steps below it are read
 * oldest first, one batch at a time, through the history index, and each
 * batch (removed in that order, or newest first: see
 * {@link PruneBackend.removesNewestBatchFirst}) is one removal of whole
 * sequence ids, which removes nothing unless
 * that kept step is still stored as it was read (an app deleted and started
 * again meanwhile is left alone). So no statement touches more than a batch of
 * rows, an app's latest step always stays, and a dry run reads exactly what
 * a real run would remove.
 */
export async function pruneSteps(backend: PruneBackend, options: PruneOptions): Promise<PruneReport> {
  const plan = prunePlan(options);
  const report: PruneReport = { dryRun: plan.dryRun, appsScanned: 0, appsPruned: 0, stepsRemoved: 0, bytesRemoved: 0, appsFailed: 0 };
  const failures: PruneFailure[] = [];
  for await (const app of appsOfTarget(backend, options.target ?? 'all')) {
    options.signal?.throwIfAborted();
    report.appsScanned++;
    const stepsBefore = report.stepsRemoved;
    try {
      await pruneApp(backend, app, plan, report, options);
      if (report.stepsRemoved > stepsBefore) report.appsPruned++;
    } catch (error) {
      if (!isAppFailure(error)) throw error;
      const failure = { ...app, error };
      failures.push(failure);
      report.appsFailed++;
      options.onAppFailure?.(failure);
    }
    options.onProgress?.({ ...report });
  }
  if (failures.length > 0) throw new PruneIncompleteError({ ...report }, failures);
  return report;
}

/**
 * An error about one app's stored steps, after which the prune goes on with
 * the next app; any other (a lost connection, a closed persister, an abort)
 * ends the prune at once.
 */
function isAppFailure(error: unknown): error is BurrError {
  return error instanceof DeserializationError || error instanceof ConcurrentDependentError || error instanceof StateTooLargeError;
}

function prunePlan(options: PruneOptions): PrunePlan {
  const { keepLast, olderThan, batchSize = DEFAULT_PRUNE_BATCH_SIZE } = options;
  if (keepLast === undefined && olderThan === undefined)
    throw new InvalidPersistArgumentError('prune needs keepLast, olderThan or both: with neither, every step but the latest would go');
  if (keepLast !== undefined && (!Number.isSafeInteger(keepLast) || keepLast < 1))
    throw new InvalidPersistArgumentError(`keepLast must be an integer of at least 1, got ${String(keepLast)}`);
  if (olderThan !== undefined && !(olderThan instanceof Date && !Number.isNaN(olderThan.getTime()))) throw new InvalidPersistArgumentError('olderThan must be a valid Date');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
    throw new InvalidPersistArgumentError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${String(batchSize)}`);
  return { keepLast: keepLast ?? 1, olderThan, dryRun: options.dryRun === true, batchSize };
}

/** One removal of a prune: whole sequence ids `from`..`to`, and the steps of it that go as they were listed. */
interface PruneBatch {
  from: number;
  to: number;
  steps: number;
  bytes: number;
}

/** Prunes one app, adding what it removes (or would) to `report` batch by batch. */
async function pruneApp(backend: PruneBackend, app: AppRef, plan: PrunePlan, report: PruneReport, options: PruneOptions): Promise<void> {
  const query = { partitionKey: app.partitionKey, appId: app.appId, withState: false };
  const newest = await backend.findSteps({ ...query, newestFirst: true, before: undefined, after: undefined, limit: plan.keepLast });
  if (newest.length < plan.keepLast) return;
  const oldestKept = newest[newest.length - 1]!;
  const keptFrom = storedSequenceId(oldestKept.sequenceId);
  const keptStep = { sequenceId: keptFrom, position: oldestKept.position, createdAt: oldestKept.createdAt };
  const createdBefore = plan.olderThan && { createdAt: plan.olderThan, createdAtMicros: 0 };
  let batches: AsyncIterable<PruneBatch> | PruneBatch[] = listBatches(backend, query, keptFrom, plan, options);
  if (backend.removesNewestBatchFirst) {
    const listed: PruneBatch[] = [];
    for await (const batch of batches) listed.push(batch);
    batches = listed.reverse();
  }
  for await (const batch of batches) {
    await betweenBatches(options);
    const removed = plan.dryRun ? batch.steps : await backend.removeSteps({ ...app, fromSequenceId: batch.from, toSequenceId: batch.to, createdBefore, keptStep });
    if (removed > 0) {
      report.stepsRemoved += removed;
      report.bytesRemoved += batch.bytes;
      options.onProgress?.({ ...report });
    } else if (!(await stillStored(backend, query, oldestKept))) {
      // The app was deleted (and maybe started again, its new steps below keptFrom): nothing more is this prune's.
      return;
    }
    // Otherwise another prune took the batch first, or the store's time comparison kept what savedBefore let go.
  }
}

/**
 * The batches of steps below `keptFrom` that go, oldest first, listed one at
 * a time through the history index (each listed after the one before it was
 * used): whole sequence ids, at most `batchSize` steps each; with
 * `olderThan`, up to the first step saved after it.
 */
async function* listBatches(backend: PruneBackend, query: AppStepsQuery, keptFrom: number, plan: PrunePlan, options: PruneOptions): AsyncGenerator<PruneBatch> {
  let after: number | undefined;
  for (;;) {
    await betweenBatches(options);
    // One step more than a batch: whether the batch's last sequence id has more positions beyond it.
    const found = await backend.findSteps({ ...query, newestFirst: false, before: keptFrom, after, limit: plan.batchSize + 1 });
    if (found.length === 0) return;
    const listed = await wholeSequenceIds(backend, query, found, plan.batchSize);
    const from = storedSequenceId(listed[0]!.sequenceId);
    const to = storedSequenceId(listed[listed.length - 1]!.sequenceId);
    const going = plan.olderThan ? listed.filter((step) => savedBefore(step, plan.olderThan!)) : listed;
    if (going.length > 0) yield { from, to, steps: going.length, bytes: going.reduce((sum, step) => sum + Number(step.sizeBytes), 0) };
    // Steps are saved in sequence order, so past the first one too recent to go, none older follow.
    if (found.length <= plan.batchSize || going.length < listed.length) return;
    after = to;
  }
}

/** Lets a signal handler (Ctrl-C) run between batches, then honours the signal: a synchronous driver (better-sqlite3) never yields on its own. */
async function betweenBatches(options: PruneOptions): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  options.signal?.throwIfAborted();
}

type AppStepsQuery = Pick<StepQuery, 'partitionKey' | 'appId' | 'withState'>;

/**
 * The first `batchSize` steps of `found` (a batch and the step after it),
 * less those of the last sequence id when it goes on beyond the batch: a
 * removal takes whole sequence ids, and what it removes must be what was
 * listed. When the batch holds that one sequence id only, every step at it.
 */
async function wholeSequenceIds(backend: PruneBackend, query: AppStepsQuery, found: StoredStepSummary[], batchSize: number): Promise<StoredStepSummary[]> {
  const batch = found.slice(0, batchSize);
  const next = found[batchSize];
  if (next === undefined || batch[batch.length - 1]!.sequenceId !== next.sequenceId) return batch;
  const whole = batch.filter((step) => step.sequenceId !== next.sequenceId);
  return whole.length > 0 ? whole : stepsAt(backend, query, storedSequenceId(next.sequenceId));
}

/** Every step (position) at one sequence id, oldest first. */
function stepsAt(backend: PruneBackend, query: AppStepsQuery, sequenceId: number): Promise<StoredStepSummary[]> {
  return backend.findSteps({ ...query, newestFirst: false, after: sequenceId - 1, before: sequenceId + 1, limit: MAX_BATCH_SIZE });
}

/** Whether `step` is still stored as it was listed (same key and save time). */
async function stillStored(backend: PruneBackend, query: AppStepsQuery, step: StoredStepSummary): Promise<boolean> {
  const stored = await stepsAt(backend, query, storedSequenceId(step.sequenceId));
  return stored.some((candidate) => candidate.position === step.position && sameSaveTime(candidate.createdAt, step.createdAt));
}

function sameSaveTime(a: StoredStepSummary['createdAt'], b: StoredStepSummary['createdAt']): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}

function savedBefore(step: StoredStepSummary, time: Date): boolean {
  return step.createdAt !== null && parseTimestamp(step.createdAt).getTime() < time.getTime();
}
