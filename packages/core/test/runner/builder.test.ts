import { describe, expect, it } from 'vitest';
import { action, ApplicationBuildError, ApplicationBuilder, InMemoryPersister, State, when, type LifecycleHooks } from '@burr/core';
import { counter, countingBuilder, finish, rejection } from './helpers.js';

async function buildError(builder: { build(): Promise<unknown> }): Promise<ApplicationBuildError> {
  const error = await rejection(builder.build());
  expect(error).toBeInstanceOf(ApplicationBuildError);
  expect((error as ApplicationBuildError).code).toBe('BURR_APPLICATION_BUILD');
  return error as ApplicationBuildError;
}

describe('ApplicationBuilder errors', () => {
  it('no actions', async () => {
    expect((await buildError(new ApplicationBuilder().withEntrypoint('x'))).message).toMatch(/no actions/);
  });

  it('missing entrypoint', async () => {
    expect((await buildError(countingBuilder().withState({ count: 0 }))).message).toMatch(/No entrypoint/);
  });

  it('unknown entrypoint', async () => {
    // @ts-expect-error an unknown action name is a compile error too
    expect((await buildError(countingBuilder().withEntrypoint('nope'))).message).toMatch(/Entrypoint "nope" is not an action/);
  });

  it('unknown default entrypoint of initializeFrom', async () => {
    const persister = new InMemoryPersister();
    const error = await buildError(countingBuilder().initializeFrom(persister, { defaultEntrypoint: 'nope' }));
    expect(error.message).toMatch(/"nope"/);
  });

  it('transition from an unknown action', async () => {
    // @ts-expect-error an unknown action name is a compile error too
    const builder = new ApplicationBuilder().withActions({ counter }).withTransitions(['ghost', 'counter']).withEntrypoint('counter');
    expect((await buildError(builder)).message).toMatch(/starts at unknown action "ghost"/);
  });

  it('transition to an unknown action', async () => {
    // @ts-expect-error an unknown action name is a compile error too
    const builder = new ApplicationBuilder().withActions({ counter }).withTransitions(['counter', 'ghost']).withEntrypoint('counter');
    expect((await buildError(builder)).message).toMatch(/goes to unknown action "ghost"/);
  });

  it('transition from an unknown action inside a list of sources', async () => {
    const builder = new ApplicationBuilder()
      .withActions({ counter, finish })
      // @ts-expect-error an unknown action name is a compile error too
      .withTransitions([['counter', 'ghost'], 'finish'])
      .withEntrypoint('counter');
    expect((await buildError(builder)).message).toMatch(/"ghost"/);
  });

  it('two default transitions from one action', async () => {
    const builder = new ApplicationBuilder().withActions({ counter, finish }).withTransitions(['counter', 'finish'], ['counter', 'counter']).withEntrypoint('counter');
    expect((await buildError(builder)).message).toMatch(/"counter" has two default transitions/);
  });

  it('a conditional transition after a default one is allowed', async () => {
    const app = await new ApplicationBuilder()
      .withActions({ counter, finish })
      .withTransitions(['counter', 'finish'], ['counter', 'counter', when({ count: 1 })])
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .build();
    expect(app.graph.transitions).toHaveLength(2);
  });

  it('initializeFrom combined with withState', async () => {
    const builder = countingBuilder().withState({ count: 0 }).initializeFrom(new InMemoryPersister(), { defaultEntrypoint: 'counter' });
    expect((await buildError(builder)).message).toMatch(/withState/);
  });

  it('initializeFrom combined with withEntrypoint', async () => {
    const builder = countingBuilder().initializeFrom(new InMemoryPersister(), { defaultEntrypoint: 'counter' }).withEntrypoint('counter');
    expect((await buildError(builder)).message).toMatch(/withEntrypoint/);
  });

  it('fork into the same app id and partition', async () => {
    const persister = new InMemoryPersister();
    const builder = countingBuilder().withIdentifiers({ appId: 'a', partitionKey: 'p' }).initializeFrom(persister, { defaultEntrypoint: 'counter', forkFromAppId: 'a' });
    expect((await buildError(builder)).message).toMatch(/Cannot fork app "a" into itself/);
  });

  it('fork with an explicit partition equal to the app partition, null and "" being the same', async () => {
    const builder = countingBuilder()
      .withIdentifiers({ appId: 'a' })
      .initializeFrom(new InMemoryPersister(), { defaultEntrypoint: 'counter', forkFromAppId: 'a', forkFromPartitionKey: '' });
    expect((await buildError(builder)).message).toMatch(/into itself/);
  });

  it('forkFromAppId given but nothing to fork', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const builder = countingBuilder().withIdentifiers({ appId: 'new' }).initializeFrom(persister, { defaultEntrypoint: 'counter', forkFromAppId: 'missing' });
    expect((await buildError(builder)).message).toMatch(/nothing is saved for app "missing"/);
  });

  it('fork sequence id without forkFromAppId', async () => {
    const builder = countingBuilder().initializeFrom(new InMemoryPersister(), { defaultEntrypoint: 'counter', forkFromSequenceId: 2 });
    expect((await buildError(builder)).message).toMatch(/forkFromAppId/);
  });

  it('an action registered twice, or something that is not an action', async () => {
    expect((await buildError(countingBuilder().withActions({ counter }).withEntrypoint('counter'))).message).toMatch(/registered twice/);
    const notAnAction = { run: () => new State() } as unknown as typeof counter;
    expect((await buildError(new ApplicationBuilder().withActions({ bad: notAnAction }).withEntrypoint('bad'))).message).toMatch(/"bad" is not an action/);
  });

  it('an empty app id', async () => {
    expect((await buildError(countingBuilder().withEntrypoint('counter').withIdentifiers({ appId: '' }))).message).toMatch(/appId/);
  });

  it('a persister that was not initialized', async () => {
    const builder = countingBuilder().withEntrypoint('counter').withStatePersister(new InMemoryPersister());
    expect((await buildError(builder)).message).toMatch(/initialize\(\)/);
  });

  it('a malformed transition', async () => {
    const builder = countingBuilder()
      .withEntrypoint('counter')
      .withTransitions(['counter'] as unknown as ['counter', 'finish']);
    expect((await buildError(builder)).message).toMatch(/must be \[from, to\]/);
  });
});

