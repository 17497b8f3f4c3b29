import assert from 'node:assert/strict';
import { InvalidIdentifierError, State } from '@burr/core';
import { newAppId, type SuiteContext } from './context.js';

/** Ids that are not well-formed Unicode, or hold NUL: stored as they are, two of them would share one key. */
const ILL_FORMED_IDS: ReadonlyArray<[string, string]> = [
  ['a lone high surrogate', 'app-\ud800'],
  ['another lone high surrogate', 'app-\ud801'],
  ['a lone low surrogate', 'app-\udc00-x'],
  ['a NUL character', 'app-\u0000-x'],
];

/** App ids, partition keys and positions: which are refused, and that well-formed ones stay apart. */
export function identifierCases({ api, fresh }: SuiteContext): void {
  const { it } = api;
  const step = (appId: string, overrides: { partitionKey?: string; position?: string; n?: number } = {}) => ({
    appId,
    partitionKey: overrides.partitionKey ?? null,
    sequenceId: 0,
    position: overrides.position ?? 'p',
    state: new State({ n: overrides.n ?? 0 }),
    status: 'completed' as const,
  });

  it('refuses ill-formed Unicode and NUL in app ids, partition keys and positions with InvalidIdentifierError, storing nothing', async () => {
    const persister = await fresh();
    for (const [what, id] of ILL_FORMED_IDS) {
      const refused = (error: unknown): boolean => error instanceof InvalidIdentifierError && error.code === 'BURR_INVALID_IDENTIFIER';
      await assert.rejects(persister.save(step(id)), refused, `save with ${what} in the app id`);
      await assert.rejects(persister.save(step('fine', { partitionKey: id })), refused, `save with ${what} in the partition key`);
      await assert.rejects(persister.save(step('fine', { position: id })), refused, `save with ${what} in the position`);
      await assert.rejects(persister.load(null, id), refused, `load with ${what} in the app id`);
      await assert.rejects(persister.load(id, 'fine'), refused, `load with ${what} in the partition key`);
      await assert.rejects(persister.listAppIds(id), refused, `listAppIds with ${what} in the partition key`);
    }
    assert.deepEqual(await persister.listAppIds(null), [], 'nothing was stored');
    assert.equal(await persister.load(null, 'fine'), null);
  });

  it('keeps ids apart that differ only in astral characters or U+FFFD, and lists them all', async () => {
    const persister = await fresh();
    const partitionKey = `tenant-ü-${newAppId('👤')}`;
    const ids = ['chat-\ufffd', 'chat-😀', 'chat-😁', 'chat-𝒜'];
    for (const [n, appId] of ids.entries()) {
      await persister.save(step(appId, { partitionKey, position: `répondre-${n}-✓`, n }));
    }
    for (const [n, appId] of ids.entries()) {
      const loaded = await persister.load(partitionKey, appId);
      assert.ok(loaded, `${appId} must load`);
      assert.equal(loaded.appId, appId);
      assert.equal(loaded.partitionKey, partitionKey);
      assert.equal(loaded.position, `répondre-${n}-✓`);
      assert.equal(loaded.state.get('n'), n, `${appId} must load its own state`);
    }
    assert.deepEqual(new Set(await persister.listAppIds(partitionKey)), new Set(ids));
  });
}
