// --list paging and /delete's step count over core's InMemoryPersister (the reference listApps and listSteps).
import { InMemoryPersister, State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli-args.js';
import { countSteps, listConversationPage } from '../src/conversations.js';
import { formatConversationList, makeStyle } from '../src/transcript.js';

async function storeWith(apps: ReadonlyArray<[appId: string, steps: number]>): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  for (const [appId, steps] of apps) {
    for (let sequenceId = 0; sequenceId < steps; sequenceId++) {
      const position = sequenceId % 2 === 0 ? 'human_converse' : 'ai_converse';
      await persister.save({ partitionKey: 'p', appId, sequenceId, position, state: new State({ chat_history: [] }), status: 'completed' });
    }
  }
  return persister;
}

describe('listConversationPage', () => {
  it('pages most recently saved first, offering a next page only when it holds something', async () => {
    const persister = await storeWith([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    const first = await listConversationPage(persister, 'p', 3, undefined);
    expect(first.conversations.map((app) => app.appId)).toEqual(['d', 'c', 'b']);
    expect(first.nextCursor).toBeDefined();
    const second = await listConversationPage(persister, 'p', 3, first.nextCursor);
    expect(second.conversations.map((app) => app.appId)).toEqual(['a']);
    expect(second.nextCursor).toBeUndefined();
    // A page that ends exactly at the last conversation offers no empty next page.
    expect((await listConversationPage(persister, 'p', 4, undefined)).nextCursor).toBeUndefined();
    expect((await listConversationPage(persister, 'p', 2, undefined)).conversations.map((app) => [app.appId, app.lastSequenceId])).toEqual([
      ['d', 3],
      ['c', 2],
    ]);
  });

  it('a --more value that is not a printed cursor is a usage error naming it', async () => {
    const persister = await storeWith([['a', 1]]);
    await expect(listConversationPage(persister, 'p', 3, 'not-a-cursor')).rejects.toThrow(UsageError);
    await expect(listConversationPage(persister, 'p', 3, 'not-a-cursor')).rejects.toThrow('--more not-a-cursor is not a cursor a --list page printed');
  });
});

describe('countSteps', () => {
  it('counts every saved step across listSteps pages, and 0 for an unknown conversation', async () => {
    const persister = await storeWith([
      ['long', 2500],
      ['short', 3],
    ]);
    expect(await countSteps(persister, 'p', 'long')).toBe(2500);
    expect(await countSteps(persister, 'p', 'short')).toBe(3);
    expect(await countSteps(persister, 'p', 'none')).toBe(0);
  });
});

describe('formatConversationList', () => {
  const style = makeStyle(false);
  const frame = { partitionKey: 'p', continued: false, nextPageCommand: undefined, startCommand: 'pnpm chatbot' };

  it('shows app id, last step, status and time in aligned columns, and the next-page command', () => {
    const lastSavedAt = new Date(2026, 10, 30, 9, 5, 7);
    const text = formatConversationList(
      [
        { partitionKey: 'p', appId: 'ended-one', lastSequenceId: 5, lastPosition: 'terminal', lastStatus: 'completed', lastSavedAt },
        { partitionKey: 'p', appId: 'x', lastSequenceId: 12, lastPosition: 'ai_converse', lastStatus: 'failed', lastSavedAt },
      ],
      { ...frame, nextPageCommand: 'pnpm chatbot --list --more abc' },
      style,
    );
    expect(text.split('\n')).toEqual([
      'Conversations of "p", most recently saved first:',
      '  APP ID     LAST STEP        STATUS     LAST SAVED',
      '  ended-one  #5 terminal      completed  2026-11-30 09:05:07  (ended)',
      '  x          #12 ai_converse  failed     2026-11-30 09:05:07',
      'Next page: pnpm chatbot --list --more abc',
    ]);
  });

  it('an empty first page says how to start; an empty later page says there is no more', () => {
    expect(formatConversationList([], frame, style)).toBe('No conversations for partition "p" yet. Start one with: pnpm chatbot');
    expect(formatConversationList([], { ...frame, continued: true }, style)).toBe('No more conversations of "p" after the previous page.');
  });
});
