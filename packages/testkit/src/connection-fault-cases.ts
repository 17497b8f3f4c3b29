import assert from 'node:assert/strict';
import { InvalidPersistArgumentError, PersisterUnavailableError, type BaseStatePersister } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, startSilentServer, timedRejection } from './fault-servers.js';
import type { TestApi } from './harness.js';
import type { ProvidedDatabase } from './providers.js';
import { sampleStep } from './sample-step.js';
import { groupOrSkip, skipReasonOf, sleep } from './server-groups.js';

/** The timeout options a fault case opens a persister with. */
export interface FaultTimeouts {
  connectTimeoutMs: number;
  operationTimeoutMs: number;
}

/** Where a {@link FaultOpener} points its persister, and with what settings. */
export interface FaultTarget {
  host: string;
  port: number;
  /** `host:port`, as errors name it. */
  address: string;
  /** A password (or token) to put in the connection settings: no error may show it. */
  secret: string;
  /**
   * Spread these into the persister's options. The case on bad timeouts
   * passes values that are not positive numbers here (strings too, despite the type).
   */
  timeouts: FaultTimeouts;
}

/** Builds a persister on `target` (e.g. with `fromUrl`, `fromValues` or `fromConfig`); may connect right away, and reject. */
export type FaultOpener<P extends BaseStatePersister = BaseStatePersister> = (target: FaultTarget) => P | Promise<P>;

/** The static constructors server persisters share (Python's `from_values` and friends), as {@link constructorOpeners} calls them. */
export interface PersisterConstructors<P extends BaseStatePersister, V extends object> {
  fromUrl(url: string, options: FaultTimeouts): P | Promise<P>;
  fromValues(values: V): P | Promise<P>;
  fromConfig(config: Readonly<Record<string, unknown>>): P | Promise<P>;
}

/**
 * One opener per constructor of a server persister: `fromUrl` with `url(target)`,
 * and `fromValues` and `fromConfig` with `values(target)`, each with the case's timeouts.
 */
export function constructorOpeners<P extends BaseStatePersister, V extends object>(
  persister: PersisterConstructors<P, V>,
  url: (target: FaultTarget) => string,
  values: (target: FaultTarget) => V,
): Record<string, FaultOpener<P>> {
  return {
    fromUrl: (target) => persister.fromUrl(url(target), target.timeouts),
    fromValues: (target) => persister.fromValues({ ...values(target), ...target.timeouts }),
    fromConfig: (target) => persister.fromConfig({ ...values(target), ...target.timeouts } as Record<string, unknown>),
  };
}

/**
 * Hooks for the fault cases that need a live server. Persisters they return
 * are cleaned up by the cases.
 */
export interface LiveFaultHooks<P extends BaseStatePersister = BaseStatePersister> {
  /**
   * A persister on a fresh store of the live server, initialized, with `operationTimeoutMs` when given; and the
   * `host:port` its errors name. When initializing fails it cleans that persister up and throws: the cases call
   * `open` again on `PersisterUnavailableError`, since a short `operationTimeoutMs` can miss on a busy machine.
   */
  open(options?: { operationTimeoutMs?: number }): Promise<{ persister: P; address: string }>;
  /**
   * Makes the server hold every call of `persister` without an answer (a
   * table locked by another session, a proxy that stops forwarding), until
   * the returned function is called; that resolves once calls run again.
   */
  stall(persister: P): Promise<() => Promise<void>>;
  /** Terminates, from the server side, every connection `persister` holds; resolves to how many. */
  cut(persister: P): Promise<number>;
  /** An id of the server connection the next call of `persister` runs on (backend pid, thread id, client id). */
  connectionId(persister: P): Promise<string | number>;
  /** Called once after the live cases. */
  teardown?(): Promise<void>;
}

/** Options of {@link runConnectionFaultCases}. */
export interface ConnectionFaultOptions<P extends BaseStatePersister = BaseStatePersister> {
  /** Shown in test names, e.g. `"PostgreSQLPersister"`. */
  name: string;
  /** The backend's name in its errors (`PersisterUnavailableError.backend`), e.g. `"PostgreSQL"`. */
  backend: string;
  /** Each way to build a persister on a host and port, by a label shown in test names; every case without a server runs once per opener. */
  openers: Record<string, FaultOpener<P>>;
  /**
   * Where the driver's own error (the `cause` chain) names the refused
   * connection: by default some `code` in it is `ECONNREFUSED`; `null` when
   * the driver keeps that to itself, and then only a `cause` is required.
   */
  refusedCauseCode?: string | null | undefined;
  /**
   * The driver retries a refused connection until its connect timeout and
   * only then reports it (MongoDB's server selection): the refused-port case
   * then uses the fast timeouts and expects the refusal by their end.
   * Otherwise it uses timeouts far above a refusal's time and expects the
   * refusal long before them.
   */
  refusalWaitsForTimeout?: boolean | undefined;
  /** The server for the live cases, or why there is none (they are then registered as skipped, saying so); stopped after them. Omit when the backend has no server. */
  server?: ProvidedDatabase | undefined;
  /** The hooks of the live cases, made once the server at `url` is there. */
  live?: ((url: string) => LiveFaultHooks<P>) | undefined;
}

