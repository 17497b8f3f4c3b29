import assert from 'node:assert/strict';
import { action, ApplicationBuilder, PersisterUnavailableError, type Application, type BaseStatePersister } from '@burr/core';
import { runConnectionStorm } from '../connection-storm.js';
import { ReplyDroppingProxy } from '../reply-dropping-proxy.js';
import type { TestApi } from '../harness.js';
import { newAppId, pause, stepState, type SuiteContext } from './context.js';
import { skippingApi } from './skipping.js';

/** Attempts of one step before a case gives up: a cut costs at most one failed call, the rest is slack. */
const STEP_ATTEMPTS = 5;
/** Rounds of "step while cutting" in the cut-during-save case. */
const CUT_ROUNDS = 16;
/** How long the storm case cuts connections. */
const STORM_MS = 2000;
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
  assert.deepEqual(
    [...nonces.keys()].sort((a, b) => a - b),
    Array.from({ length: count }, (_, i) => i),
    'the app went through every sequence id once',
  );
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

/** What a rejected promise threw, or `null` when it resolved. */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (caught: unknown) => caught,
  );
}

/** Registers `body(api)` as a describe block, or its cases as skipped under a title that says why. */
function describeUnless(context: SuiteContext, title: string, skipReason: string | null, body: (api: TestApi) => void): void {
  const { api } = context;
  if (skipReason === null) {
    api.describe(title, () => body(api));
    return;
  }
  const skipping = skippingApi(api);
  skipping.describe(`${title} [skipped: ${skipReason}]`, () => body(skipping));
}

/**
 * Connections cut under the persister: by the server (between steps, and in
 * the middle of saves), and after the server committed a save but before its
 * reply arrived. The persister reconnects and the app goes on.
 */
export function connectionCutCases(context: SuiteContext): void {
  lostReplyCases(context);
  serverCutCases(context);
}

function lostReplyCases(context: SuiteContext): void {
  const { harness, again, openOptions, assertStorageMode } = context;
  const viaProxy = harness.viaProxy;
  describeUnless(context, 'lost replies', viaProxy ? null : `${harness.name} has no server connection to proxy (embedded or in-process)`, (api) => {
    /** A fresh, initialized persister reaching the server through a proxy that can drop a reply; both closed after `body`. */
    /** `direct` reaches the same store without the proxy. */
    const behindProxy = async (body: (persister: BaseStatePersister, direct: BaseStatePersister, proxy: ReplyDroppingProxy) => Promise<void>): Promise<void> => {
      const proxy = await ReplyDroppingProxy.start(viaProxy!.target);
      let persister: BaseStatePersister | undefined;
      let direct: BaseStatePersister | undefined;
      try {
        persister = await viaProxy!.create(proxy.address, openOptions());
        assertStorageMode(persister, openOptions());
        await persister.initialize();
        direct = await again(persister);
        await body(persister, direct, proxy);
      } finally {
        await Promise.all([persister?.cleanup(), direct?.cleanup()]);
        await proxy.close();
      }
    };

    api.it('a save committed whose reply was lost: sending it again succeeds, and the step is stored once', async () => {
      await behindProxy(async (persister, direct, proxy) => {
        const appId = newAppId('lost-save');
        // Two saves warm the connection up (a driver may prepare a statement in a round trip of its own; in incremental
        // mode an app's first save is a snapshot, its second the first delta, and each has a statement of its own).
        for (const sequenceId of [0, 1]) {
          await persister.save({ partitionKey: 'cuts', appId, sequenceId, position: 'p', state: stepState({ v: sequenceId }, sequenceId), status: 'completed' });
        }
        const step = { partitionKey: 'cuts', appId, sequenceId: 2, position: 'p', state: stepState({ v: Math.random() }, 2), status: 'completed' as const };
        const dropping = proxy.dropNextReply();
        const error = await rejectionOf(persister.save(step));
        await dropping;
        assert.ok(error instanceof Error, `the save whose reply was lost rejects with an Error, got ${String(error)}`);
        const committed = await direct.load('cuts', appId, 2);
        assert.equal(committed?.state.get('v'), step.state.get('v'), 'the server committed the save whose reply was lost');
        let retry: unknown = null;
        for (let attempt = 0; attempt < STEP_ATTEMPTS; attempt++) {
          retry = await rejectionOf(persister.save(step));
          if (retry === null) break;
          await pause(20);
        }
        assert.equal(retry, null, `re-sending the same save succeeds, got ${String(retry)}`);
        assert.equal((await direct.load('cuts', appId, 2))?.createdAt.getTime(), committed?.createdAt.getTime(), 'the first record is kept');
        assert.equal((await direct.load('cuts', appId))?.sequenceId, 2);
      });
    });

    api.it('a step whose save reply was lost: the next step() succeeds with the same step, and the app goes on', async () => {
      await behindProxy(async (persister, direct, proxy) => {
        const appId = newAppId('lost-step');
        const app = await nonceCounterApp(persister, appId);
        const nonces = new Map<number, unknown>();
        const errors: unknown[] = [];
        for (let i = 0; i < 2; i++) await stepWithRetries(app, nonces, errors);
        const dropping = proxy.dropNextReply();
        const error = await rejectionOf(app.step());
        await dropping;
        assert.ok(error instanceof Error, `the step whose save reply was lost rejects with an Error, got ${String(error)}`);
        assert.equal((await direct.load('cuts', appId))?.sequenceId, 2, 'the server committed step 2');
        assert.equal(app.sequenceId, 1, 'the app did not move on past an unconfirmed save');
        for (let i = 0; i < 3; i++) await stepWithRetries(app, nonces, errors);
        assert.equal(app.state.get('count'), 5);
        await assertContiguous(direct, appId, nonces);
      });
    });
  });
}

