/**
 * The runner alone: steps per second of the small 3-action app of
 * `runner-only.ts` (a -> b -> c -> a, one conditional transition) with no
 * persister, with InMemoryPersister, and with SQLitePersister on a file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { action, ApplicationBuilder, InMemoryPersister, when, type Application, type BaseStatePersister, type State } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
import type { RunnerResult } from '../report.js';
import { collectGarbage, summarize, type Budget } from '../timing.js';

const APP = '3 actions (a→b→c→a)';

const bump = (key: string) => action({ reads: [key], writes: [key], run: (state: State) => state.update({ [key]: (state.get(key) as number) + 1 }) });

async function buildApp(persister: BaseStatePersister | undefined, appId: string): Promise<Application> {
  const builder = new ApplicationBuilder()
    .withActions({ a: bump('a'), b: bump('b'), c: bump('c') })
    .withTransitions(['a', 'b'], ['b', 'c', when({ skip: false })], ['b', 'a'], ['c', 'a'])
    .withState({ a: 0, b: 0, c: 0, skip: false })
    .withEntrypoint('a')
    .withIdentifiers({ appId });
  if (persister) builder.withStatePersister(persister);
  return builder.build();
}

/** Steps one app for the warm-up, then a fresh app for the budget; per-step times and the whole-loop rate. */
async function stepRate(label: string, persister: BaseStatePersister | undefined, budget: Budget): Promise<RunnerResult> {
  const warm = await buildApp(persister, `runner-warm-${label}`);
  const warmStart = performance.now();
  while (performance.now() - warmStart < Math.max(budget.warmupMs, 200)) await warm.step();
  collectGarbage();
  const app = await buildApp(persister, `runner-${label}`);
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budget.budgetMs * 2 || samples.length < 1000) {
    const t0 = performance.now();
    await app.step();
    samples.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  if (app.sequenceId !== samples.length - 1) throw new Error(`runner: expected sequence id ${samples.length - 1}, got ${String(app.sequenceId)}`);
  const stats = summarize(samples);
  return { app: APP, persister: label, stepsPerSecond: samples.length / seconds, medianStepMs: stats.medianMs, p95StepMs: stats.p95Ms, steps: samples.length };
}

export async function runnerResults(budget: Budget): Promise<RunnerResult[]> {
  const results = [await stepRate('none', undefined, budget)];
  const memory = new InMemoryPersister();
  await memory.initialize();
  results.push(await stepRate('InMemoryPersister', memory, budget));
  const dir = mkdtempSync(join(tmpdir(), 'burr-bench-runner-'));
  const sqlite = SQLitePersister.fromValues({ dbPath: join(dir, 'runner.db') });
  try {
    await sqlite.initialize();
    results.push(await stepRate('SQLitePersister (file)', sqlite, budget));
  } finally {
    await sqlite.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
