import { afterAll, describe, expect, it } from 'vitest';
import { runCrashTrials } from '../src/crash-trials.js';
import { TRIAL_BACKENDS, prepareTrialStore } from '../src/trial-stores.js';

/** 20 lives per backend in full mode by default: enough to land kills mid-save, small enough for CI. */
const FULL_TRIALS = Number(process.env.BURR_RELIABILITY_TRIALS ?? 20);
/**
 * Fewer in incremental mode by default, to keep CI time in check (`pnpm trials`
 * runs 100 in each mode): with chains of 5 steps, each life still saves a
 * snapshot and deltas, and resumes from a chain a kill cut short.
 */
const INCREMENTAL_TRIALS = Number(process.env.BURR_RELIABILITY_INCREMENTAL_TRIALS ?? 8);
/**
 * Longer lives for those fewer trials: killed up to 300 ms after it resumed, a
 * life saved under one step on average while every suite of a CI line ran at
 * once (7 steps in 8 lives on PostgreSQL), too few to show the kills land mid-run.
 */
const INCREMENTAL_MAX_LIFE_MS = 800;

const runs = [
  ...TRIAL_BACKENDS.map((backend) => ({ backend, storage: 'full' as const, trials: FULL_TRIALS, maxLifeMs: undefined })),
  ...TRIAL_BACKENDS.map((backend) => ({ backend, storage: 'incremental' as const, trials: INCREMENTAL_TRIALS, maxLifeMs: INCREMENTAL_MAX_LIFE_MS })),
];

for (const { backend, storage, trials, maxLifeMs } of runs) {
  const store = await prepareTrialStore(backend, storage);
  if ('skip' in store) {
    describe.skip(`${backend} ${storage} crash trials [skipped: ${store.skip}]`, () => it('is skipped', () => {}));
    continue;
  }
  describe(`${backend} ${storage} crash trials`, () => {
    afterAll(() => store.dispose());
    it(`${trials} SIGKILLs at random moments lose, duplicate, skip and garble no saved step`, async () => {
      const report = await runCrashTrials(store.spec, { trials, maxLifeMs });
      expect(report.problems).toEqual([]);
      expect({
        lost: report.lost,
        duplicated: report.duplicated,
        gaps: report.gaps,
        inconsistent: report.inconsistent,
        startupFailures: report.startupFailures,
      }).toEqual({ lost: 0, duplicated: 0, gaps: 0, inconsistent: 0, startupFailures: 0 });
      // The kills must have landed while the app was stepping, or the trial proves nothing.
      expect(report.stepsSaved).toBeGreaterThan(trials);
    });
  });
}
