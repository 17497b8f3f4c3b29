/**
 * Type tests: one state type flows from the builder to actions, conditions,
 * app.state, step and run results, Result outputs and hooks. `tsc` checks
 * this file (the package's typecheck): every `@ts-expect-error` below must
 * stay an error, so a type that regresses (a read of a missing key compiling
 * again, a write outside `writes` accepted...) fails the typecheck. The
 * negative cases sit in functions that never run; the rest also runs.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  Action,
  action,
  always,
  type Application,
  ApplicationBuilder,
  type BaseStateLoader,
  type Condition,
  expr,
  InMemoryPersister,
  type LifecycleHooks,
  type PersistedStateData,
  PRIOR_STEP_KEY,
  Result,
  SEQUENCE_ID_KEY,
  State,
  type StateValues,
  streamingAction,
  when,
} from '@burr/core';

type Counter = { count: number; history: string[]; question?: string };
interface CounterInterface {
  count: number;
  status: 'running' | 'done';
}

const increment = action({
  reads: ['count'],
  writes: ['count', 'history'],
  run: (state: State<Counter>) => state.update({ count: state.get('count') + 1 }).append({ history: `now ${state.get('count') + 1}` }),
});

const answer = action({
  reads: ['count'],
  writes: ['question'],
  run: (state: State<Counter>) => ({ result: { asked: state.get('count') }, state: state.update({ question: 'why?' }) }),
});

function counterApp() {
  return new ApplicationBuilder<Counter>()
    .withActions({ increment, answer, done: new Result('count', 'history') })
    .withTransitions(['increment', 'increment', expr((s) => s.get('count') < 3)], ['increment', 'answer', when({ count: 3 })], ['answer', 'done'])
    .withState({ count: 0, history: [] })
    .withEntrypoint('increment');
}

describe('State<T>', () => {
  it('types get by key, with or without a fallback, and keeps its type through updates', () => {
    const state = new State<Counter>([
      ['count', 1],
      ['history', []],
      [SEQUENCE_ID_KEY, 0],
    ]);
    expectTypeOf(state.get('count')).toEqualTypeOf<number>();
    expectTypeOf(state.get('question', '')).toEqualTypeOf<string>();
    expectTypeOf(state.get('question', null)).toEqualTypeOf<string | null>();
    expectTypeOf(state.get(SEQUENCE_ID_KEY)).toEqualTypeOf<number>();
    expectTypeOf(state.get(PRIOR_STEP_KEY, null)).toEqualTypeOf<string | null>();
    const next = state.update({ count: 2 }).append({ history: 'x' });
    expectTypeOf(next.get('history')).toEqualTypeOf<string[]>();
    expect(next.get('count')).toBe(2);
    const fromInterface = new State<CounterInterface>({ count: 0, status: 'running' });
    expectTypeOf(fromInterface.get('status')).toEqualTypeOf<'running' | 'done'>();
    // An untyped state reads any key, as unknown.
    expectTypeOf(new State().get('anything', 1)).toEqualTypeOf<unknown>();
  });

  it('refuses a missing key and a patch of the wrong type', () => {
    const compileOnly = (state: State<Counter>) => {
      // @ts-expect-error `missing` is not a key of Counter
      state.get('missing');
      // @ts-expect-error nor with a fallback
      state.get('missing', 0);
      // @ts-expect-error history holds strings
      state.append({ history: 1 });
      // @ts-expect-error wipe names keys of the state
      state.wipe({ delete: ['missing'] });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});

describe('actions', () => {
  it('take their state type from run, and return a state that fits it', async () => {
    expectTypeOf(increment.writes).toEqualTypeOf<readonly ('count' | 'history')[]>();
    const out = await increment.runAndUpdate(new State<Counter>({ count: 1, history: [] }), {}, { appId: 'a', partitionKey: null, sequenceId: 0 });
    expect(out).toBeInstanceOf(State);
  });

  it('refuse reads and writes of missing keys, writes outside `writes`, and values of the wrong type', () => {
    const compileOnly = () => {
      // @ts-expect-error `missing` is not a key of Counter (reads)
      action({ reads: ['missing'], writes: [], run: (state: State<Counter>) => state });
      // @ts-expect-error `missing` is not a key of Counter (writes)
      action({ reads: [], writes: ['missing'], run: (state: State<Counter>) => state });
      // @ts-expect-error `history` is written but only `count` is declared: the runner would drop it
      action({ reads: ['count'], writes: ['count'], run: (state: State<Counter>) => state.update({ count: 1 }).append({ history: 'x' }) });
      // @ts-expect-error an action declaring no writes writes nothing
      action({ reads: ['count'], writes: [], run: (state: State<Counter>) => state.increment({ count: 1 }) });
      // @ts-expect-error count is a number
      action({ reads: [], writes: ['count'], run: (state: State<Counter>) => state.update({ count: 'one' }) });
      // @ts-expect-error reading a missing key inside run
      action({ reads: [], writes: [], run: (state: State<Counter>) => (state.get('missing') ? state : state) });
      // @ts-expect-error written keys are checked in { result, state } too
      action({ reads: [], writes: ['count'], run: (state: State<Counter>) => ({ result: 1, state: state.update({ question: 'q' }) }) });
      // And in streaming actions:
      streamingAction({
        reads: [],
        writes: ['count'],
        // @ts-expect-error `question` is written but not declared
        async *stream(state: State<Counter>) {
          yield 1;
          return state.update({ question: 'q' });
        },
      });
      // Untyped actions are checked for their writes as well.
      // @ts-expect-error `b` is not declared in writes
      action({ reads: ['a'], writes: ['a'], run: (state: State) => state.update({ a: 1, b: 2 }) });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('class-based actions are typed by their state too', () => {
    class Double extends Action<{ count: number }, Counter> {
      readonly reads = ['count'] as const;
      readonly writes = ['count'] as const;
      run(state: State<Counter>) {
        return { count: state.get('count') * 2 };
      }
      update(result: { count: number }, state: State<Counter>) {
        return state.update(result);
      }
    }
    const compileOnly = () => {
      class Wrong extends Action<{ count: string }, Counter> {
        readonly reads = ['count'] as const;
        readonly writes = ['count'] as const;
        run() {
          return { count: 'x' };
        }
        update(result: { count: string }, state: State<Counter>): State<Counter> {
          // @ts-expect-error count is a number in Counter
          return state.update(result);
        }
      }
      return Wrong;
    };
    expectTypeOf(compileOnly).toBeFunction();
    expect(new ApplicationBuilder<Counter>().withActions({ double: new Double() })).toBeInstanceOf(ApplicationBuilder);
  });
});

describe('conditions', () => {
  it('are typed by the application state inside withTransitions', () => {
    const compileOnly = () => {
      const builder = new ApplicationBuilder<Counter>().withActions({ increment, answer });
      // Inside .or()/.and() the predicate has no context: annotate its state.
      builder.withTransitions([
        'increment',
        'answer',
        when({ question: 'exit' })
          .or(expr((s: State<Counter>) => s.get('history').length > 2))
          .not(),
      ]);
      // @ts-expect-error a condition on a key the state does not have
      builder.withTransitions(['increment', 'answer', when({ missing: true })]);
      // @ts-expect-error even beside a key it has
      builder.withTransitions(['increment', 'answer', when({ count: 1, missing: true })]);
      // @ts-expect-error a value that can never equal the state's
      builder.withTransitions(['increment', 'answer', when({ count: 'three' })]);
      // @ts-expect-error expr reading a missing key
      builder.withTransitions(['increment', 'answer', expr((s) => s.get('missing') === 1)]);
      // @ts-expect-error a standalone condition written for another state
      builder.withTransitions(['increment', 'answer', expr((s: State<{ other: number }>) => s.get('other') > 1)]);
      // @ts-expect-error transitions name registered actions
      builder.withTransitions(['increment', 'typo']);
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('untyped conditions fit any application, typed ones fit an untyped application', () => {
    const untyped = expr((s) => s.has('x'));
    const typed = expr((s: State<Counter>) => s.get('count') > 1);
    new ApplicationBuilder<Counter>().withActions({ increment }).withTransitions(['increment', 'increment', untyped], ['increment', 'increment', always]);
    new ApplicationBuilder().withActions({ increment }).withTransitions(['increment', 'increment', typed]);
    new ApplicationBuilder<CounterInterface>().withActions({ n: action({ reads: [], writes: [], run: (s) => s }) }).withTransitions(['n', 'n', when({ status: 'done' })]);
    // A condition kept as a plain `Condition` is not checked, and fits anywhere.
    const plain: Condition = when({ count: 2 });
    new ApplicationBuilder<Counter>().withActions({ increment }).withTransitions(['increment', 'increment', plain]);
  });
});

describe('the builder and the application', () => {
  it('types app.state, step results per action, run results and Result outputs', async () => {
    const app = await counterApp().build();
    expectTypeOf(app.state).toEqualTypeOf<State<Counter>>();
    expectTypeOf(app.getNextAction()).toEqualTypeOf<'increment' | 'answer' | 'done' | null>();
    const step = await app.step();
    if (step?.action === 'answer') expectTypeOf(step.result).toEqualTypeOf<{ asked: number }>();
    const run = await app.run({ haltAfter: ['done'] });
    expect(run.action).toBe('done');
    if (run.action === 'done') {
      expectTypeOf(run.result).toEqualTypeOf<Pick<Counter, 'count' | 'history'> | null>();
      expect(run.result).toEqual({ count: 3, history: ['now 1', 'now 2', 'now 3'] });
    }
    expect(run.state.get('question')).toBe('why?');
  });

  it('refuses actions for another state, unknown names and states that do not fit', () => {
    const compileOnly = async () => {
      const wrongShape = action({ reads: [], writes: ['count'], run: (state: State<{ count: string }>) => state.update({ count: 'x' }) });
      // @ts-expect-error the action was written for another state
      new ApplicationBuilder<Counter>().withActions({ wrongShape });
      // @ts-expect-error a Result of a key the state does not have
      new ApplicationBuilder<Counter>().withActions({ done: new Result('missing') });
      // @ts-expect-error an unknown entrypoint
      counterApp().withEntrypoint('typo');
      // @ts-expect-error a default state missing a required key
      new ApplicationBuilder<Counter>().withState({ count: 0 });
      // @ts-expect-error a default state with a key the type does not have
      new ApplicationBuilder<Counter>().withState({ count: 0, history: [], extra: 1 });
      // @ts-expect-error a default state of the wrong type
      new ApplicationBuilder<Counter>().initializeFrom(new InMemoryPersister(), { defaultEntrypoint: 'x', defaultState: { count: '0', history: [] } });
      const app = await counterApp().build();
      // @ts-expect-error haltAfter names registered actions
      await app.run({ haltAfter: ['typo'] });
      // @ts-expect-error app.state has the application's keys only
      app.state.get('missing');
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('takes the state type from withSchema, and the types of the keys a default state has', async () => {
    // A default state types its keys; actions may add others, which read as unknown.
    const fromState = await new ApplicationBuilder()
      .withState({ count: 0, history: [] as string[] })
      .withActions({ increment, answer })
      .withEntrypoint('increment')
      .build();
    expectTypeOf(fromState.state.get('count')).toEqualTypeOf<number>();
    await fromState.run({ haltAfter: ['increment'] });
    expectTypeOf(fromState.state.get('question', null)).toEqualTypeOf<unknown>();
    const fromDefault = new ApplicationBuilder()
      .withActions({ increment })
      .initializeFrom(new InMemoryPersister(), { defaultState: { count: 0, history: [] as string[] }, defaultEntrypoint: 'increment' });
    expectTypeOf(fromDefault.build).returns.resolves.toHaveProperty('state').toEqualTypeOf<State<{ count: number; history: string[] } & StateValues>>();
    // A schema describes the whole state: other keys are compile errors.
    const fromSchema = new ApplicationBuilder().withSchema(z.object({ count: z.number(), history: z.array(z.string()) }));
    expectTypeOf(fromSchema.withActions({ increment }).withEntrypoint('increment').build)
      .returns.resolves.toHaveProperty('state')
      .toEqualTypeOf<State<{ count: number; history: string[] }>>();
    // An empty default state says nothing: the application stays untyped.
    const untyped = await new ApplicationBuilder()
      .withActions({ any: action({ reads: [], writes: ['x'], run: (s) => s.update({ x: 1 }) }) })
      .withState({})
      .withEntrypoint('any')
      .build();
    await untyped.step();
    expectTypeOf(untyped.state.get('x')).toEqualTypeOf<unknown>();
  });

  it('an interface can be the state type; literal values keep their type through update', async () => {
    const finish = action({ reads: ['count'], writes: ['status'], run: (state: State<CounterInterface>) => state.update({ status: 'done' }) });
    const bump = action({ reads: ['count'], writes: ['count'], run: (state: State<CounterInterface>) => state.increment({ count: 1 }) });
    const tracker: LifecycleHooks = { postRunStep: () => undefined };
    const app = await new ApplicationBuilder<CounterInterface>()
      .withActions({ bump, finish })
      .withTransitions(['bump', 'bump', expr((s) => s.get('count') < 2)], ['bump', 'finish'])
      .withState({ count: 0, status: 'running' })
      .withEntrypoint('bump')
      .withTracker(tracker)
      .build();
    const last = await app.run();
    expectTypeOf(app.state.get('status')).toEqualTypeOf<'running' | 'done'>();
    expect([last.action, app.state.get('status'), app.state.get('count')]).toEqual(['finish', 'done', 2]);
    const compileOnly = (state: State<CounterInterface>) => {
      // @ts-expect-error not one of the statuses
      state.update({ status: 'paused' });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('a typed application is still an Application, and hooks see its state typed', async () => {
    const seen: number[] = [];
    const hooks: LifecycleHooks<Counter> = { postRunStep: ({ state }) => void seen.push(state.get('count')) };
    const tracker: LifecycleHooks = { preRunStep: ({ state }) => void state.get('anything', null) };
    const app: Application = await counterApp().withHooks(hooks).withTracker(tracker).build();
    await app.run();
    expect(seen).toEqual([1, 2, 3, 3, 3]);
    const compileOnly = () => {
      // @ts-expect-error typed hooks of another state
      counterApp().withHooks({ postRunStep: ({ state }: { state: State<{ other: string }> }) => void state.get('other') });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});

describe('loading from a persister', () => {
  it('persister.load<T>() types the loaded state; without T it stays StateValues', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const app = await counterApp().withIdentifiers({ appId: 'typed', partitionKey: 'p' }).withStatePersister(persister).build();
    await app.step();
    const typed = await persister.load<Counter>('p', 'typed');
    expectTypeOf(typed).toEqualTypeOf<PersistedStateData<Counter> | null>();
    expect(typed?.state.get('count') satisfies number | undefined).toBe(1);
    const plain = await persister.load('p', 'typed');
    expectTypeOf(plain).toEqualTypeOf<PersistedStateData | null>();
    expectTypeOf(plain?.state.get('count')).toEqualTypeOf<unknown>();
    // A loader written as an object literal keeps the plain signature.
    const wrapped: BaseStateLoader = { load: (...args) => persister.load(...args), listAppIds: (pk) => persister.listAppIds(pk) };
    expect((await wrapped.load('p', 'typed'))?.sequenceId).toBe(0);
    const compileOnly = () => {
      // @ts-expect-error a typed load reads only the type's keys
      typed?.state.get('missing');
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
