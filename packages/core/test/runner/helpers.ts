import { action, ApplicationBuilder, expr, type SingleStepAction, type State } from '@burr/core';

/** Adds 1 to `count`. */
export const counter: SingleStepAction = action({
  reads: ['count'],
  writes: ['count'],
  run: (state: State) => state.update({ count: (state.get('count') as number) + 1 }),
});

/** Sets `done` to true. */
export const finish: SingleStepAction = action({ reads: [], writes: ['done'], run: (state: State) => state.update({ done: true }) });

/** A builder with `counter` looping while count < limit, then `finish` (no state, no entrypoint yet). */
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
