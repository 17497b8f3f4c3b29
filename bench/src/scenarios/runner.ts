/** The runner alone: steps per second of a small 3-action app (filled in once bench/src/runner-only.ts lands). */
import type { RunnerResult } from '../report.js';
import type { Budget } from '../timing.js';

export async function runnerResults(_budget: Budget): Promise<RunnerResult[] | { unavailable: string }> {
  return { unavailable: 'bench/src/runner-only.ts not written yet' };
}
