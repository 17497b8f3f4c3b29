import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { action, ApplicationBuilder, expr, type SingleStepAction, type State } from '@burr/core';
import { afterEach, beforeEach } from 'vitest';

/** A fresh temporary storage directory for each test of the calling file, removed after the test. */
export function useStorageDir(): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'burr-tracking-'));
  });
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('the storage directory exists only while a test runs');
    return dir;
  };
}

/** Every line of a JSONL file, parsed. */
export async function readJsonLines(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A parsed JSON file. */
export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** Adds 1 to `count`. */
export const counter: SingleStepAction = action({
  reads: ['count'],
  writes: ['count'],
  run: (state: State) => state.update({ count: (state.get('count') as number) + 1 }),
});

/** Sets `done` to true. */
export const finish: SingleStepAction = action({
  reads: ['count'],
  writes: ['done'],
  run: (state: State) => ({ result: { final: state.get('count') }, state: state.update({ done: true }) }),
});

/** `counter` looping while count < limit, then `finish`. No state, entrypoint or tracker yet. */
export function countingBuilder(limit = 3): ApplicationBuilder {
  return new ApplicationBuilder()
    .withActions({ counter, finish })
    .withTransitions(['counter', 'counter', expr((s) => (s.get('count') as number) < limit, `count < ${limit}`)], ['counter', 'finish']);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, the promise resolved');
}
