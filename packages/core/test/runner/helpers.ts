import { action, ApplicationBuilder, expr, type State } from '@burr/core';

/** The state of the counting apps: `count` goes up, `done` is set at the end. */
export type Counting = { count: number; done?: boolean };

/** Adds 1 to `count`. */
export const counter = action({
  reads: ['count'],
  writes: ['count'],
  run: (state: State<Counting>) => state.update({ count: state.get('count') + 1 }),
});

/** Sets `done` to true. */
export const finish = action({ reads: [], writes: ['done'], run: (state: State<Counting>) => state.update({ done: true }) });

/** A builder with `counter` looping while count < limit, then `finish` (no state, no entrypoint yet). */
export function countingBuilder(limit = 3) {
  return new ApplicationBuilder<Counting>()
    .withActions({ counter, finish })
    .withTransitions(['counter', 'counter', expr((s) => s.get('count') < limit, `count < ${limit}`)], ['counter', 'finish']);
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
