import { describe, expect, it } from 'vitest';
import { action, ApplicationBuilder, ApplicationRunError, expr, PRIOR_STEP_KEY, Result, SEQUENCE_ID_KEY, State, when, type LifecycleHooks, type StepResult } from '@burr/core';
import { type Counting, countingBuilder, rejection } from './helpers.js';

function countingApp(limit = 3) {
  return countingBuilder(limit).withState({ count: 0 }).withEntrypoint('counter').build();
}

describe('step', () => {
  it('runs the entrypoint first, then follows transitions; sequence ids start at 0', async () => {
    const app = await countingApp(2);
    expect(app.getNextAction()).toBe('counter');
    const first = await app.step();
    expect(first?.action).toBe('counter');
    expect(first?.state.getAll()).toEqual({ count: 1, [SEQUENCE_ID_KEY]: 0, [PRIOR_STEP_KEY]: 'counter' });
    expect(app.sequenceId).toBe(0);
    const second = await app.step();
    expect(second?.state.get('count')).toBe(2);
    expect(app.sequenceId).toBe(1);
    expect(app.getNextAction()).toBe('finish');
    const third = await app.step();
    expect(third?.action).toBe('finish');
    expect(third?.state.get(PRIOR_STEP_KEY)).toBe('finish');
    expect(app.sequenceId).toBe(2);
    expect(app.getNextAction()).toBeNull();
    expect(app.hasNextAction()).toBe(false);
    expect(await app.step()).toBeNull();
    expect(app.sequenceId).toBe(2);
  });

  it('takes the first transition whose condition holds, in declaration order', async () => {
    const noop = action({ reads: [], writes: [], run: (s) => s });
    const build = (first: 'b' | 'c') =>
      new ApplicationBuilder()
        .withActions({ a: noop, b: noop, c: noop })
        .withTransitions(['a', first, when({ go: true })], ['a', first === 'b' ? 'c' : 'b', when({ go: true })])
        .withState({ go: true })
        .withEntrypoint('a')
        .build();
    const viaB = await build('b');
    await viaB.step();
    expect(viaB.getNextAction()).toBe('b');
    const viaC = await build('c');
    await viaC.step();
    expect(viaC.getNextAction()).toBe('c');
  });

  it('has no next action when no condition holds', async () => {
    const noop = action({ reads: [], writes: [], run: (s) => s });
    const app = await new ApplicationBuilder()
      .withActions({ a: noop, b: noop })
      .withTransitions(['a', 'b', when({ go: true })])
      .withEntrypoint('a')
      .build();
    await app.step();
    expect(app.getNextAction()).toBeNull();
  });

  it('continues the sequence ids of a state given with its hidden keys', async () => {
    const app = await countingBuilder()
      .withState(
        new State<Counting>([
          ['count', 0],
          [SEQUENCE_ID_KEY, 7],
        ]),
      )
      .withEntrypoint('counter')
      .build();
    expect(app.sequenceId).toBe(7);
    await app.step();
    expect(app.sequenceId).toBe(8);
  });

  it('refuses a second step while one is running', async () => {
    let release!: () => void;
    const slow = action({ reads: [], writes: [], run: (s) => new Promise<State>((resolve) => (release = () => resolve(s))) });
    const app = await new ApplicationBuilder().withActions({ slow }).withTransitions(['slow', 'slow']).withEntrypoint('slow').build();
    const first = app.step();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await rejection(app.step());
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/already running a step/);
    release();
    expect((await first)?.action).toBe('slow');
    expect(app.sequenceId).toBe(0);
    const next = app.step();
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect((await next)?.state.get(SEQUENCE_ID_KEY)).toBe(1);
  });
});

