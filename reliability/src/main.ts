/**
 * `pnpm --filter @burr/reliability trials [--trials N] [--backends sqlite,pg]`:
 * SIGKILL-at-random crash/resume trials on every available backend. Prints one
 * row per backend and exits 1 on any lost, duplicated or missing step, or a
 * restart that failed.
 */
import { parseArgs } from 'node:util';
import { runCrashTrials, type CrashTrialReport } from './crash-trials.js';
import { TRIAL_BACKENDS, prepareTrialStore, type TrialBackend } from './trial-stores.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    backends: { type: 'string', default: TRIAL_BACKENDS.join(',') },
  },
});
const trials = Number(values.trials);
if (!Number.isSafeInteger(trials) || trials < 1) throw new Error(`--trials takes a positive whole number, got ${values.trials}`);
const backends = values.backends.split(',').map((name) => {
  if (!(TRIAL_BACKENDS as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}; known: ${TRIAL_BACKENDS.join(', ')}`);
  return name as TrialBackend;
});

let failed = false;
console.log('backend  trials  steps saved  lost  duplicated  gaps  startup failures');
for (const backend of backends) {
  const store = await prepareTrialStore(backend);
  if ('skip' in store) {
    console.log(`${backend.padEnd(8)} skipped: ${store.skip}`);
    continue;
  }
  let report: CrashTrialReport;
  try {
    report = await runCrashTrials(store.spec, { trials });
  } finally {
    await store.dispose();
  }
  const bad = report.lost + report.duplicated + report.gaps + report.startupFailures > 0;
  failed ||= bad;
  console.log(
    `${backend.padEnd(8)} ${String(report.trials).padStart(6)}  ${String(report.stepsSaved).padStart(11)}  ${String(report.lost).padStart(4)}  ` +
      `${String(report.duplicated).padStart(10)}  ${String(report.gaps).padStart(4)}  ${String(report.startupFailures).padStart(16)}`,
  );
  for (const problem of report.problems) console.log(`  ${problem}`);
}
process.exitCode = failed ? 1 : 0;
