// /history's numbering, on the chatbot's real graph saved by core's InMemoryPersister
// (the reference implementation of listSteps), with the store's calls counted.
import { InMemoryPersister, type ListStepsOptions, type PartitionKeyInput, type PersistedStateData, type StepPage } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { buildChatApplication } from '../src/app-graph.js';
import { chatHistory } from '../src/commands.js';
import { historyView } from '../src/history-view.js';
import { OfflineResponder } from '../src/responders/index.js';

/** Records what /history asks the store for. */
class CountingPersister extends InMemoryPersister {
  readonly listStepsCalls: ListStepsOptions[] = [];
  loads = 0;

  override listSteps(partitionKey: PartitionKeyInput, appId: string, options: ListStepsOptions = {}): Promise<StepPage> {
    this.listStepsCalls.push(options);
    return super.listSteps(partitionKey, appId, options);
  }

  override load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null> {
    this.loads++;
    return super.load(partitionKey, appId, sequenceId);
  }
}

async function chat(persister: InMemoryPersister, appId: string, lines: readonly string[]) {
  const app = await buildChatApplication(persister, new OfflineResponder(), { partitionKey: 'p', appId });
  for (const line of lines) {
    await app.step({ inputs: { user_input: line } });
    await app.step(); // the reply, or `terminal` after "exit"
  }
  return app;
}

function pointOf(app: Awaited<ReturnType<typeof chat>>) {
  return { partitionKey: 'p', appId: app.uid, sequenceId: app.sequenceId };
}

describe('historyView', () => {
  it('numbers each message with its step from one listSteps page of the last N steps, reading no state and loading nothing', async () => {
    const persister = new CountingPersister();
    await persister.initialize();
    const turns = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const app = await chat(persister, 'long', turns);
    expect(app.sequenceId).toBe(59);
    persister.listStepsCalls.length = 0;
    persister.loads = 0;

    const view = await historyView(persister, pointOf(app), chatHistory(app), 20);
    expect(persister.listStepsCalls).toEqual([{ limit: 21, before: 60 }]);
    expect(persister.loads).toBe(0);
    expect(view.earlierMessages).toBe(40);
    expect(view.messages).toHaveLength(20);
    expect(view.steps).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    expect(view.messages[0]).toEqual({ role: 'user', content: 'line 21' });
    expect(view.messages.at(-1)?.role).toBe('assistant');

    const all = await historyView(persister, pointOf(app), chatHistory(app), 'all');
    expect(all.earlierMessages).toBe(0);
    expect(all.steps).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('skips the terminal step and failed steps, which add no message', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const app = await chat(persister, 'ended', ['hello', 'exit']);
    // human #0, ai #1, human "exit" #2, terminal #3; then a turn after resuming: human #4, ai #5.
    await app.step({ inputs: { user_input: 'again' } });
    await app.step();
    const view = await historyView(persister, pointOf(app), chatHistory(app), 'all');
    expect(view.steps).toEqual([0, 1, 2, 4, 5]);
    expect(view.messages.map((message) => message.content.slice(0, 5))).toEqual(['hello', 'Hello', 'exit', 'again', 'Turn ']);
  });

  it('leaves out steps another session saved after this one, so the numbers still match the messages shown', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const here = await chat(persister, 'shared', ['my name is Ada']);
    const elsewhere = await buildChatApplication(persister, new OfflineResponder(), { partitionKey: 'p', appId: 'shared' });
    await elsewhere.step({ inputs: { user_input: 'hi from elsewhere' } });
    await elsewhere.step();
    const view = await historyView(persister, pointOf(here), chatHistory(here), 20);
    expect(view.steps).toEqual([0, 1]);
    expect(view.earlierMessages).toBe(0);
  });

  it("a fork's inherited messages have no step of its own, and are shown when all its steps are listed", async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const source = await chat(persister, 'source', ['hello', 'my name is Ada']);
    const fork = await buildChatApplication(persister, new OfflineResponder(), { partitionKey: 'p', appId: 'fork', forkFrom: source.uid, forkAt: 1 });
    await fork.step({ inputs: { user_input: 'what is my name?' } });
    await fork.step();
    const view = await historyView(persister, pointOf(fork), chatHistory(fork), 20);
    expect(view.steps).toEqual([undefined, undefined, 2, 3]);
    expect(view.earlierMessages).toBe(0);
  });

  it('a fork not saved yet shows its messages unnumbered', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const source = await chat(persister, 'source', ['hello']);
    const fork = await buildChatApplication(persister, new OfflineResponder(), { partitionKey: 'p', appId: 'fresh-fork', forkFrom: source.uid, forkAt: 1 });
    const view = await historyView(persister, pointOf(fork), chatHistory(fork), 20);
    expect(view.steps).toEqual([undefined, undefined]);
    expect(view.messages).toHaveLength(2);
  });
});