describe('run', () => {
  it('runs to the end of the graph and returns the last action, result and state', async () => {
    const app = await countingBuilder(3)
      .withActions({ result: new Result('count') })
      .withTransitions(['finish', 'result'])
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .build();
    const out = await app.run();
    expect(out.action).toBe('result');
    expect(out.result).toEqual({ count: 3 });
    expect(out.state).toBe(app.state);
    expect(app.sequenceId).toBe(4);
  });

  it('haltAfter stops after the named action', async () => {
    const app = await countingApp(5);
    const out = await app.run({ haltAfter: ['counter'] });
    expect(out.action).toBe('counter');
    expect(out.state.get('count')).toBe(1);
    const rest = await app.run({ haltAfter: ['finish'] });
    expect(rest.action).toBe('finish');
    expect(rest.state.get('count')).toBe(5);
    expect(rest.state.get('done')).toBe(true);
  });

  it('haltBefore stops before the named action, returning it with a null result', async () => {
    const app = await countingApp(3);
    const out = await app.run({ haltBefore: ['finish'] });
    expect(out).toEqual({ action: 'finish', result: null, state: app.state });
    expect(app.state.get('count')).toBe(3);
    expect(app.state.has('done')).toBe(false);
    expect(app.getNextAction()).toBe('finish');
  });

  it('always runs one step before checking halt conditions (Python semantics)', async () => {
    const app = await countingApp(3);
    await app.run({ haltBefore: ['finish'] });
    const out = await app.run({ haltBefore: ['finish'] });
    expect(out.action).toBe('finish');
    expect(out.state.get('done')).toBe(true);
  });

  it('rejects halt conditions naming unknown actions', async () => {
    const app = await countingApp();
    // @ts-expect-error an unknown action name is a compile error too
    const error = await rejection(app.run({ haltAfter: ['nope'] }));
    expect(error).toBeInstanceOf(ApplicationRunError);
    expect(error.message).toMatch(/haltAfter names unknown action "nope"/);
    expect(app.sequenceId).toBeNull();
  });

  it('offers the inputs to every step; each action takes what it declares', async () => {
    const human = action({ reads: [], writes: ['question'], inputs: ['prompt'], run: (s, i) => s.update({ question: i.prompt }) });
    const ai = action({ reads: ['question'], writes: ['answer'], run: (s) => s.update({ answer: `re: ${String(s.get('question'))}` }) });
    const app = await new ApplicationBuilder().withActions({ human, ai }).withTransitions(['human', 'ai'], ['ai', 'human']).withEntrypoint('human').build();
    const first = await app.run({ haltAfter: ['ai'], inputs: { prompt: 'one' } });
    expect(first.state.get('answer')).toBe('re: one');
    const second = await app.run({ haltAfter: ['ai'], inputs: { prompt: 'two' } });
    expect(second.state.get('answer')).toBe('re: two');
    expect(app.sequenceId).toBe(3);
    expect((await rejection(app.run({ haltAfter: ['ai'] }))).message).toMatch(/"human" requires input\(s\) "prompt"/);
  });
});

describe('iterate', () => {
  it('yields every step and returns the run result', async () => {
    const app = await countingApp(3);
    const steps: StepResult[] = [];
    const iterator = app.iterate({ haltAfter: ['finish'] });
    let next = await iterator.next();
    while (!next.done) {
      steps.push(next.value);
      next = await iterator.next();
    }
    expect(steps.map((s) => [s.action, s.state.get(SEQUENCE_ID_KEY)])).toEqual([
      ['counter', 0],
      ['counter', 1],
      ['counter', 2],
      ['finish', 3],
    ]);
    expect(steps.map((s) => s.state.get('count'))).toEqual([1, 2, 3, 3]);
    expect(next.value.action).toBe('finish');
  });

  it('can be left early with break; the app stays consistent', async () => {
    const app = await countingApp(10);
    for await (const step of app.iterate()) {
      if (step.state.get('count') === 4) break;
    }
    expect(app.state.get('count')).toBe(4);
    expect(app.sequenceId).toBe(3);
    expect((await app.step())?.state.get('count')).toBe(5);
  });

  it('stops when a haltBefore action is next', async () => {
    const app = await countingBuilder(2).withState({ count: 0 }).withEntrypoint('counter').build();
    const seen: string[] = [];
    for await (const step of app.iterate({ haltBefore: ['finish'] })) seen.push(step.action);
    expect(seen).toEqual(['counter', 'counter']);
  });
});