/** What a timed-out or unreachable call may take beyond its timeouts: scheduling, a loaded machine. */
const SLACK_MS = 1500;
/** How long a recovering persister has to work again after its connection was cut. */
const RECOVERY_MS = 5000;
/** Timeout values every persister must refuse: not positive, not finite, too large for a timer, not a number. */
const BAD_TIMEOUTS: unknown[] = [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 'soon'];
const FAST: FaultTimeouts = FAST_FAULT_TIMEOUTS;
/** For a refused port: a refusal must come long before these, so reaching one is a failure to report the refusal. */
const REFUSAL_TIMEOUTS: FaultTimeouts = { connectTimeoutMs: 20_000, operationTimeoutMs: 20_000 };

/**
 * Registers the connection-fault cases: a refused port, a server that
 * accepts and never answers, and timeouts that are no positive number, for
 * each opener (no server needed); then, on a live server, a call held
 * longer than `operationTimeoutMs`, a connection cut between calls, and one
 * cut while a call waits. Every failure must be a typed error naming the
 * backend and host:port and never the password, within its timeouts, and
 * the persister must work again afterwards.
 */
export function runConnectionFaultCases<P extends BaseStatePersister>(api: TestApi, options: ConnectionFaultOptions<P>): void {
  api.describe(`${options.name} without a server`, () => {
    for (const [label, opener] of Object.entries(options.openers)) withoutServerCases(api, options, label, opener);
  });
  const { server, live } = options;
  if (server === undefined || live === undefined) return;
  groupOrSkip(api, `${options.name} faults on a live server`, skipReasonOf(server), (group) => {
    // Made when the first case runs: a skipped group never reaches the server.
    let hooks: LiveFaultHooks<P> | undefined;
    liveCases(
      group,
      options,
      () => (hooks ??= live('url' in server ? server.url : '')),
      async () => {
        await hooks?.teardown?.();
        if ('stop' in server) await server.stop();
      },
    );
  });
}

/** Runs `body` with an opener that records what it builds; cleans all of it up afterwards. */
async function withOpened<P extends BaseStatePersister>(opener: FaultOpener<P>, body: (open: FaultOpener<P>) => Promise<void>): Promise<void> {
  const opened: P[] = [];
  try {
    await body(async (target) => {
      const persister = await opener(target);
      opened.push(persister);
      return persister;
    });
  } finally {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
  }
}

/**
 * A reference timer of `delayMs` started now: resolves to how late it fired.
 * A persister's own deadline timer, started at the same moment with the same
 * delay, is late by as much on a loaded machine (CI runs many test processes
 * on two cores), so a bound on how long a call took allows for it.
 */
function timerLateness(delayMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(Math.max(0, performance.now() - started - delayMs)), delayMs));
}

function targetAt(port: number, timeouts: FaultTimeouts = FAST): FaultTarget {
  return { host: '127.0.0.1', port, address: `127.0.0.1:${port}`, secret: `pw-never-shown-${Math.random().toString(36).slice(2, 8)}`, timeouts };
}

/** Every `code` along `error`'s `cause` chain. */
function causeCodes(error: unknown): unknown[] {
  const codes: unknown[] = [];
  for (let cause = (error as { cause?: unknown }).cause; cause instanceof Object; cause = (cause as { cause?: unknown }).cause) {
    codes.push((cause as { code?: unknown }).code);
    for (const inner of (cause as { errors?: unknown[] }).errors ?? []) codes.push((inner as { code?: unknown } | undefined)?.code);
  }
  return codes;
}

function assertUnavailable(error: unknown, expected: { reason: string; backend: string; address?: string; secret?: string }): asserts error is PersisterUnavailableError {
  assert.ok(error instanceof PersisterUnavailableError, `expected a PersisterUnavailableError, got ${String(error)}`);
  const { secret, ...fields } = expected;
  const actual = Object.fromEntries(Object.keys(fields).map((field) => [field, error[field as keyof typeof fields]]));
  assert.deepEqual({ code: error.code, ...actual }, { code: 'BURR_PERSISTER_UNAVAILABLE', ...fields });
  if (secret !== undefined) assert.ok(!error.message.includes(secret), `the message shows the password: ${error.message}`);
}

