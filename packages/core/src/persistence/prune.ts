import { InvalidPersistArgumentError } from '../errors.js';
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
  const report: PruneReport = { dryRun: plan.dryRun, appsScanned: 0, appsPruned: 0, stepsRemoved: 0, bytesRemoved: 0 };
  for await (const app of appsOfTarget(backend, options.target ?? 'all')) {
    options.signal?.throwIfAborted();
    report.appsScanned++;
    const removed = await pruneApp(backend, app, plan, report, options);
    if (removed > 0) report.appsPruned++;
    options.onProgress?.({ ...report });
  }
  return report;
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

/** Prunes one app; returns the steps it removed (or would). */
async function pruneApp(backend: PruneBackend, app: AppRef, plan: PrunePlan, report: PruneReport, options: PruneOptions): Promise<number> {
  const query = { partitionKey: app.partitionKey, appId: app.appId, withState: false };
  const newest = await backend.findSteps({ ...query, newestFirst: true, before: undefined, after: undefined, limit: plan.keepLast });
  if (newest.length < plan.keepLast) return 0;
  const keptFrom = storedSequenceId(newest[newest.length - 1]!.sequenceId);
  const createdBefore = plan.olderThan && { createdAt: plan.olderThan, createdAtMicros: 0 };
  let removedHere = 0;
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
      removedHere += removed;
      report.stepsRemoved += removed;
      report.bytesRemoved += going.reduce((sum, step) => sum + Number(step.sizeBytes), 0);
      options.onProgress?.({ ...report });
    }
    // Steps are saved in sequence order, so past the first one too recent to go, none older follow.
    if (batch.length < plan.batchSize || going.length < batch.length) break;
    after = to;
  }
  return removedHere;
}

function savedBefore(step: StoredStepSummary, time: Date): boolean {
  return step.createdAt !== null && parseTimestamp(step.createdAt).getTime() < time.getTime();
}