describe('lifecycle hooks', () => {
  it('run in the order added, around each step, with the step details', async () => {
    const calls: string[] = [];
    const recorded: unknown[] = [];
    const hook = (label: string): LifecycleHooks => ({
      postApplicationCreate: () => void calls.push(`${label}:create`),
      preRunStep: async ({ action: name, sequenceId, inputs, state }) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        calls.push(`${label}:pre:${name}#${sequenceId}`);
        if (label === 'a') recorded.push({ inputs, seqInState: state.get(SEQUENCE_ID_KEY) });
      },
      postRunStep: ({ action: name, sequenceId, result, error, state }) => {
        calls.push(`${label}:post:${name}#${sequenceId}`);
        if (label === 'a') recorded.push({ result, error, count: state.get('count') });
      },
    });
    const app = await countingBuilder(1).withHooks(hook('a')).withTracker(hook('b')).withState({ count: 0 }).withEntrypoint('counter').build();
    expect(calls).toEqual(['a:create', 'b:create']);
    await app.run({ inputs: { ignored: 1 } });
    expect(calls.slice(2)).toEqual([
      'a:pre:counter#0',
      'b:pre:counter#0',
      'a:post:counter#0',
      'b:post:counter#0',
      'a:pre:finish#1',
      'b:pre:finish#1',
      'a:post:finish#1',
      'b:post:finish#1',
    ]);
    expect(recorded[0]).toEqual({ inputs: {}, seqInState: 0 });
    expect(recorded[1]).toEqual({ result: {}, error: null, count: 1 });
  });

  it('see the error and the pre-action state when the action throws', async () => {
    const boom = new Error('boom');
    const seen: unknown[] = [];
    const failing = action({
      reads: [],
      writes: ['x'],
      run: () => {
        throw boom;
      },
    });
    const app = await new ApplicationBuilder()
      .withActions({ failing })
      .withState({ x: 1 })
      .withEntrypoint('failing')
      .withHooks({ postRunStep: ({ error, result, state, sequenceId }) => void seen.push({ error, result, state: state.getAll(), sequenceId }) })
      .build();
    expect(await rejection(app.step())).toBe(boom);
    expect(seen).toEqual([{ error: boom, result: null, state: { x: 1, [SEQUENCE_ID_KEY]: 0 }, sequenceId: 0 }]);
  });

  it("a hook's error propagates and the step is not committed", async () => {
    let fail = true;
    const app = await countingBuilder(5)
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withHooks({
        postRunStep: () => {
          if (fail) throw new Error('tracker down');
        },
      })
      .build();
    expect((await rejection(app.step())).message).toBe('tracker down');
    expect(app.state.get('count')).toBe(0);
    expect(app.sequenceId).toBeNull();
    fail = false;
    expect((await app.step())?.state.getAll()).toMatchObject({ count: 1, [SEQUENCE_ID_KEY]: 0 });
  });

  it('a preRunStep error stops the step before the action runs', async () => {
    let ran = false;
    const act = action({
      reads: [],
      writes: [],
      run: (s) => {
        ran = true;
        return s;
      },
    });
    const app = await new ApplicationBuilder()
      .withActions({ act })
      .withEntrypoint('act')
      .withHooks({ preRunStep: () => Promise.reject(new Error('no')) })
      .build();
    expect((await rejection(app.step())).message).toBe('no');
    expect(ran).toBe(false);
    expect(app.getNextAction()).toBe('act');
  });
});

describe('expr conditions in a running graph', () => {
  it('route on the state after the step', async () => {
    const set = action({ reads: [], writes: ['mode'], inputs: ['mode'], run: (s, i) => s.update({ mode: i.mode }) });
    const noop = action({ reads: [], writes: [], run: (s) => s });
    const build = () =>
      new ApplicationBuilder()
        .withActions({ set, left: noop, right: noop })
        .withTransitions(['set', 'left', expr((s) => s.get('mode') === 'l')], ['set', 'right', when({ mode: 'l' }).not()])
        .withEntrypoint('set')
        .build();
    const left = await build();
    expect((await left.run({ inputs: { mode: 'l' } })).action).toBe('left');
    const right = await build();
    expect((await right.run({ inputs: { mode: 'r' } })).action).toBe('right');
  });
});
