import type { PruneReport, StorageConversionReport } from '@burr/core';
import { formatBytes, formatCount, plural } from './format.js';
import type { CliIo } from './io.js';

/** How often the progress line may change: often enough to look alive, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 250;

/** Shows a long command's progress (a prune, a conversion) on stderr, throttled, and clears it at the end. */
export interface ProgressLine<R> {
  update(report: R): void;
  /** Removes a terminal progress line, so the summary starts on a clean line. */
  finish(): void;
}

/**
 * A progress display on stderr: one line rewritten in place on a terminal;
 * with `forced` (`--progress`) and no terminal, a line per update. Without
 * either, nothing. `describe` words a report.
 */
export function progressLine<R>(io: CliIo, forced: boolean, describe: (report: R) => string): ProgressLine<R> {
  const inPlace = io.stderrIsTTY;
  if (!inPlace && !forced) return { update() {}, finish() {} };
  let lastShownAt = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(report) {
      const now = performance.now();
      if (now - lastShownAt < PROGRESS_INTERVAL_MS) return;
      lastShownAt = now;
      const text = describe(report);
      if (inPlace) io.err(`\r\u001b[K${text}`);
      else io.err(`${text}\n`);
      shown = true;
    },
    finish() {
      if (inPlace && shown) io.err('\r\u001b[K');
    },
  };
}

/** `prune: 3 apps scanned, 1 pruned, removed 40 steps (1.2 MiB)`. */
export function pruneProgressText(report: PruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  return `prune: ${plural(report.appsScanned, 'app')} scanned, ${formatCount(report.appsPruned)} pruned, ${verb} ${plural(report.stepsRemoved, 'step')} (${formatBytes(report.bytesRemoved)})`;
}

/** `convert: 3 apps scanned, 2 converted, 1,000 steps (91.5 MiB → 558.0 KiB)`. */
export function conversionProgressText(report: StorageConversionReport): string {
  const verb = report.dryRun ? 'would convert' : 'converted';
  return `convert: ${plural(report.appsScanned, 'app')} scanned, ${formatCount(report.appsConverted)} ${verb}, ${plural(report.stepsConverted, 'step')} (${formatBytes(report.bytesBefore)} → ${formatBytes(report.bytesAfter)})`;
}
