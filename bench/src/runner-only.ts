/**
 * Runner overhead without persistence: a 3-action loop (a -> b -> c -> a)
 * with one conditional transition, stepped N times after a warm-up.
 * Prints steps per second.
 *
 *   pnpm --filter @burr/core build
 *   pnpm --filter @burr/bench exec tsx src/runner-only.ts [steps]
 */
import { action, ApplicationBuilder, when, type State } from '@burr/core';

const steps = Number(process.argv[2] ?? 100_000);
const warmup = Math.min(50_000, steps);

const bump = (key: string) => action({ reads: [key], writes: [key], run: (state: State) => state.update({ [key]: (state.get(key) as number) + 1 }) });

async function buildApp() {
  return new ApplicationBuilder()
    .withActions({ a: bump('a'), b: bump('b'), c: bump('c') })
    .withTransitions(['a', 'b'], ['b', 'c', when({ skip: false })], ['b', 'a'], ['c', 'a'])
    .withState({ a: 0, b: 0, c: 0, skip: false })
    .withEntrypoint('a')
    .build();
}

async function timeSteps(n: number): Promise<number> {
  const app = await buildApp();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await app.step();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (app.sequenceId !== n - 1) throw new Error(`expected sequence id ${n - 1}, got ${app.sequenceId}`);
  return seconds;
}

await timeSteps(warmup);
const seconds = await timeSteps(steps);
console.log(`runner-only: ${steps} steps in ${seconds.toFixed(3)} s = ${Math.round(steps / seconds).toLocaleString('en-US')} steps/s (node ${process.version})`);
