import { convertStorage, DEFAULT_CONVERSION_BATCH_SIZE, type ConversionTarget, type StorageConversionReport } from '@burr/core';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, parseInteger, storeOptionsOf, takeStore } from '../args.js';
import type { Command } from '../command.js';
import { CommandFailure, EXIT, UsageError } from '../errors.js';
import { describePartition, formatBytes, jsonDocument, plural } from '../format.js';
import { openStoreModes } from '../open-store.js';
import { conversionProgressText, progressLine } from '../progress.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...PARTITION_OPTION,
  to: { type: 'string' },
  app: { type: 'string' },
  'all-partitions': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'batch-size': { type: 'string' },
  progress: { type: 'boolean' },
} as const;

/** Largest `--batch-size`: a page of steps. */
const MAX_BATCH_SIZE = 1000;

const MODES = ['incremental', 'full'] as const;
type Mode = (typeof MODES)[number];

/** `burr convert`: moves apps between the full (Python's) and the incremental storage mode of a SQL table. */
export const convertCommand: Command = {
  name: 'convert',
  summary: 'move apps between full (Python) and incremental storage (--to incremental|full)',
  usage: `Usage: burr convert URL --to incremental|full [--dry-run]
                 [--partition KEY | --all-partitions] [--app APP_ID] [--batch-size N] [--progress]

Moves every step of the apps chosen from one storage mode of the table to
the other: --to incremental (snapshots and deltas, in <table>_incremental),
or --to full (the table Python Burr reads). Each step keeps its state,
position, status and save time. An app's steps leave the old mode only once
all of them are stored in the new one, so a run stopped at any point (Ctrl-C,
a crash) loses nothing: run the same command again and it resumes. Stop the
applications that write these apps first. Every store: a SQL table
(sqlite, libsql, postgres, mysql), a Redis namespace or a MongoDB collection.

  --to MODE             incremental or full: the mode to move the steps to
  --dry-run             read every step and report what would move and its
                        size in the other mode (estimated); change nothing
  --partition KEY       only this partition's apps (default: none, '')
  --all-partitions      every partition's apps
  --app APP_ID          only this app (of --partition)
  --batch-size N        steps read per batch, 1 to ${MAX_BATCH_SIZE} (default ${DEFAULT_CONVERSION_BATCH_SIZE})
  --progress            progress on stderr even when it is not a terminal

Progress shows on stderr when it is a terminal. Ctrl-C stops between
batches and reports what was converted so far (exit code 130).

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    expectPositionals(target.rest, []);
    const to = values.to;
    if (to === undefined) throw new UsageError('give --to incremental or --to full: the storage mode to move the steps to');
    if (!(MODES as readonly string[]).includes(to)) throw new UsageError(`--to takes incremental or full, got ${JSON.stringify(to)}`);
    const toMode = to as Mode;
    const fromMode: Mode = toMode === 'incremental' ? 'full' : 'incremental';
    const batchSize = parseInteger('--batch-size', values['batch-size'], 1, MAX_BATCH_SIZE);
    const allPartitions = values['all-partitions'] === true;
    if (allPartitions && values.partition !== undefined) throw new UsageError('give --partition KEY or --all-partitions, not both');
    if (allPartitions && values.app !== undefined) throw new UsageError('--app names an app of one partition (--partition KEY); it does not go with --all-partitions');
    const partitionKey = values.partition ?? '';
    const conversionTarget: ConversionTarget = allPartitions ? 'all' : values.app === undefined ? { partitionKey } : { partitionKey, appId: values.app };
    const scope = allPartitions
      ? 'every app of every partition'
      : `${values.app === undefined ? 'every app' : `app ${JSON.stringify(values.app)}`} of ${describePartition(partitionKey)}`;
    const dryRun = values['dry-run'] === true;

    const { io } = context;
    context.store = target.store;
    const opened = await openStoreModes(target.store, storeOptionsOf(values));
    const from = fromMode === 'full' ? opened.full : opened.incremental;
    const into = toMode === 'full' ? opened.full : opened.incremental;
    const progress = progressLine(io, values.progress === true, conversionProgressText);
    let soFar: StorageConversionReport = {
      dryRun,
      from: fromMode,
      to: toMode,
      appsScanned: 0,
      appsConverted: 0,
      stepsConverted: 0,
      stepsResumed: 0,
      bytesBefore: 0,
      bytesAfter: 0,
    };
    let report: StorageConversionReport;
    let interrupted = false;
    try {
      if (!(await from.isInitialized())) {
        throw new CommandFailure('BURR_CLI_NO_STORE', `${opened.description} holds no steps in ${fromMode} mode: nothing to convert (or the steps are under another --table)`);
      }
      const signal = io.interrupts();
      try {
        const onProgress = (current: StorageConversionReport) => {
          soFar = current;
          progress.update(current);
        };
        report = await convertStorage({ from, to: into, target: conversionTarget, dryRun, batchSize, signal, onProgress });
      } catch (error) {
        // Ctrl-C: the conversion stopped between batches; what it converted is in the last progress report.
        if (!signal.aborted) throw error;
        report = soFar;
        interrupted = true;
      } finally {
        progress.finish();
      }
    } finally {
      await Promise.allSettled([opened.full.cleanup(), opened.incremental.cleanup()]);
    }

    if (context.json) {
      io.out(jsonDocument({ ...report, interrupted, target: conversionTarget }));
    } else {
      io.out(`Store: ${opened.description}; ${scope}\nMove:  ${fromMode} → ${toMode} storage\n`);
      io.out(`${summaryText(report, interrupted)}\n`);
    }
    return interrupted ? EXIT.interrupted : EXIT.ok;
  },
};

function summaryText(report: StorageConversionReport, interrupted: boolean): string {
  const apps = `${report.appsConverted} of ${plural(report.appsScanned, 'app')} scanned`;
  const sizes = `${formatBytes(report.bytesBefore)} in ${report.from} mode, ${formatBytes(report.bytesAfter)} in ${report.to} mode`;
  const resumed = report.stepsResumed > 0 ? `; ${plural(report.stepsResumed, 'step')} of them were there already (from an earlier run, or written by another one meanwhile)` : '';
  if (report.dryRun) {
    const amount = `${plural(report.stepsConverted, 'step')} of ${apps} (${formatBytes(report.bytesBefore)} in ${report.from} mode, about ${formatBytes(report.bytesAfter)} in ${report.to} mode)`;
    return `${interrupted ? 'Interrupted dry run; so far it' : 'Dry run: it'} would convert ${amount}. Nothing was written or removed.`;
  }
  if (interrupted) {
    return `Interrupted: converted ${plural(report.stepsConverted, 'step')} (${sizes}) of ${apps} before stopping${resumed}. An app stopped midway stays whole in ${report.from} mode; run the same command again to finish.`;
  }
  return `Converted ${plural(report.stepsConverted, 'step')} of ${apps} (${sizes})${resumed}.`;
}
