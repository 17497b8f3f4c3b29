import { describe, expect, it } from 'vitest';
import {
  action,
  ApplicationBuilder,
  ApplicationRunError,
  InMemoryPersister,
  PRIOR_STEP_KEY,
  SEQUENCE_ID_KEY,
  type State,
  StreamingAction,
  streamingAction,
  type ActionInputs,
} from '@burr/core';
import { rejection } from './helpers.js';

const words = ['hello', ' ', 'world'];

const respond = streamingAction<{ response: string }, { delta: string }>({
  reads: ['prompt'],
  writes: ['response'],
  async *stream(state) {
    let text = '';
    for (const delta of words) {
      text += delta;
      yield { delta };
    }
    return { result: { response: text }, state: state.update({ response: text, ignored: true }) };
  },
});

const ask = action({ reads: [], writes: ['prompt'], inputs: ['prompt'], run: (s, i) => s.update({ prompt: i.prompt }) });

async function chatApp(persister?: InMemoryPersister) {
  const builder = new ApplicationBuilder()
    .withActions({ ask, respond })
    .withTransitions(['ask', 'respond'], ['respond', 'ask'])
    .withEntrypoint('ask')
    .withIdentifiers({ appId: 'chat' });
  if (persister) builder.withStatePersister(persister);
  return builder.build();
}

describe('streamResult', () => {
  it('runs the non-streaming steps, then streams the haltAfter action; get() gives the final result and state', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const app = await chatApp(persister);
    const { action: name, stream } = await app.streamResult<{ delta: string }>({ haltAfter: ['respond'], inputs: { prompt: 'hi' } });
    expect(name).toBe('respond');
    expect(app.sequenceId).toBe(0);
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.delta);
    expect(deltas).toEqual(words);
    const { result, state } = await stream.get();
    expect(result).toEqual({ response: 'hello world' });
    expect(state.getAll()).toEqual({ [SEQUENCE_ID_KEY]: 1, prompt: 'hi', [PRIOR_STEP_KEY]: 'respond', response: 'hello world' });
    expect(app.state).toBe(state);
    const saved = await persister.load(null, 'chat');
    expect(saved).toMatchObject({ sequenceId: 1, position: 'respond', status: 'completed' });
    expect(saved?.state.get('response')).toBe('hello world');
    expect(app.getNextAction()).toBe('ask');
  });

  it('get() alone drains the stream and completes the step', async () => {
    const app = await chatApp();
    const { stream } = await app.streamResult({ haltAfter: ['respond'], inputs: { prompt: 'x' } });
    expect((await stream.get()).result).toEqual({ response: 'hello world' });
    expect(await stream.get()).toEqual({ result: { response: 'hello world' }, state: app.state });
  });

  it('leaving the iteration early leaves the rest to get(); the app is busy until then', async () => {
    const app = await chatApp();
    const { stream } = await app.streamResult<{ delta: string }>({ haltAfter: ['respond'], inputs: { prompt: 'x' } });
    for await (const chunk of stream) {
      expect(chunk.delta).toBe('hello');
      break;
    }
    const busy = await rejection(app.step({ inputs: { prompt: 'y' } }));
    expect(busy).toBeInstanceOf(ApplicationRunError);
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.delta);
    expect(deltas).toEqual([' ', 'world']);
    expect((await stream.get()).state.get('response')).toBe('hello world');
    expect((await app.step({ inputs: { prompt: 'y' } }))?.action).toBe('ask');
  });

  it('a haltBefore action reached first gives an empty container with a null result', async () => {
    const app = await chatApp();
    await app.step({ inputs: { prompt: 'a' } });
    await app.step();
    const { action: name, stream } = await app.streamResult({ haltAfter: ['respond'], haltBefore: ['ask'], inputs: { prompt: 'b' } });
    // As in run(), one step runs first: ask, then respond comes next and is in haltAfter.
    expect(name).toBe('respond');
    await stream.get();
    const halted = await app.streamResult({ haltAfter: ['respond'], haltBefore: ['ask'], inputs: { prompt: 'c' } });
    expect(halted.action).toBe('respond');
    await halted.stream.get();
    const counter = action({ reads: [], writes: ['n'], run: (s) => s.update({ n: 1 }) });
    const other = await new ApplicationBuilder().withActions({ counter, ask, respond }).withTransitions(['counter', 'ask'], ['ask', 'respond']).withEntrypoint('counter').build();
    const empty = await other.streamResult({ haltAfter: ['respond'], haltBefore: ['ask'] });
    expect(empty.action).toBe('ask');
    const chunks: unknown[] = [];
    for await (const chunk of empty.stream) chunks.push(chunk);
    expect(chunks).toEqual([]);
    expect(await empty.stream.get()).toEqual({ result: null, state: other.state });
    expect(other.state.get('n')).toBe(1);
  });

  it('an error in the stream rejects the iteration and get(), and is saved as failed with the pre-action state', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const broken = streamingAction({
      reads: [],
      writes: ['out'],
      async *stream() {
        yield 'first';
        throw new Error('stream broke');
      },
    });
    const app = await new ApplicationBuilder()
      .withActions({ broken })
      .withState({ out: 'before' })
      .withEntrypoint('broken')
      .withIdentifiers({ appId: 'broken-stream' })
      .withStatePersister(persister)
      .build();
    const { stream } = await app.streamResult({ haltAfter: ['broken'] });
    const chunks: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })(),
    );
    expect(error.message).toBe('stream broke');
    expect(chunks).toEqual(['first']);
    expect((await rejection(stream.get())).message).toBe('stream broke');
    const saved = await persister.load(null, 'broken-stream');
    expect(saved).toMatchObject({ sequenceId: 0, position: 'broken', status: 'failed' });
    expect(saved?.state.getAll()).toEqual({ out: 'before', [SEQUENCE_ID_KEY]: 0 });
    expect(app.getNextAction()).toBe('broken');
  });

  it('a streaming action that returns nothing is an ApplicationRunError', async () => {
    const silent = streamingAction({
      reads: [],
      writes: [],
      // biome-ignore lint/correctness/useYield: a stream that ends without yielding anything is the case under test.
      async *stream() {
        return undefined as unknown as State;
      },
    });
    const app = await new ApplicationBuilder().withActions({ silent }).withEntrypoint('silent').build();
    const { stream } = await app.streamResult({ haltAfter: ['silent'] });
    expect(await rejection(stream.get())).toBeInstanceOf(ApplicationRunError);
  });

  it('streams a non-streaming haltAfter action as an empty container with its result', async () => {
    const app = await chatApp();
    const { action: name, stream } = await app.streamResult({ haltAfter: ['ask'], inputs: { prompt: 'p' } });
    expect(name).toBe('ask');
    const chunks: unknown[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual([]);
    expect((await stream.get()).state.get('prompt')).toBe('p');
  });

  it('fails clearly when there is no next action, or the graph ends first', async () => {
    const noop = action({ reads: [], writes: [], run: (s) => s });
    const app = await new ApplicationBuilder().withActions({ noop, respond }).withEntrypoint('noop').build();
    expect((await rejection(app.streamResult({ haltAfter: ['respond'] }))).message).toMatch(/ended .* before reaching any of respond/);
    expect((await rejection(app.streamResult({ haltAfter: ['respond'] }))).message).toMatch(/no next action/);
  });
});