function withoutServerCases<P extends BaseStatePersister>(api: TestApi, options: ConnectionFaultOptions<P>, label: string, opener: FaultOpener<P>): void {
  const { backend } = options;

  api.it(`${label}: a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the password`, async () => {
    // Timeouts far above a refusal's time, unless the driver waits for them: on a loaded machine a driver's first
    // connection can take longer than FAST's.
    const waits = options.refusalWaitsForTimeout === true;
    const timeouts = waits ? FAST : REFUSAL_TIMEOUTS;
    const target = targetAt(await closedPort(), timeouts);
    await withOpened(opener, async (open) => {
      const { error, ms } = await timedRejection(async () => (await open(target)).initialize());
      assertUnavailable(error, { backend, address: target.address, reason: 'unreachable', secret: target.secret });
      assert.ok(error.message.includes(target.address), `the message names ${target.address}: ${error.message}`);
      assert.ok(error.cause instanceof Error, "the driver's error is the cause");
      const refusedCode = options.refusedCauseCode === undefined ? 'ECONNREFUSED' : options.refusedCauseCode;
      if (refusedCode !== null) assert.ok(causeCodes(error).includes(refusedCode), `a cause carries ${refusedCode}: ${JSON.stringify(causeCodes(error))}`);
      if (waits) assert.ok(ms < FAST.connectTimeoutMs + SLACK_MS, `refused within ${FAST.connectTimeoutMs + SLACK_MS} ms, took ${Math.round(ms)}`);
      else assert.ok(ms < REFUSAL_TIMEOUTS.connectTimeoutMs / 2, `refused at once, not after a timeout: took ${Math.round(ms)} ms`);
    });
  });

  api.it(`${label}: a server that accepts and never answers: connect-timeout within the timeouts, on every call`, async () => {
    const server = await startSilentServer();
    const target = targetAt(server.port);
    const expected = { backend, address: target.address, reason: 'connect-timeout', secret: target.secret };
    try {
      await withOpened(opener, async (open) => {
        const started = performance.now();
        const buildingLateness = timerLateness(FAST.connectTimeoutMs);
        let persister: P;
        try {
          persister = await open(target);
        } catch (error) {
          // A backend that connects while building (Redis): building is the call that times out.
          assertUnavailable(error, expected);
          const ms = performance.now() - started;
          const limit = FAST.connectTimeoutMs + SLACK_MS + (await buildingLateness);
          assert.ok(ms < limit, `gave up within ${Math.round(limit)} ms, took ${Math.round(ms)}`);
          return;
        }
        for (const call of [() => persister.initialize(), () => persister.load('p', 'a'), () => persister.listAppIds('p')]) {
          const deadline = FAST.connectTimeoutMs + FAST.operationTimeoutMs;
          const lateness = timerLateness(deadline);
          const { error, ms } = await timedRejection(call);
          assertUnavailable(error, expected);
          const limit = deadline + SLACK_MS + (await lateness);
          assert.ok(ms < limit, `gave up within ${Math.round(limit)} ms, took ${Math.round(ms)}`);
        }
      });
      assert.ok(server.accepted > 0, 'the persister did connect to the silent server');
    } finally {
      await server.close();
    }
  });

  api.it(`${label}: timeouts that are not positive numbers are refused before connecting`, async () => {
    const server = await startSilentServer();
    try {
      await withOpened(opener, async (open) => {
        for (const field of ['connectTimeoutMs', 'operationTimeoutMs'] as const) {
          for (const bad of BAD_TIMEOUTS) {
            const target = targetAt(server.port, { ...FAST, [field]: bad as number });
            const error = await (async () => open(target))().then(
              () => null,
              (caught: unknown) => caught,
            );
            assert.ok(error instanceof InvalidPersistArgumentError, `${field}: ${String(bad)} is refused with InvalidPersistArgumentError, got ${String(error)}`);
            assert.match(error.message, new RegExp(typeof bad === 'number' ? `${field} must be a positive number` : field));
          }
        }
      });
      assert.equal(server.accepted, 0, 'nothing connected');
    } finally {
      await server.close();
    }
  });
}

