/**
 * `pnpm --filter @burr/reliability trials [--trials N] [--backends sqlite,pg] [--storage full,incremental] [--storm-ms N]`:
 * SIGKILL-at-random crash/resume trials on every available backend in each
 * storage mode, then a storm of server-side connection cuts on each server
 * backend that can cut (PostgreSQL, Redis) in each mode. Prints one row per backend and mode and exits 1 on any lost,
 * duplicated, missing or inconsistent step, a restart that failed, an
 * untyped failure or an unhandled rejection.
 */
import { parseArgs } from 'node:util';
import { runCrashTrials } from './crash-trials.js';
import { runCutTrial, type CuttableSpec } from './cut-trials.js';
import { TRIAL_BACKENDS, TRIAL_STORAGE_MODES, prepareTrialStore } from './trial-stores.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    backends: { type: 'string', default: TRIAL_BACKENDS.join(',') },
    storage: { type: 'string', default: TRIAL_STORAGE_MODES.join(',') },
    'storm-ms': { type: 'string', default: '10000' },
  },
});
const trials = wholeNumber('--trials', values.trials);
const stormMs = wholeNumber('--storm-ms', values['storm-ms']);
const backends = listOf('--backends', values.backends, TRIAL_BACKENDS);
const modes = listOf('--storage', values.storage, TRIAL_STORAGE_MODES);
/** Every (backend, mode) asked for; a backend without the mode prints a skipped row. */
const runs = backends.flatMap((backend) => modes.map((mode) => ({ backend, mode })));

let failed = false;
const row = (cells: Array<string | number>, widths: number[]) => cells.map((cell, i) => String(cell).padStart(widths[i] ?? 0)).join('  ');
const skipped = (backend: string, mode: string, reason: string) => console.log(`${backend.padStart(8)}  ${mode.padStart(11)}  skipped: ${reason}`);

console.log(`SIGKILL at a random moment, ${trials} times per backend and storage mode; each restart resumes the app`);
const crashWidths = [8, 11, 6, 11, 4, 10, 4, 12, 16];
console.log(row(['backend', 'storage', 'trials', 'steps saved', 'lost', 'duplicated', 'gaps', 'inconsistent', 'startup failures'], crashWidths));
for (const { backend, mode } of runs) {
  const store = await prepareTrialStore(backend, mode);
  if ('skip' in store) {
    skipped(backend, mode, store.skip);
    continue;
  }
  const report = await runCrashTrials(store.spec, { trials }).finally(() => store.dispose());
  failed ||= report.lost + report.duplicated + report.gaps + report.inconsistent + report.startupFailures + report.problems.length > 0;
  const cells = [backend, mode, report.trials, report.stepsSaved, report.lost, report.duplicated, report.gaps, report.inconsistent, report.startupFailures];
  console.log(row(cells, crashWidths));
  for (const problem of report.problems) console.log(`  ${problem}`);
}

console.log(`\nServer-side connection cuts every 1-15 ms for ${stormMs} ms while the app steps`);
const cutWidths = [8, 11, 5, 11, 12, 7, 9, 4, 10, 4, 12];
console.log(row(['backend', 'storage', 'cuts', 'steps saved', 'failed steps', 'untyped', 'unhandled', 'lost', 'duplicated', 'gaps', 'inconsistent'], cutWidths));
for (const { backend, mode } of runs.filter((run): run is { backend: CuttableSpec['backend']; mode: (typeof modes)[number] } => run.backend === 'pg' || run.backend === 'redis')) {
  const store = await prepareTrialStore(backend, mode);
  if ('skip' in store) {
    skipped(backend, mode, store.skip);
    continue;
  }
  const report = await runCutTrial(store.spec as CuttableSpec, stormMs).finally(() => store.dispose());
  failed ||= report.lost + report.duplicated + report.gaps + report.inconsistent + report.untypedFailures + report.unhandled + report.problems.length > 0;
  const cells = [
    backend,
    mode,
    report.cuts,
    report.stepsSaved,
    report.failedSteps,
    report.untypedFailures,
    report.unhandled,
    report.lost,
    report.duplicated,
    report.gaps,
    report.inconsistent,
  ];
  console.log(row(cells, cutWidths));
  for (const problem of report.problems) console.log(`  ${problem}`);
}
process.exitCode = failed ? 1 : 0;

function wholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} takes a positive whole number, got ${text}`);
  return value;
}

/** The comma-separated names of `text`, each one of `known`, in the order given. */
function listOf<T extends string>(flag: string, text: string, known: readonly T[]): T[] {
  return text.split(',').map((name) => {
    if (!(known as readonly string[]).includes(name)) throw new Error(`${flag}: unknown ${JSON.stringify(name)}; known: ${known.join(', ')}`);
    return name as T;
  });
}
