import type { PruneReport } from '@burr/core';
import { formatBytes, formatCount, plural } from './format.js';
import type { CliIo } from './io.js';

/** How often the progress line may change: often enough to look alive, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 250;

/** Shows a prune's progress on stderr, throttled, and clears it at the end. */
export interface ProgressLine {
  update(report: PruneReport): void;
  /** Removes a terminal progress line, so the summary starts on a clean line. */
  finish(): void;
}

/**
 * A progress display on stderr: one line rewritten in place on a terminal;
 * with `forced` (`--progress`) and no terminal, a line per update. Without
 * either, nothing.
 */
export function progressLine(io: CliIo, forced: boolean): ProgressLine {
  const inPlace = io.stderrIsTTY;
  if (!inPlace && !forced) return { update() {}, finish() {} };
  let lastShownAt = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(report) {
      const now = performance.now();
      if (now - lastShownAt < PROGRESS_INTERVAL_MS) return;
      lastShownAt = now;
      const text = progressText(report);
      if (inPlace) io.err(`\r\u001b[K${text}`);
      else io.err(`${text}\n`);
      shown = true;
    },
    finish() {
      if (inPlace && shown) io.err('\r\u001b[K');
    },
  };
}

function progressText(report: PruneReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  return `prune: ${plural(report.appsScanned, 'app')} scanned, ${formatCount(report.appsPruned)} pruned, ${verb} ${plural(report.stepsRemoved, 'step')} (${formatBytes(report.bytesRemoved)})`;
}