describe('class-based StreamingAction', () => {
  type Launch = { from: number; launched?: boolean };
  class Countdown extends StreamingAction<{ launched: boolean }, number, Launch> {
    readonly reads = ['from'] as const;
    readonly writes = ['launched'] as const;
    async *stream(state: State<Launch>, _inputs: ActionInputs) {
      for (let i = state.get('from'); i > 0; i--) yield i;
      return { launched: true };
    }
    update(result: { launched: boolean }, state: State<Launch>) {
      return state.update(result);
    }
  }

  it('yields partials, returns the final result, then update applies it', async () => {
    const app = await new ApplicationBuilder<Launch>().withActions({ countdown: new Countdown() }).withState({ from: 3 }).withEntrypoint('countdown').build();
    expect(app.graph.actions[0]).toMatchObject({ kind: 'streaming', streaming: true });
    const { stream } = await app.streamResult<number>({ haltAfter: ['countdown'] });
    const seen: number[] = [];
    for await (const n of stream) seen.push(n);
    expect(seen).toEqual([3, 2, 1]);
    expect(await stream.get()).toEqual({ result: { launched: true }, state: app.state });
    expect(app.state.get('launched')).toBe(true);
  });

  it('runs to completion under step() too', async () => {
    const app = await new ApplicationBuilder()
      .withActions({ countdown: new Countdown(), respond })
      .withState({ from: 2, prompt: '' })
      .withTransitions(['countdown', 'respond'])
      .withEntrypoint('countdown')
      .build();
    expect(await app.step()).toMatchObject({ action: 'countdown', result: { launched: true } });
    expect(await app.step()).toMatchObject({ action: 'respond', result: { response: 'hello world' } });
    expect(app.state.has('ignored')).toBe(false);
  });
});
