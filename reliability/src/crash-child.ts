/**
 * One life of the app under test: opens the store named by the JSON spec in
 * argv[2], resumes, and steps until it is killed. It reports on stdout
 * (synchronous for pipes on Linux, so a printed line was written before any
 * kill could land):
 *   `resumed <sequenceId|none> <count>` once the app is built;
 *   `saved <sequenceId> <count>` after each step's save returned.
 */
import type { BackendSpec } from './backend-spec.js';
import { openPersister } from './backend-spec.js';
import { buildCounterApp } from './counter-app.js';

const spec = JSON.parse(process.argv[2] ?? '') as BackendSpec;
const persister = await openPersister(spec);
const app = await buildCounterApp(persister);
process.stdout.write(`resumed ${app.sequenceId ?? 'none'} ${String(app.state.has('count') ? app.state.get('count') : 0)}\n`);
for (;;) {
  const step = await app.step();
  if (step === null) break;
  process.stdout.write(`saved ${app.sequenceId} ${String(step.state.get('count'))}\n`);
}