function serverCutCases(context: SuiteContext): void {
  const { harness, fresh, again } = context;
  const cut = harness.cutConnections?.bind(harness);
  describeUnless(context, 'connection cuts', cut ? null : `${harness.name} has no server connection to cut (embedded or in-process)`, (api) => {
    api.it('a cut between steps: the next steps reconnect, and the stored steps stay contiguous', async () => {
      const persister = await fresh();
      const appId = newAppId('cut-between');
      const app = await nonceCounterApp(persister, appId);
      const nonces = new Map<number, unknown>();
      const errors: unknown[] = [];
      for (let i = 0; i < 3; i++) await stepWithRetries(app, nonces, errors);
      assert.equal(errors.length, 0, 'no error before the cut');
      assert.ok((await cut!(persister)) >= 1, 'the harness cut at least one connection of the persister');
      for (let i = 0; i < 3; i++) await stepWithRetries(app, nonces, errors);
      assert.equal(app.state.get('count'), 6);
      const reader = await again(persister);
      await assertContiguous(reader, appId, nonces);
      await assertContiguous(persister, appId, nonces);
      // Closed now rather than after the suite: a server's connection slots are shared with other test files.
      await Promise.all([persister.cleanup(), reader.cleanup()]);
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
          ? Promise.all([stepWithRetries(app, nonces, errors), later(() => cut!(persister))])
          : Promise.all([later(() => stepWithRetries(app, nonces, errors)), cut!(persister)]));
      }
      assert.equal(app.state.get('count'), CUT_ROUNDS + 1);
      const reader = await again(persister);
      await assertContiguous(reader, appId, nonces);
      // The app keeps working once the cuts stop.
      await stepWithRetries(app, nonces, errors);
      assert.equal((await persister.load('cuts', appId))?.sequenceId, CUT_ROUNDS + 1);
      await Promise.all([persister.cleanup(), reader.cleanup()]);
    });

    // A reconnect cut in its turn must not reject where nobody listens (postgres.js's type fetch on a new
    // connection once did, which ends a real process), and every failure must be the typed, retryable error.
    api.it('a storm of cuts every 1-15 ms: no unhandled rejection, every failed step is PersisterUnavailableError, no step lost', async () => {
      const persister = await fresh();
      const appId = newAppId('storm');
      const app = await nonceCounterApp(persister, appId);
      const report = await runConnectionStorm({ app, cut: () => cut!(persister), durationMs: STORM_MS });
      assert.deepEqual(report.unhandled, [], 'no rejection went unhandled');
      assert.ok(report.cuts > 5, `the storm cut connections (${report.cuts})`);
      assert.ok(report.recovered, 'the app carries on once the storm is over');
      const untyped = report.failures.filter((error) => !(error instanceof PersisterUnavailableError));
      assert.deepEqual(untyped, [], 'every failed step is a PersisterUnavailableError');
      assert.equal(app.state.get('count'), report.stepsSaved, 'each returned step counted once');
      const reader = await again(persister);
      for (let sequenceId = 0; sequenceId < report.stepsSaved; sequenceId++) {
        const stored = await reader.load('cuts', appId, sequenceId);
        assert.deepEqual([stored?.status, stored?.state.get('count')], ['completed', sequenceId + 1], `step ${sequenceId} is stored once, in order`);
      }
      assert.equal((await reader.load('cuts', appId))?.sequenceId, report.stepsSaved - 1, 'nothing stored past the last step');
      await Promise.all([persister.cleanup(), reader.cleanup()]);
    });
  });
}
