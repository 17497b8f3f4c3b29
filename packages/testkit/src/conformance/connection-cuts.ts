import assert from 'node:assert/strict';
import { action, ApplicationBuilder, type Application, type BaseStatePersister } from '@burr/core';
import { newAppId, pause, type SuiteContext } from './context.js';

/** Attempts of one step before a case gives up: a cut costs at most one failed call, the rest is slack. */
const STEP_ATTEMPTS = 5;
/** Rounds of "step while cutting" in the cut-during-save case. */
const CUT_ROUNDS = 16;
/** Carried in every saved state so that a save stays in flight long enough for a cut to land during it. */
const PADDING = 'x'.repeat(256 * 1024);

/**
 * A counter that also writes a random nonce: re-running an action would
 * store a different step, so a runner that re-ran a step whose save had
 * landed would hit a conflict, and a lost or repeated step shows up as a
 * wrong nonce.
 */
function nonceCounterApp(persister: BaseStatePersister, appId: string): Promise<Application> {
  const counter = action({
    reads: ['count'],
    writes: ['count', 'nonce'],
    run: (state) => state.update({ count: (state.get('count') as number) + 1, nonce: Math.random() }),
  });
  return new ApplicationBuilder()
    .withActions({ counter })
    .withTransitions(['counter', 'counter'])
    .withState({ count: 0, padding: PADDING })
    .withEntrypoint('counter')
    .withIdentifiers({ appId, partitionKey: 'cuts' })
    .withStatePersister(persister)
    .build();
}

/**
 * One step, retried after an error as an application would: a cut may fail
 * the call it hits (with `PersisterUnavailableError` or the driver's error),
 * and the next call must reconnect. Records each step's nonce by sequence id.
 */
async function stepWithRetries(app: Application, nonces: Map<number, unknown>, errors: unknown[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const step = await app.step();
      assert.ok(step, 'the counter always has a next step');
      nonces.set(app.sequenceId as number, step.state.get('nonce'));
      return;
    } catch (error) {
      assert.ok(error instanceof Error, `a failed step rejects with an Error, got ${String(error)}`);
      errors.push(error);
      if (attempt >= STEP_ATTEMPTS) throw new Error(`step still failing after ${attempt} attempts following a connection cut`, { cause: error });
      await pause(20);
    }
  }
}

/** Every step 0..n-1 is stored once, completed, holding what the app returned for it, and the latest is n-1. */
async function assertContiguous(reader: BaseStatePersister, appId: string, nonces: Map<number, unknown>): Promise<void> {
  const count = nonces.size;
  assert.deepEqual([...nonces.keys()].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i), 'the app went through every sequence id once');
  const latest = await reader.load('cuts', appId);
  assert.equal(latest?.sequenceId, count - 1, 'the latest stored step is the last one the app ran');
  for (let sequenceId = 0; sequenceId < count; sequenceId++) {
    const stored = await reader.load('cuts', appId, sequenceId);
    assert.ok(stored, `step ${sequenceId} is stored (no gap)`);
    assert.deepEqual(
      [stored.sequenceId, stored.status, stored.state.get('count'), stored.state.get('nonce')],
      [sequenceId, 'completed', sequenceId + 1, nonces.get(sequenceId)],
      `step ${sequenceId} holds what the app returned for it`,
    );
  }
}

/** A connection cut by the server (between steps, and in the middle of saves): the persister reconnects and the app goes on. */
export function connectionCutCases({ api, harness, fresh, again }: SuiteContext): void {
  const cut = harness.cutConnections?.bind(harness);
  if (!cut) {
    const title = `connection cuts [skipped: ${harness.name} has no server connection to cut (embedded or in-process)]`;
    (api.describe.skip ?? api.describe)(title, () => api.it('is skipped', () => {}));
    return;
  }

  api.describe('connection cuts', () => {
    api.it('a cut between steps: the next steps reconnect, and the stored steps stay contiguous', async () => {
      const persister = await fresh();
      const appId = newAppId('cut-between');
      const app = await nonceCounterApp(persister, appId);
      const nonces = new Map<number, unknown>();
      const errors: unknown[] = [];
      for (let i = 0; i < 3; i++) await stepWithRetries(app, nonces, errors);
      assert.equal(errors.length, 0, 'no error before the cut');
      assert.ok((await cut(persister)) >= 1, 'the harness cut at least one connection of the persister');
      for (let i = 0; i < 3; i++) await stepWithRetries(app, nonces, errors);
      assert.equal(app.state.get('count'), 6);
      await assertContiguous(await again(persister), appId, nonces);
      await assertContiguous(persister, appId, nonces);
    });

    api.it('cuts during saves: failed steps are retried, no step is lost, repeated or stuck in a conflict', async () => {
      const persister = await fresh();
      const appId = newAppId('cut-during');
      const app = await nonceCounterApp(persister, appId);
      const nonces = new Map<number, unknown>();
      const errors: unknown[] = [];
      await stepWithRetries(app, nonces, errors);
      for (let round = 0; round < CUT_ROUNDS; round++) {
        // Each round starts the cut and the step at a different offset, either one first.
        const offset = Math.floor(round / 2) % 4;
        const later = <T>(start: () => Promise<T>) => pause(offset).then(start);
        await (round % 2 === 0
          ? Promise.all([stepWithRetries(app, nonces, errors), later(() => cut(persister))])
          : Promise.all([later(() => stepWithRetries(app, nonces, errors)), cut(persister)]));
      }
      assert.equal(app.state.get('count'), CUT_ROUNDS + 1);
      await assertContiguous(await again(persister), appId, nonces);
      // The app keeps working once the cuts stop.
      await stepWithRetries(app, nonces, errors);
      assert.equal((await persister.load('cuts', appId))?.sequenceId, CUT_ROUNDS + 1);
    });
  });
}
