import { ApplicationRunError } from '../errors.js';
import { PRIOR_STEP_KEY, State } from '../state.js';
import type { ActionContext, ActionInputs, AnyAction, SingleStepReturn, StepOutput } from './actions.js';

/**
 * Picks the inputs `action` declared out of what the caller passed, after
 * checking that no name is reserved and no required input is missing.
 */
export function selectInputs(name: string, action: AnyAction, given: ActionInputs | undefined): ActionInputs {
  const selected: ActionInputs = {};
  if (given === undefined) given = {};
  for (const key of Object.keys(given)) {
    if (key.startsWith('__')) throw new ApplicationRunError(`Input ${JSON.stringify(key)} is reserved: input names must not start with "__"`);
  }
  const missing: string[] = [];
  for (const key of action.inputs) {
    if (Object.hasOwn(given, key)) selected[key] = given[key];
    else missing.push(key);
  }
  if (missing.length > 0) {
    throw new ApplicationRunError(`Action ${JSON.stringify(name)} requires input(s) ${missing.map((k) => JSON.stringify(k)).join(', ')}, which were not passed`);
  }
  for (const key of action.optionalInputs) {
    if (Object.hasOwn(given, key)) selected[key] = given[key];
  }
  return selected;
}

/**
 * Runs one action to completion and returns its result and the state it
 * returned (not yet merged). A streaming action is drained.
 */
export async function executeAction(name: string, action: AnyAction, state: State, inputs: ActionInputs, context: ActionContext): Promise<StepOutput> {
  switch (action.kind) {
    case 'two-phase': {
      const result = await action.run(state, inputs, context);
      return { result, state: checkState(name, action.update(result, state), 'update()') };
    }
    case 'single-step':
      return normalizeSingleStep(name, await action.runAndUpdate(state, inputs, context));
    default: {
      const stream = streamAction(name, action, state, inputs, context);
      for (;;) {
        const next = await stream.next();
        if (next.done) return next.value;
      }
    }
  }
}

/**
 * Runs an action as a stream: yields its partial results and returns its
 * result and returned state. A non-streaming action yields nothing.
 */
export async function* streamAction(name: string, action: AnyAction, state: State, inputs: ActionInputs, context: ActionContext): AsyncGenerator<unknown, StepOutput, undefined> {
  if (action.kind === 'streaming') {
    const iterator = action.stream(state, inputs, context);
    const result = yield* drain(iterator);
    return { result, state: checkState(name, action.update(result, state), 'update()') };
  }
  if (action.kind === 'single-step-streaming') {
    return normalizeSingleStep(name, yield* drain(action.streamAndUpdate(state, inputs, context)));
  }
  return executeAction(name, action, state, inputs, context);
}

async function* drain<P, R>(iterator: AsyncIterator<P, R>): AsyncGenerator<P, R, undefined> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
    yield next.value;
  }
}

/**
 * The application state after `action` ran: each declared write is taken
 * from `returned` (a declared write absent there but present before is
 * deleted, as Python Burr does), other keys stay as they were, and
 * `__PRIOR_STEP` names the action. Key order is kept.
 */
export function mergeWrites(before: State, returned: State, writes: readonly string[], name: string): State {
  const values = new Map(before.entries());
  for (const key of writes) {
    if (returned.has(key)) values.set(key, returned.get(key));
    else values.delete(key);
  }
  values.set(PRIOR_STEP_KEY, name);
  return new State(values);
}

function normalizeSingleStep(name: string, output: SingleStepReturn): StepOutput {
  if (output instanceof State) return { result: {}, state: output };
  if (output !== null && typeof output === 'object' && 'result' in output && (output as { state?: unknown }).state instanceof State) {
    return { result: output.result, state: output.state };
  }
  throw new ApplicationRunError(`Action ${JSON.stringify(name)} returned ${describe(output)}; expected a State or { result, state } with a State`);
}

function checkState(name: string, value: unknown, what: string): State {
  if (value instanceof State) return value;
  throw new ApplicationRunError(`Action ${JSON.stringify(name)}: ${what} returned ${describe(value)}; expected a State`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).join(', ')}]`;
  return `a ${typeof value}`;
}
