import { DEFAULT_PRUNE_BATCH_SIZE, type PruneFailure, type PruneReport, type PruneTarget } from '@burr/core';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, parseInteger, storeOptionsOf, takeStore } from '../args.js';
import { withStore, type Command } from '../command.js';
import { parseCutoff } from '../duration.js';
import { EXIT, UsageError } from '../errors.js';
import { describePartition, formatBytes, formatTime, jsonDocument, plural } from '../format.js';
import { progressLine, pruneProgressText } from '../progress.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...PARTITION_OPTION,
  'keep-last': { type: 'string' },
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean' },
  app: { type: 'string' },
  'all-partitions': { type: 'boolean' },
  'batch-size': { type: 'string' },
  progress: { type: 'boolean' },
} as const;

/** Largest `--batch-size` a persister accepts. */
const MAX_BATCH_SIZE = 10_000;

/** `burr prune`: removes old steps in bounded batches, never an app's latest. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove old steps (--keep-last N, --older-than 30d); never an app\u2019s latest',
  usage: `Usage: burr prune URL (--keep-last N | --older-than AGE | both) [--dry-run]
                 [--partition KEY | --all-partitions] [--app APP_ID] [--batch-size N] [--progress]

Removes old steps, app by app, in batches, so no statement holds locks for
long. An app's latest step always stays (to remove an app, use burr delete).
With both rules, a step goes only when both allow it.

  --keep-last N         keep each app's newest N steps (N >= 1)
  --older-than AGE      remove only steps saved before AGE ago: 30d, 12h, 15m,
                        45s, 2w, 1d12h; or before an ISO date (2025-01-31)
  --dry-run             count what would go, remove nothing
  --partition KEY       only this partition's apps (default: none, '')
  --all-partitions      every partition's apps
  --app APP_ID          only this app (of --partition)
  --batch-size N        steps per delete, 1 to ${MAX_BATCH_SIZE} (default ${DEFAULT_PRUNE_BATCH_SIZE})
  --progress            progress on stderr even when it is not a terminal

Progress shows on stderr when it is a terminal. Ctrl-C stops between
batches and reports what was removed so far (exit code 130). An app that
cannot be pruned (a kept delta that does not rebuild) is listed with its
error and the others are pruned (exit code 1).

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    expectPositionals(target.rest, []);
    const keepLast = parseInteger('--keep-last', values['keep-last'], 1);
    const olderThan = values['older-than'] === undefined ? undefined : parseCutoff(values['older-than']);
    if (keepLast === undefined && olderThan === undefined) throw new UsageError('give --keep-last N, --older-than AGE or both: with neither, every step but the latest would go');
    const batchSize = parseInteger('--batch-size', values['batch-size'], 1, MAX_BATCH_SIZE);
    const allPartitions = values['all-partitions'] === true;
    if (allPartitions && values.partition !== undefined) throw new UsageError('give --partition KEY or --all-partitions, not both');
    if (allPartitions && values.app !== undefined) throw new UsageError('--app names an app of one partition (--partition KEY); it does not go with --all-partitions');
    const partitionKey = values.partition ?? '';
    const pruneTarget: PruneTarget = allPartitions ? 'all' : values.app === undefined ? { partitionKey } : { partitionKey, appId: values.app };
    const scope = allPartitions
      ? 'every app of every partition'
      : `${values.app === undefined ? 'every app' : `app ${JSON.stringify(values.app)}`} of ${describePartition(partitionKey)}`;
    const dryRun = values['dry-run'] === true;

    const { io } = context;
    const progress = progressLine(io, values.progress === true, pruneProgressText);
    const signal = io.interrupts();
    let soFar: PruneReport = { dryRun, appsScanned: 0, appsPruned: 0, stepsRemoved: 0, bytesRemoved: 0, appsFailed: 0 };
    // Apps that could not be pruned, told as the prune goes on: listed at the end, after a Ctrl-C too.
    const failures: PruneFailure[] = [];
    const { report, interrupted, description } = await withStore(context, target, storeOptionsOf(values), async ({ persister, description }) => {
      try {
        const onProgress = (current: PruneReport) => {
          soFar = current;
          progress.update(current);
        };
        const onAppFailure = (failure: PruneFailure) => failures.push(failure);
        const done = await persister.prune({ target: pruneTarget, keepLast, olderThan, dryRun, batchSize, signal, onProgress, onAppFailure });
        return { report: done, interrupted: false, description };
      } catch (error) {
        // Some apps could not be pruned (listed through onAppFailure); the others were.
        if (isPruneIncomplete(error)) return { report: error.report, interrupted: false, description };
        // Ctrl-C: the prune stopped between batches; what it removed is in the last progress report.
        if (!signal.aborted) throw error;
        return { report: soFar, interrupted: true, description };
      } finally {
        progress.finish();
      }
    });

    if (context.json) {
      const failed = failures.map(({ partitionKey, appId, error }) => ({ partitionKey, appId, code: error.code, message: error.message }));
      io.out(jsonDocument({ ...report, interrupted, failures: failed, keepLast: keepLast ?? null, olderThan: olderThan ?? null, target: pruneTarget }));
    } else {
      io.out(`Store: ${description}; ${scope}\nRule:  ${ruleText(keepLast, olderThan)}\n`);
      io.out(`${summaryText(report, interrupted)}\n`);
      if (failures.length > 0) io.out(`${failuresText(failures)}\n`);
    }
    if (interrupted) return EXIT.interrupted;
    return failures.length > 0 ? EXIT.failed : EXIT.ok;
  },
};

/** `PruneIncompleteError`, recognized by its code (the persister package may carry its own copy of `@burr/core`). */
function isPruneIncomplete(error: unknown): error is { report: PruneReport } {
  return error instanceof Error && (error as { code?: unknown }).code === 'BURR_PRUNE_INCOMPLETE' && 'report' in error;
}

function failuresText(failures: readonly PruneFailure[]): string {
  const lines = failures.map(({ partitionKey, appId, error }) => `  app ${JSON.stringify(appId)} of ${describePartition(partitionKey)}: ${error.message} [${error.code}]`);
  return `Could not prune ${plural(failures.length, 'app')} (each keeps the steps from the batch that failed on):\n${lines.join('\n')}`;
}

/** What the prune keeps: a step goes only when every rule given lets it go. */
function ruleText(keepLast: number | undefined, olderThan: Date | undefined): string {
  const since = olderThan === undefined ? undefined : `saved since ${formatTime(olderThan)} UTC`;
  if (keepLast === undefined) return `keep steps ${since}, and each app's latest step`;
  const newest = `keep each app's newest ${plural(keepLast, 'step')}`;
  return since === undefined ? newest : `${newest}, and any step ${since}`;
}

function summaryText(report: PruneReport, interrupted: boolean): string {
  const amount = `${plural(report.stepsRemoved, 'step')} (${formatBytes(report.bytesRemoved)}) from ${report.appsPruned} of ${plural(report.appsScanned, 'app')} scanned`;
  if (report.dryRun) return `${interrupted ? 'Interrupted dry run; so far it' : 'Dry run: it'} would remove ${amount}. Nothing was removed.`;
  return interrupted ? `Interrupted: removed ${amount} before stopping; the rest is as it was.` : `Removed ${amount}.`;
}
