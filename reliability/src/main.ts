/**
 * `pnpm --filter @burr/reliability trials [--trials N] [--backends sqlite,pg] [--storm-ms N]`:
 * SIGKILL-at-random crash/resume trials on every available backend, then a
 * storm of server-side connection cuts on each server backend. Prints one row
 * per backend and exits 1 on any lost, duplicated or missing step, a restart
 * that failed, an untyped failure or an unhandled rejection.
 */
import { parseArgs } from 'node:util';
import { runCrashTrials } from './crash-trials.js';
import { runCutTrial, type CuttableSpec } from './cut-trials.js';
import { TRIAL_BACKENDS, prepareTrialStore, type TrialBackend } from './trial-stores.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    backends: { type: 'string', default: TRIAL_BACKENDS.join(',') },
    'storm-ms': { type: 'string', default: '10000' },
  },
});
const trials = wholeNumber('--trials', values.trials);
const stormMs = wholeNumber('--storm-ms', values['storm-ms']);
const backends = values.backends.split(',').map((name) => {
  if (!(TRIAL_BACKENDS as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}; known: ${TRIAL_BACKENDS.join(', ')}`);
  return name as TrialBackend;
});

let failed = false;
const row = (cells: Array<string | number>, widths: number[]) => cells.map((cell, i) => String(cell).padStart(widths[i] ?? 0)).join('  ');

console.log(`SIGKILL at a random moment, ${trials} times per backend; each restart resumes the app`);
const crashWidths = [8, 6, 11, 4, 10, 4, 16];
console.log(row(['backend', 'trials', 'steps saved', 'lost', 'duplicated', 'gaps', 'startup failures'], crashWidths));
for (const backend of backends) {
  const store = await prepareTrialStore(backend);
  if ('skip' in store) {
    console.log(`${backend.padStart(8)}  skipped: ${store.skip}`);
    continue;
  }
  const report = await runCrashTrials(store.spec, { trials }).finally(() => store.dispose());
  failed ||= report.lost + report.duplicated + report.gaps + report.startupFailures > 0;
  console.log(row([backend, report.trials, report.stepsSaved, report.lost, report.duplicated, report.gaps, report.startupFailures], crashWidths));
  for (const problem of report.problems) console.log(`  ${problem}`);
}

console.log(`\nServer-side connection cuts every 1-15 ms for ${stormMs} ms while the app steps`);
const cutWidths = [8, 5, 11, 12, 7, 9, 4, 10, 4];
console.log(row(['backend', 'cuts', 'steps saved', 'failed steps', 'untyped', 'unhandled', 'lost', 'duplicated', 'gaps'], cutWidths));
for (const backend of backends.filter((name): name is CuttableSpec['backend'] => name === 'pg' || name === 'redis')) {
  const store = await prepareTrialStore(backend);
  if ('skip' in store) {
    console.log(`${backend.padStart(8)}  skipped: ${store.skip}`);
    continue;
  }
  const report = await runCutTrial(store.spec as CuttableSpec, stormMs).finally(() => store.dispose());
  failed ||= report.lost + report.duplicated + report.gaps + report.untypedFailures + report.unhandled + report.problems.length > 0;
  const cells = [backend, report.cuts, report.stepsSaved, report.failedSteps, report.untypedFailures, report.unhandled, report.lost, report.duplicated, report.gaps];
  console.log(row(cells, cutWidths));
  for (const problem of report.problems) console.log(`  ${problem}`);
}
process.exitCode = failed ? 1 : 0;

function wholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} takes a positive whole number, got ${text}`);
  return value;
}
