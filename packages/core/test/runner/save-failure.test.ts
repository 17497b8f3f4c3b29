import { describe, expect, it } from 'vitest';
import { action, ApplicationBuilder, InMemoryPersister, PersisterConflictError, SerializationError, StepHookFailedError, type SaveStateArgs, type State } from '@burr/core';
import { countingBuilder, rejection } from './helpers.js';

/**
 * An in-memory store whose next saves fail in a chosen way: `'lost-reply'`
 * stores the step and then throws (a connection cut after the commit),
 * `'refused'` throws before storing anything.
 */
class FlakyPersister extends InMemoryPersister {
  readonly faults: Array<'lost-reply' | 'refused'> = [];
  saves = 0;

  override async save(args: SaveStateArgs): Promise<void> {
    this.saves++;
    const fault = this.faults.shift();
    if (fault === 'refused') throw new Error('connection refused');
    await super.save(args);
    if (fault === 'lost-reply') throw new Error('connection reset after the commit');
  }
}

async function flaky(): Promise<FlakyPersister> {
  const persister = new FlakyPersister();
  await persister.initialize();
  return persister;
}

/** Counts, and writes a random nonce: re-running the action could never produce the stored step again. */
function nonceCounter() {
  type Nonced = { count: number; nonce?: number };
  let runs = 0;
  const counter = action({
    reads: ['count'],
    writes: ['count', 'nonce'],
    run: (state: State<Nonced>) => {
      runs++;
      return state.update({ count: state.get('count') + 1, nonce: Math.random() });
    },
  });
  const builder = new ApplicationBuilder<Nonced>().withActions({ counter }).withTransitions(['counter', 'counter']).withState({ count: 0 }).withEntrypoint('counter');
  return { builder, runs: () => runs };
}

describe('the runner after a save that threw', () => {
  it('a save whose reply was lost: the next step() saves the same step again, returns it, and the app moves on', async () => {
    const persister = await flaky();
    const { builder, runs } = nonceCounter();
    const app = await builder.withStatePersister(persister).build();
    await app.step();
    persister.faults.push('lost-reply');
    expect((await rejection(app.step())).message).toMatch(/connection reset/);
    expect(app.sequenceId).toBe(0);
    expect(app.getNextAction()).toBe('counter');
    const stored = await persister.load(null, app.uid, 1);

    const retried = await app.step();
    expect(runs()).toBe(2);
    expect(retried?.state.get('nonce')).toBe(stored?.state.get('nonce'));
    expect(app.sequenceId).toBe(1);
    await app.step();
    expect((await persister.load(null, app.uid))?.sequenceId).toBe(2);
    expect(app.state.get('count')).toBe(3);
  });

  it('a save that failed before writing: the retry stores the step the action produced, without re-running it', async () => {
    const persister = await flaky();
    const { builder, runs } = nonceCounter();
    const app = await builder.withStatePersister(persister).build();
    persister.faults.push('refused', 'refused');
    await rejection(app.step());
    await rejection(app.step());
    expect(await persister.load(null, app.uid)).toBeNull();
    const result = await app.step();
    expect(runs()).toBe(1);
    expect(persister.saves).toBe(3);
    expect((await persister.load(null, app.uid, 0))?.state.get('nonce')).toBe(result?.state.get('nonce'));
  });

  it('the other hooks see the step once, after the save finally landed', async () => {
    const persister = await flaky();
    const seen: number[] = [];
    const app = await countingBuilder(5)
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withStatePersister(persister)
      .withHooks({ postRunStep: ({ sequenceId }) => void seen.push(sequenceId) })
      .build();
    persister.faults.push('lost-reply');
    await rejection(app.step());
    expect(seen).toEqual([]);
    await app.step();
    await app.step();
    expect(seen).toEqual([0, 1]);
  });

  it('run() called again after a failed save continues where it stopped, no step lost or repeated', async () => {
    const persister = await flaky();
    const app = await countingBuilder(4).withState({ count: 0 }).withEntrypoint('counter').withStatePersister(persister).build();
    persister.faults.push('refused', 'lost-reply', 'refused');
    let failures = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await app.run();
        break;
      } catch {
        failures++;
      }
    }
    expect(failures).toBe(3);
    expect(app.getNextAction()).toBeNull();
    for (let sequenceId = 0; sequenceId <= 3; sequenceId++) expect((await persister.load(null, app.uid, sequenceId))?.state.get('count')).toBe(sequenceId + 1);
    expect(await persister.load(null, app.uid)).toMatchObject({ sequenceId: 4, position: 'finish' });
  });

  it('a failed action whose failed record could not be saved: the retry saves that record, then runs the action again', async () => {
    const persister = await flaky();
    let fail = true;
    const flakyAction = action({
      reads: [],
      writes: ['n'],
      run: (s) => {
        if (fail) throw new Error('boom');
        return s.update({ n: 1 });
      },
    });
    const app = await new ApplicationBuilder().withActions({ flakyAction }).withState({}).withEntrypoint('flakyAction').withStatePersister(persister).build();
    persister.faults.push('lost-reply');
    expect(await rejection(app.step())).toBeInstanceOf(StepHookFailedError);
    fail = false;
    const retried = await app.step();
    expect(retried?.state.get('n')).toBe(1);
    expect(await persister.load(null, app.uid, 0)).toMatchObject({ status: 'failed' });
    expect(await persister.load(null, app.uid, 1)).toMatchObject({ status: 'completed' });
  });

  it('streamResult() finishes the unsaved step first; if that is the step to stream, it returns its result', async () => {
    const persister = await flaky();
    const app = await countingBuilder(5).withState({ count: 0 }).withEntrypoint('counter').withStatePersister(persister).build();
    persister.faults.push('lost-reply');
    await rejection(app.step());
    const { action: streamed, stream } = await app.streamResult({ haltAfter: ['counter'] });
    expect(streamed).toBe('counter');
    expect((await stream.get()).state.get('count')).toBe(1);
    expect(app.sequenceId).toBe(0);
    expect((await persister.load(null, app.uid))?.sequenceId).toBe(0);
  });

  it('a state the persister refuses is not retried: the next step runs the action again', async () => {
    const persister = await flaky();
    let value: unknown = () => 1;
    const put = action({ reads: [], writes: ['v'], run: (s) => s.update({ v: value }) });
    const app = await new ApplicationBuilder().withActions({ put }).withTransitions(['put', 'put']).withState({}).withEntrypoint('put').withStatePersister(persister).build();
    expect(await rejection(app.step())).toBeInstanceOf(SerializationError);
    value = 'fine';
    expect((await app.step())?.state.get('v')).toBe('fine');
    expect((await persister.load(null, app.uid, 0))?.state.get('v')).toBe('fine');
  });

  it('a real conflict (another writer owns the sequence id) keeps failing and never overwrites', async () => {
    const persister = await flaky();
    const a = await countingBuilder(3).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'twin' }).withStatePersister(persister).build();
    const b = await countingBuilder(3).withState({ count: 100 }).withEntrypoint('counter').withIdentifiers({ appId: 'twin' }).withStatePersister(persister).build();
    await a.step();
    expect(await rejection(b.step())).toBeInstanceOf(PersisterConflictError);
    expect(await rejection(b.step())).toBeInstanceOf(PersisterConflictError);
    expect((await persister.load(null, 'twin', 0))?.state.get('count')).toBe(1);
  });
});
