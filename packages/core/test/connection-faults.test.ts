import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ConnectionGuard,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  InvalidPersistArgumentError,
  PersisterConflictError,
  PersisterUnavailableError,
  addressOf,
  networkFaultReason,
  readConnectionTimeouts,
} from '@burr/core';

/** A real ECONNREFUSED from Node: connect to a port that was just closed. */
async function refusedError(): Promise<Error> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const response = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
  return response as Error;
}

describe('addressOf', () => {
  it('gives host:port without user, password, path or query', () => {
    expect(addressOf('postgres://burr:secret@db.example:6543/app?sslmode=require')).toBe('db.example:6543');
    expect(addressOf('redis://:secret@127.0.0.1', 6379)).toBe('127.0.0.1:6379');
    expect(addressOf('postgres://[::1]:5432/x')).toBe('[::1]:5432');
    expect(addressOf({ host: '::1', port: 27017 })).toBe('[::1]:27017');
    expect(addressOf({}, 5432)).toBe('localhost:5432');
  });

  it('never echoes a string that is no URL (it may hold a password)', () => {
    expect(addressOf('user:secret@nowhere')).toBe('(unparsable address)');
  });
});

describe('networkFaultReason', () => {
  it('finds the errno through fetch\'s "fetch failed" cause chain', async () => {
    const error = await refusedError();
    expect(error.message).toBe('fetch failed');
    expect(networkFaultReason(error)).toBe('unreachable');
  });

  it('maps resets, timeouts while connecting, and AggregateErrors', () => {
    expect(networkFaultReason(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('disconnected');
    expect(networkFaultReason(Object.assign(new Error('x'), { code: 'ETIMEDOUT', syscall: 'connect' }))).toBe('connect-timeout');
    expect(networkFaultReason(Object.assign(new Error('x'), { code: 'ETIMEDOUT', syscall: 'read' }))).toBe('disconnected');
    expect(networkFaultReason(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe('unreachable');
    expect(networkFaultReason(new Error('duplicate key'))).toBeUndefined();
    expect(networkFaultReason('ECONNREFUSED')).toBeUndefined();
  });
});

describe('readConnectionTimeouts', () => {
  it('fills in the defaults and refuses what is not a positive number of milliseconds', () => {
    expect(readConnectionTimeouts('P')).toEqual({ connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, operationTimeoutMs: DEFAULT_OPERATION_TIMEOUT_MS });
    expect(readConnectionTimeouts('P', { operationTimeoutMs: 250 }).operationTimeoutMs).toBe(250);
    for (const bad of [0, -1, Number.NaN, Infinity, 2 ** 31, '100']) {
      expect(() => readConnectionTimeouts('P', { connectTimeoutMs: bad as number })).toThrow(InvalidPersistArgumentError);
    }
  });
});

describe('ConnectionGuard', () => {
  const guard = () => new ConnectionGuard({ backend: 'TestDB', address: '127.0.0.1:9', connectTimeoutMs: 100, operationTimeoutMs: 100 });
  const never = () => new Promise<never>(() => {});

  it('a first call that never settles is a connect-timeout after connect + operation time; later ones an operation-timeout', async () => {
    const g = guard();
    const started = performance.now();
    const first = await g.run(never).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(PersisterUnavailableError);
    expect(first).toMatchObject({ reason: 'connect-timeout', backend: 'TestDB', address: '127.0.0.1:9' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await g.run(async () => 1);
    const later = await g.run(never).catch((error: unknown) => error);
    expect(later).toMatchObject({ reason: 'operation-timeout' });
    expect((later as Error).message).toBe('TestDB at 127.0.0.1:9 did not answer in time (no answer within 100 ms).');
  });

  it('wraps a network fault with the driver error as cause, and lets other errors through unchanged', async () => {
    const g = guard();
    const refused = await refusedError();
    const wrapped = await g.run(() => Promise.reject(refused)).catch((error: unknown) => error);
    expect(wrapped).toMatchObject({ reason: 'unreachable', cause: refused });
    const conflict = new PersisterConflictError({ partitionKey: '', appId: 'a', sequenceId: 0, position: 'p' });
    expect(await g.run(() => Promise.reject(conflict)).catch((error: unknown) => error)).toBe(conflict);
    const plain = new Error('syntax error');
    expect(await g.run(() => Promise.reject(plain)).catch((error: unknown) => error)).toBe(plain);
  });

  it('counts the calls whose driver promise has not settled, also past their deadline, and those whose caller still waits', async () => {
    const g = guard();
    let finish!: () => void;
    const slow = g.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const failing = g.run(() => Promise.reject(new Error('syntax error')));
    expect([g.inFlight, g.awaited, g.abandonedCallsOnly]).toEqual([2, 2, false]);
    await failing.catch(() => {});
    expect([g.inFlight, g.awaited]).toEqual([1, 1]);
    await g.run(async () => 1);
    await expect(slow).rejects.toMatchObject({ reason: 'connect-timeout' });
    // The deadline passed: the driver still holds the call, its caller no longer waits.
    expect([g.inFlight, g.awaited, g.abandonedCallsOnly]).toEqual([1, 0, true]);
    finish();
    await Promise.resolve();
    expect([g.inFlight, g.awaited, g.abandonedCallsOnly]).toEqual([0, 0, false]);
    await expect(
      g.run(() => {
        throw new Error('threw before a promise');
      }),
    ).rejects.toThrow('threw before a promise');
    expect(g.inFlight).toBe(0);
  });

  it('each call keeps its own deadline while the calls share one timer: a later, shorter one expires first', async () => {
    const g = new ConnectionGuard({ backend: 'TestDB', address: 'h:1', connectTimeoutMs: 300, operationTimeoutMs: 100 });
    const started = performance.now();
    const connecting = g.run(never).catch((error: unknown) => [error, performance.now() - started] as const);
    await g.run(async () => 1);
    const later = performance.now();
    const [error, waited] = await g.run(never).then(
      () => [null, 0] as const,
      (failure: unknown) => [failure, performance.now() - later] as const,
    );
    expect(error).toMatchObject({ reason: 'operation-timeout' });
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(300);
    const [first, firstWaited] = await connecting;
    expect(first).toMatchObject({ reason: 'connect-timeout' });
    expect(firstWaited).toBeGreaterThanOrEqual(395);
    expect(g.awaited).toBe(0);
  });

  it('waits without waking every millisecond when connect + operation time is past setTimeout’s largest delay', async () => {
    const g = new ConnectionGuard({ backend: 'TestDB', address: 'h:1', connectTimeoutMs: 10_000, operationTimeoutMs: 2 ** 31 - 1 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      let finish!: (value: number) => void;
      const call = g.run(() => new Promise<number>((resolve) => (finish = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(g.awaited).toBe(1);
      finish(7);
      expect(await call).toBe(7);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('holds the process open (a ref’d timer) only while a call waits', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const idle = timers();
    const g = guard();
    let finish!: () => void;
    const call = g.run(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(timers()).toBe(idle + 1);
    finish();
    await call;
    expect(timers()).toBe(idle);
    await g.run(async () => 1);
    expect(timers()).toBe(idle);
  });

  it("asks the driver's classifier for errors without an errno", async () => {
    const g = new ConnectionGuard({
      backend: 'TestDB',
      address: 'h:1',
      connectTimeoutMs: 100,
      operationTimeoutMs: 100,
      classify: (e) => ((e as Error).message === 'gone' ? 'disconnected' : undefined),
    });
    expect(await g.run(() => Promise.reject(new Error('gone'))).catch((error: unknown) => error)).toMatchObject({ reason: 'disconnected' });
  });
});