describe('ApplicationBuilder', () => {
  it('generates a UUID app id, defaults the partition key to null and runs postApplicationCreate', async () => {
    const created: unknown[] = [];
    const hook: LifecycleHooks = { postApplicationCreate: (args) => void created.push(args) };
    const app = await countingBuilder().withState({ count: 0 }).withEntrypoint('counter').withHooks(hook).build();
    expect(app.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(app.partitionKey).toBeNull();
    expect(app.parentPointer).toBeNull();
    expect(app.sequenceId).toBeNull();
    expect(created).toEqual([{ appId: app.uid, partitionKey: null, state: app.state, graph: app.graph, parentPointer: null }]);
  });

  it('describes the graph: entrypoint, actions with reads/writes/inputs, transitions with condition names', async () => {
    const ask = action({ reads: ['q'], writes: ['a'], inputs: ['prompt'], optionalInputs: ['temperature'], run: (s) => s });
    const app = await countingBuilder()
      .withActions({ ask })
      .withTransitions(['finish', 'ask', when({ done: true })], [['ask'], 'counter'])
      .withEntrypoint('counter')
      .withIdentifiers({ appId: 'graph-app', partitionKey: 'user-1' })
      .build();
    expect(app.uid).toBe('graph-app');
    expect(app.partitionKey).toBe('user-1');
    expect(app.graph.entrypoint).toBe('counter');
    expect(app.graph.actions.map((a) => a.name)).toEqual(['counter', 'finish', 'ask']);
    expect(app.graph.actions[2]).toEqual({
      name: 'ask',
      kind: 'single-step',
      reads: ['q'],
      writes: ['a'],
      inputs: ['prompt'],
      optionalInputs: ['temperature'],
      streaming: false,
    });
    expect(app.graph.transitions).toEqual([
      { from: 'counter', to: 'counter', condition: 'count < 3' },
      { from: 'counter', to: 'finish', condition: 'default' },
      { from: 'finish', to: 'ask', condition: 'done=True' },
      { from: 'ask', to: 'counter', condition: 'default' },
    ]);
  });
});
