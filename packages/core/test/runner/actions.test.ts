import { describe, expect, it } from 'vitest';
import {
  Action,
  action,
  ApplicationBuilder,
  ApplicationRunError,
  PRIOR_STEP_KEY,
  Result,
  SEQUENCE_ID_KEY,
  type State,
  type ActionContext,
  type ActionInputs,
  type AnyAction,
} from '@burr/core';
import { rejection } from './helpers.js';

/** A one-action app (no transitions) starting at `a`. */
function single(a: AnyAction, state: Record<string, unknown> = {}, appId?: string) {
  return new ApplicationBuilder()
    .withActions({ a })
    .withState(state)
    .withEntrypoint('a')
    .withIdentifiers(appId ? { appId, partitionKey: 'pk' } : {})
    .build();
}

describe('function-based actions', () => {
  it('merge only the declared writes of the returned state', async () => {
    // @ts-expect-error writing keys outside `writes` is a compile error; at run time they are dropped.
    const sneaky = action({ reads: ['x'], writes: ['y'], run: (s) => s.update({ x: 'changed', y: 1, z: 'new' }) });
    const app = await single(sneaky, { x: 'kept' });
    const out = await app.step();
    expect(out?.state.getAll()).toEqual({ x: 'kept', [SEQUENCE_ID_KEY]: 0, y: 1, [PRIOR_STEP_KEY]: 'a' });
    expect(out?.result).toEqual({});
  });

  it('delete a declared write that the returned state lacks', async () => {
    const drop = action({ reads: [], writes: ['tmp'], run: (s) => s.wipe({ delete: ['tmp'] }) });
    const app = await single(drop, { tmp: 1, other: 2 });
    await app.step();
    expect(app.state.has('tmp')).toBe(false);
    expect(app.state.get('other')).toBe(2);
  });

  it('return { result, state }, possibly async', async () => {
    const asyncAct = action({
      reads: [],
      writes: ['n'],
      run: async (s) => ({ result: { answer: 42 }, state: s.update({ n: 1 }) }),
    });
    const out = await (await single(asyncAct)).step();
    expect(out?.result).toEqual({ answer: 42 });
    expect(out?.state.get('n')).toBe(1);
  });

  it('get the context: app id, partition key and sequence id', async () => {
    const seen: ActionContext[] = [];
    const spy = action({
      reads: [],
      writes: [],
      run: (s, _i, ctx) => {
        seen.push(ctx);
        return s;
      },
    });
    const app = await new ApplicationBuilder()
      .withActions({ spy })
      .withTransitions(['spy', 'spy'])
      .withEntrypoint('spy')
      .withIdentifiers({ appId: 'ctx', partitionKey: 'pk' })
      .build();
    await app.step();
    await app.step();
    expect(seen).toEqual([
      { appId: 'ctx', partitionKey: 'pk', sequenceId: 0 },
      { appId: 'ctx', partitionKey: 'pk', sequenceId: 1 },
    ]);
  });

  it('returning something else is an ApplicationRunError naming the action, and the app does not advance', async () => {
    const bad = action({ reads: [], writes: [], run: () => ({ count: 1 }) as unknown as State });
    const app = await single(bad);
    const error = await rejection(app.step());
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/Action "a" returned an object with keys \[count\]; expected a State/);
    expect(app.state.has(PRIOR_STEP_KEY)).toBe(false);
    expect(app.getNextAction()).toBe('a');
    const nothing = action({ reads: [], writes: [], run: () => undefined as unknown as State });
    expect((await rejection((await single(nothing)).step())).message).toMatch(/returned undefined/);
  });

  it('an action that throws: the error reaches the caller unchanged, the action stays next', async () => {
    const boom = new Error('boom');
    const failing = action({
      reads: [],
      writes: ['x'],
      run: () => {
        throw boom;
      },
    });
    const app = await single(failing, { x: 0 });
    expect(await rejection(app.step())).toBe(boom);
    expect(app.getNextAction()).toBe('a');
    // The failed step used sequence id 0; the state is the one from before the action.
    expect(app.state.getAll()).toEqual({ x: 0, [SEQUENCE_ID_KEY]: 0 });
  });
});

