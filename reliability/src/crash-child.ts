/**
 * One life of the app under test. Started while the previous life still
 * runs, it first loads its modules (the slow part of a start), then waits
 * for a `go` line on stdin, which the parent sends once the previous life is
 * dead; only then does it open the store named by the JSON spec in argv[2],
 * resume, and step until it is killed. It exits when stdin ends (the parent
 * is gone). It reports on stdout (synchronous for pipes on Linux, so a
 * printed line was written before any kill could land):
 *   `resumed <sequenceId|none> <count>` once the app is built;
 *   `saved <sequenceId> <count>` after each step's save returned.
 */
import type { BackendSpec } from './backend-spec.js';
import { loadPersisterModule, openPersister } from './backend-spec.js';
import { buildCounterApp } from './counter-app.js';

const spec = JSON.parse(process.argv[2] ?? '') as BackendSpec;
await loadPersisterModule(spec);
if (!(await parentSaysGo())) process.exit(0);
const persister = await openPersister(spec);
const app = await buildCounterApp(persister);
process.stdout.write(`resumed ${app.sequenceId ?? 'none'} ${String(app.state.has('count') ? app.state.get('count') : 0)}\n`);
for (;;) {
  const step = await app.step();
  if (step === null) break;
  process.stdout.write(`saved ${app.sequenceId} ${String(step.state.get('count'))}\n`);
  // A synchronous backend (SQLite) never leaves the microtask queue otherwise, so the end of stdin would go unseen.
  await new Promise(setImmediate);
}

/** Resolves true on the first line from the parent, false if stdin ends first; later, the end of stdin exits. */
function parentSaysGo(): Promise<boolean> {
  return new Promise((resolve) => {
    let received = '';
    let going = false;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      received += chunk;
      if (!going && received.includes('\n')) {
        going = true;
        resolve(true);
      }
    });
    process.stdin.on('end', () => {
      if (going) process.exit(0);
      resolve(false);
    });
  });
}
