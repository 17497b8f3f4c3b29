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
 * batch is one removal of a sequence-id range. So no statement touches more
 * than a batch of rows, an app's latest step always stays, and a dry run
 * reads exactly what a real run would remove.
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

/** Prunes one app, adding what it removes (or would) to `report` batch by batch. */
async function pruneApp(backend: PruneBackend, app: AppRef, plan: PrunePlan, report: PruneReport, options: PruneOptions): Promise<void> {
  const query = { partitionKey: app.partitionKey, appId: app.appId, withState: false };
  const newest = await backend.findSteps({ ...query, newestFirst: true, before: undefined, after: undefined, limit: plan.keepLast });
  if (newest.length < plan.keepLast) return;
  const keptFrom = storedSequenceId(newest[newest.length - 1]!.sequenceId);
  const createdBefore = plan.olderThan && { createdAt: plan.olderThan, createdAtMicros: 0 };
  let after: number | undefined;
  for (;;) {
    // A synchronous driver (better-sqlite3) never yields on its own: let a signal handler (Ctrl-C) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    const batch = await backend.findSteps({ ...query, newestFirst: false, before: keptFrom, after, limit: plan.batchSize });
    if (batch.length === 0) break;
    const from = storedSequenceId(batch[0]!.sequenceId);
    const to = storedSequenceId(batch[batch.length - 1]!.sequenceId);
    const going = plan.olderThan ? batch.filter((step) => savedBefore(step, plan.olderThan!)) : batch;
    if (going.length > 0) {
      const removed = plan.dryRun ? going.length : await backend.removeSteps({ ...app, fromSequenceId: from, toSequenceId: to, createdBefore });
      report.stepsRemoved += removed;
      report.bytesRemoved += going.reduce((sum, step) => sum + Number(step.sizeBytes), 0);
      options.onProgress?.({ ...report });
    }
    // Steps are saved in sequence order, so past the first one too recent to go, none older follow.
    if (batch.length < plan.batchSize || going.length < batch.length) break;
    after = to;
  }
}

function savedBefore(step: StoredStepSummary, time: Date): boolean {
  return step.createdAt !== null && parseTimestamp(step.createdAt).getTime() < time.getTime();
}
