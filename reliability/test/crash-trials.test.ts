import { afterAll, describe, expect, it } from 'vitest';
import { runCrashTrials } from '../src/crash-trials.js';
import { TRIAL_BACKENDS, prepareTrialStore } from '../src/trial-stores.js';

/** 20 lives per backend by default: enough to land kills mid-save, small enough for CI. */
const TRIALS = Number(process.env.BURR_RELIABILITY_TRIALS ?? 20);

for (const backend of TRIAL_BACKENDS) {
  const store = await prepareTrialStore(backend);
  if ('skip' in store) {
    describe.skip(`${backend} crash trials [skipped: ${store.skip}]`, () => it('is skipped', () => {}));
    continue;
  }
  describe(`${backend} crash trials`, () => {
    afterAll(() => store.dispose());
    it(`${TRIALS} SIGKILLs at random moments lose, duplicate and skip no saved step`, async () => {
      const report = await runCrashTrials(store.spec, { trials: TRIALS });
      expect(report.problems).toEqual([]);
      expect({ lost: report.lost, duplicated: report.duplicated, gaps: report.gaps, startupFailures: report.startupFailures }).toEqual({
        lost: 0,
        duplicated: 0,
        gaps: 0,
        startupFailures: 0,
      });
      // The kills must have landed while the app was stepping, or the trial proves nothing.
      expect(report.stepsSaved).toBeGreaterThan(TRIALS);
    });
  });
}