function liveCases<P extends BaseStatePersister>(api: TestApi, options: ConnectionFaultOptions<P>, hooks: () => LiveFaultHooks<P>, teardown: () => Promise<void>): void {
  const { backend } = options;
  const opened: P[] = [];
  api.afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
    await teardown();
  });
  /**
   * Calls `call` until it succeeds, for up to RECOVERY_MS: drivers that reconnect in the background, and
   * calls outside a stall that a loaded machine (other test files on two cores) can keep past a short deadline.
   */
  const untilItSucceeds = async <T>(call: () => Promise<T>, retries: (error: unknown) => boolean = () => true): Promise<T> => {
    const until = performance.now() + RECOVERY_MS;
    for (;;) {
      const outcome = await call().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if ('value' in outcome) return outcome.value;
      if (!retries(outcome.error)) throw outcome.error;
      if (performance.now() > until) throw new Error(`the persister did not recover within ${RECOVERY_MS} ms`, { cause: outcome.error });
      await sleep(20);
    }
  };
  // Creating a store under a 300 ms deadline (DDL on a loaded machine) can miss it: opening is retried, not tested.
  const open = async (timeouts?: { operationTimeoutMs?: number }) => {
    const result = await untilItSucceeds(
      () => hooks().open(timeouts),
      (error) => error instanceof PersisterUnavailableError,
    );
    opened.push(result.persister);
    return result;
  };
  const loadsAgain = (persister: P) => untilItSucceeds(() => persister.load('', 'app'));

  api.it('a call the server holds longer than operationTimeoutMs is an operation-timeout, on every call; then the persister recovers', async () => {
    const { persister, address } = await open({ operationTimeoutMs: FAST.operationTimeoutMs });
    await untilItSucceeds(() => persister.save(sampleStep({ sequenceId: 0 })));
    const release = await hooks().stall(persister);
    try {
      for (const call of [() => persister.save(sampleStep({ sequenceId: 1 })), () => persister.load('', 'app'), () => persister.listAppIds('')]) {
        const lateness = timerLateness(FAST.operationTimeoutMs);
        const { error, ms } = await timedRejection(call);
        assertUnavailable(error, { backend, address, reason: 'operation-timeout' });
        assert.ok(ms >= FAST.operationTimeoutMs - 10, `waited the whole operationTimeoutMs, gave up after ${Math.round(ms)} ms`);
        const limit = FAST.operationTimeoutMs + SLACK_MS + (await lateness);
        assert.ok(ms < limit, `gave up within ${Math.round(limit)} ms, took ${Math.round(ms)}`);
      }
    } finally {
      await release();
    }
    // The save that timed out may have landed once the server answered again: sending it again is idempotent.
    // The short deadline still applies, so recovering may take a retry on a busy machine.
    await untilItSucceeds(() => persister.save(sampleStep({ sequenceId: 1 })));
    assert.equal((await loadsAgain(persister))?.sequenceId, 1);
  });

  api.it('cleanup() right after a call missed its deadline on a server holding it returns at once, without waiting for that call', async () => {
    const operationTimeoutMs = 1200;
    const { persister, address } = await open({ operationTimeoutMs });
    await persister.save(sampleStep({ sequenceId: 0 }));
    const release = await hooks().stall(persister);
    try {
      const { error } = await timedRejection(persister.load('', 'app'));
      assertUnavailable(error, { backend, address, reason: 'operation-timeout' });
      const started = performance.now();
      await persister.cleanup();
      const ms = performance.now() - started;
      // Its caller was told operation-timeout already: waiting would only hold the process on a silent server.
      assert.ok(ms < operationTimeoutMs / 2, `cleanup() took ${Math.round(ms)} ms, more than ${operationTimeoutMs / 2}`);
    } finally {
      await release();
    }
  });

  api.it('a connection cut between calls: the next calls succeed or are PersisterUnavailableError (disconnected), then it recovers on a new connection', async () => {
    const { persister } = await open();
    await persister.save(sampleStep({ sequenceId: 0 }));
    const before = await hooks().connectionId(persister);
    assert.ok((await hooks().cut(persister)) >= 1, 'the hook cut at least one connection');
    for (const outcome of await Promise.allSettled([persister.load('', 'app'), persister.load('', 'app')])) {
      if (outcome.status === 'rejected') assertUnavailable(outcome.reason, { backend, reason: 'disconnected' });
    }
    assert.equal((await loadsAgain(persister))?.sequenceId, 0, 'nothing stored is lost');
    await persister.save(sampleStep({ sequenceId: 1 }));
    assert.equal((await persister.load('', 'app'))?.sequenceId, 1);
    assert.notEqual(await hooks().connectionId(persister), before, 'the persister works on a new connection');
  });

  api.it('a connection cut while a call waits on the server: that call is a PersisterUnavailableError (disconnected), then it recovers', async () => {
    const { persister } = await open();
    await persister.save(sampleStep({ sequenceId: 0 }));
    const release = await hooks().stall(persister);
    try {
      const waiting = persister.load('', 'app').then(
        () => null,
        (caught: unknown) => caught,
      );
      // Long enough for the call to reach the server and wait there.
      await sleep(200);
      assert.ok((await hooks().cut(persister)) >= 1, 'the hook cut at least one connection');
      assertUnavailable(await waiting, { backend, reason: 'disconnected' });
    } finally {
      await release();
    }
    assert.equal((await loadsAgain(persister))?.sequenceId, 0, 'nothing stored is lost');
  });
}