describe('class-based actions', () => {
  class Add extends Action<{ total: number }> {
    readonly reads = ['total'];
    readonly writes = ['total'];
    override readonly inputs = ['amount'];
    runs = 0;
    run(state: State, inputs: ActionInputs) {
      this.runs++;
      return { total: (state.get('total') as number) + (inputs.amount as number) };
    }
    update(result: { total: number }, state: State) {
      return state.update(result);
    }
  }

  it('run computes the result, update applies it', async () => {
    const add = new Add();
    const app = await single(add, { total: 1 });
    const out = await app.step({ inputs: { amount: 4 } });
    expect(out).toEqual({ action: 'a', result: { total: 5 }, state: app.state });
    expect(app.state.get('total')).toBe(5);
    expect(add.runs).toBe(1);
  });

  it('update returning a non-State is an ApplicationRunError', async () => {
    class Broken extends Action {
      readonly reads = [];
      readonly writes = [];
      run() {
        return 1;
      }
      update() {
        return { not: 'a state' } as unknown as State;
      }
    }
    const error = await rejection((await single(new Broken())).step());
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/update\(\) returned an object/);
  });
});

describe('Result', () => {
  it('returns the named keys and leaves the state as it was (apart from hidden keys)', async () => {
    const app = await single(new Result('history', 'count'), { history: ['hi'], count: 2, other: true });
    const out = await app.step();
    expect(out?.result).toEqual({ history: ['hi'], count: 2 });
    expect(out?.state.getAll()).toEqual({ history: ['hi'], count: 2, other: true, [SEQUENCE_ID_KEY]: 0, [PRIOR_STEP_KEY]: 'a' });
    expect(app.graph.actions[0]).toMatchObject({ reads: ['history', 'count'], writes: [] });
  });

  it('fails on a missing key', async () => {
    const error = await rejection((await single(new Result('missing'))).step());
    expect(error.message).toMatch(/no key "missing"/);
  });
});

describe('inputs', () => {
  const greet = action({
    reads: [],
    writes: ['greeting'],
    inputs: ['name'],
    optionalInputs: ['punctuation'],
    // @ts-expect-error `seen` is not declared in `writes`: the runner drops it (and the compiler refuses it).
    run: (s, inputs) => s.update({ greeting: `hello ${String(inputs.name)}${String(inputs.punctuation ?? '')}`, seen: Object.keys(inputs) }),
  });

  it('passes required and optional inputs, and only declared ones', async () => {
    const seen: ActionInputs[] = [];
    const spy = action({
      reads: [],
      writes: [],
      inputs: ['name'],
      optionalInputs: ['punctuation'],
      run: (s, inputs) => {
        seen.push(inputs);
        return s;
      },
    });
    const app = await single(spy);
    await app.step({ inputs: { name: 'ada', punctuation: '!', unrelated: 1 } });
    expect(seen).toEqual([{ name: 'ada', punctuation: '!' }]);
    const out = await (await single(greet)).step({ inputs: { name: 'ada' } });
    expect(out?.state.get('greeting')).toBe('hello ada');
  });

  it('a missing required input names the action and the input, and changes nothing', async () => {
    const app = await single(greet);
    const error = await rejection(app.step({ inputs: { punctuation: '!' } }));
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/Action "a" requires input\(s\) "name"/);
    expect(app.sequenceId).toBeNull();
    const ok = await app.step({ inputs: { name: 'x' } });
    expect(ok?.state.get(SEQUENCE_ID_KEY)).toBe(0);
  });

  it('an input starting with __ is reserved', async () => {
    const error = await rejection((await single(greet)).step({ inputs: { name: 'x', __SEQUENCE_ID: 9 } }));
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/"__SEQUENCE_ID" is reserved/);
  });
});
