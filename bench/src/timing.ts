/**
 * Timing and statistics: adaptive iteration counts under a time budget.
 * Every operation is timed one call at a time with a monotonic clock, after
 * a warm-up, so medians and p95 describe single-call latency.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Latency summary of one measured operation, in milliseconds. */
export interface Stats {
  n: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

/** How long and how often to run one row. */
export interface Budget {
  /** Measured time to aim for, after warm-up. */
  budgetMs: number;
  minIterations: number;
  maxIterations: number;
  warmupMs: number;
  warmupIterations: number;
}

export const FULL_BUDGET: Budget = { budgetMs: 1200, minIterations: 30, maxIterations: 5000, warmupMs: 150, warmupIterations: 5 };
export const QUICK_BUDGET: Budget = { budgetMs: 250, minIterations: 10, maxIterations: 1000, warmupMs: 40, warmupIterations: 3 };

/**
 * An operation to time. It receives a number never passed before in this
 * process, so each call can write a fresh key (sequence id, checkpoint id).
 */
export type Operation = (unique: number) => unknown;

let counter = 0;
/** A fresh number for keys that must never repeat within the run. */
export function nextUnique(): number {
  return counter++;
}

/** Runs `op` for warm-up, then until the budget is spent (bounded by min/max iterations). */
export async function measure(op: Operation, budget: Budget): Promise<Stats> {
  return (await measureTogether([op], budget))[0]!;
}

/**
 * Times several operations doing the same work (floor, Burr, peer)
 * interleaved: each iteration runs every operation once, starting with a
 * different one each time, so drift (WAL checkpoints, GC, other processes on
 * the machine) lands on all of them alike. The budget is per operation.
 */
export async function measureTogether(ops: readonly Operation[], budget: Budget): Promise<Stats[]> {
  collectGarbage();
  for (const op of ops) {
    const warmStart = performance.now();
    for (let i = 0; i < budget.warmupIterations || performance.now() - warmStart < budget.warmupMs; i++) {
      await op(nextUnique());
      if (i >= budget.warmupIterations * 20) break;
    }
  }
  const samples: number[][] = ops.map(() => []);
  const total = budget.budgetMs * ops.length;
  const start = performance.now();
  // A slow operation (1 MB into a remote store) stops at 4x the budget even below minIterations, but never under 5 samples.
  for (let iteration = 0; iteration < budget.maxIterations; iteration++) {
    const elapsed = performance.now() - start;
    if (iteration >= budget.minIterations && elapsed >= total) break;
    if (iteration >= 5 && elapsed >= total * 4) break;
    for (let k = 0; k < ops.length; k++) {
      const index = (iteration + k) % ops.length;
      const unique = nextUnique();
      const t0 = performance.now();
      await ops[index]!(unique);
      samples[index]!.push(performance.now() - t0);
    }
  }
  return samples.map(summarize);
}

/** Median, p95 (nearest rank), mean, min and max of samples in milliseconds. */
export function summarize(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    n: sorted.length,
    medianMs: median,
    p95Ms: at(0.95),
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

/** Times one call (for bulk work and whole runs), in milliseconds. */
export async function timeOnce(op: () => unknown): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

let gc: (() => void) | undefined;
/**
 * Collects garbage between rows so one row's garbage is not billed to the
 * next. `--expose-gc` is switched on at run time because `tsx` owns the
 * command line.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
