// Needs Redis: BURR_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379), else a Testcontainers
// container, else a server on 127.0.0.1:6379; without any, every case is registered as skipped with the reason.
import { InvalidIdentifierError, InvalidPersistArgumentError, PersisterConflictError, State } from '@burr/core';
import { closedPort, provideRedis, sampleStep } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { monitorCommands, redisSuite, testClient, uniqueNamespace } from './helpers.js';

const database = await provideRedis();

const step = sampleStep;

// Without a server every case below is still registered, as skipped under a title with the reason
// (so skip counts are true); nothing connects then: connections are made in hooks and cases only.
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

registerSuite(skipReason === null ? 'RedisPersister' : `RedisPersister [skipped: ${skipReason}]`, () => {
  const suite = redisSuite(url, database);
  const { store, opened } = suite;

  /** A persister that owns its client, on a fresh namespace. */
  const fresh = async (): Promise<RedisPersister> => {
    const persister = await RedisPersister.fromUrl(url, { namespace: store.namespace() });
    opened.push(persister);
    return persister;
  };

  /** A step as Python Burr's RedisBasePersister.save() writes it (HSET mapping, then ZADD without GT). */
  async function pythonSave(namespace: string, partitionKey: string, appId: string, sequenceId: number, jsonState: string, status = 'completed') {
    await suite.admin.hSet(`${namespace}:${partitionKey}:${appId}:${sequenceId}`, {
      partition_key: partitionKey,
      app_id: appId,
      sequence_id: String(sequenceId),
      position: 'counter',
      state: jsonState,
      status,
      created_at: '2026-11-22T01:57:00.123456+00:00',
    });
    await suite.admin.zAdd(`${namespace}:${partitionKey}`, { score: sequenceId, value: appId });
  }

  describe('key layout shared with Python Burr', () => {
    it('writes a hash with Python’s seven fields and the partition’s sorted set', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      const before = Date.now();
      await persister.save(step({ partitionKey: 'user1', sequenceId: 4, state: new State({ ratio: NaN, __SEQUENCE_ID: 4 }) }));
      const hash = await suite.admin.hGetAll(`${ns}:user1:app:4`);
      expect(Object.keys(hash).sort()).toEqual(['app_id', 'created_at', 'partition_key', 'position', 'sequence_id', 'state', 'status']);
      expect(hash).toMatchObject({ partition_key: 'user1', app_id: 'app', sequence_id: '4', position: 'counter', status: 'completed' });
      expect(hash.state).toBe('{"ratio":NaN,"__SEQUENCE_ID":4}');
      expect(hash.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(Math.abs(Date.parse(hash.created_at!) - before)).toBeLessThan(5_000);
      expect(await suite.admin.zScore(`${ns}:user1`, 'app')).toBe(4);
      expect(await suite.admin.type(`${ns}:user1:burr:apps_by_save`)).toBe('zset');
    });

    it('keeps an empty partition key as Python does: `ns::app:0` and the sorted set at `ns:`', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await persister.save(step());
      expect(await suite.admin.exists(`${ns}::app:0`)).toBe(1);
      expect(await suite.admin.zScore(`${ns}:`, 'app')).toBe(0);
    });

    it('without a namespace, keys start with the partition key (the empty partition’s set is the empty key)', async () => {
      const client = await testClient(url);
      const appId = uniqueNamespace('burr_nons_app');
      const partitionKey = uniqueNamespace('burr_nons_pk');
      const persister = new RedisPersister(client, { namespace: '' });
      try {
        expect(persister.namespace).toBeUndefined();
        await persister.save(step({ appId, partitionKey }));
        await persister.save(step({ appId }));
        expect(await suite.admin.exists(`${partitionKey}:${appId}:0`)).toBe(1);
        expect(await suite.admin.zScore(partitionKey, appId)).toBe(0);
        expect(await suite.admin.exists(`:${appId}:0`)).toBe(1);
        expect(await suite.admin.zScore('', appId)).toBe(0);
        expect((await persister.load(null, appId))?.partitionKey).toBe('');
        // Deleting both apps leaves no key of theirs: nothing stays on the shared server.
        expect(await persister.deleteApp(partitionKey, appId)).toBe(1);
        expect(await persister.deleteApp(null, appId)).toBe(1);
        expect(await suite.admin.keys(`*${appId}*`)).toEqual([]);
        expect(await suite.admin.keys(`${partitionKey}*`)).toEqual([]);
        expect(await suite.admin.zScore('', appId)).toBeNull();
      } finally {
        await client.close();
      }
    });

    it('loads steps Python Burr wrote, with Python’s JSON tokens and timestamps', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await pythonSave(ns, '', 'app-A', 0, '{"count": 1, "__SEQUENCE_ID": 0, "__PRIOR_STEP": "counter"}');
      await pythonSave(ns, '', 'app-A', 1, '{"count": 1, "__SEQUENCE_ID": 1, "__PRIOR_STEP": "counter"}', 'failed');
      await pythonSave(
        ns,
        'user1',
        'app-B',
        0,
        '{"count": 1, "extras": {"float_one": 1.0, "big": 100000000000000000000, "nan": NaN, "neg0": -0.0, "bigf": 1e+22, "unicode": "\\u00e9\\ud83d\\ude00", "5": "intkey"}, "__SEQUENCE_ID": 0}',
      );

      const latest = await persister.load(null, 'app-A');
      expect(latest).toMatchObject({ partitionKey: '', appId: 'app-A', sequenceId: 1, position: 'counter', status: 'failed' });
      expect(latest?.state.keys()).toEqual(['count', '__SEQUENCE_ID', '__PRIOR_STEP']);
      expect(latest?.createdAt.toISOString()).toBe('2026-11-22T01:57:00.123Z');
      expect((await persister.load('', 'app-A', 0))?.status).toBe('completed');

      const extras = (await persister.load('user1', 'app-B'))?.state.get('extras') as Record<string, unknown>;
      expect(extras).toMatchObject({ float_one: 1, big: 100000000000000000000n, bigf: 1e22, unicode: 'é😀', 5: 'intkey' });
      expect(extras.nan).toBeNaN();
      expect(Object.is(extras.neg0, -0)).toBe(true);

      expect(await persister.listAppIds(null)).toEqual(['app-A']);
      // Our save goes first; apps only Python wrote follow, in Python's order.
      await persister.save(step({ appId: 'app-C', partitionKey: 'user1' }));
      expect(await persister.listAppIds('user1')).toEqual(['app-C', 'app-B']);
    });

    it('Python’s reader finds our steps: its sorted set names the latest sequence id, and never moves backwards', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await persister.save(step({ sequenceId: 5, state: new State({ n: 5 }) }));
      await persister.save(step({ sequenceId: 3, state: new State({ n: 3 }) }));
      expect(await suite.admin.zScore(`${ns}:`, 'app')).toBe(5);
      expect((await persister.load(null, 'app'))?.state.get('n')).toBe(5);
      expect((await persister.load(null, 'app', 3))?.state.get('n')).toBe(3);
    });

    it('writes created_at with microseconds, strictly increasing over rapid saves', async () => {
      const persister = await fresh();
      const times: string[] = [];
      for (let sequenceId = 0; sequenceId < 5; sequenceId++) {
        await persister.save(step({ sequenceId }));
        times.push((await suite.admin.hGet(`${persister.namespace}::app:${sequenceId}`, 'created_at'))!);
      }
      expect(times).toEqual([...times].sort());
      expect(new Set(times).size).toBe(5);
    });

    it('a sorted-set entry whose hash is gone loads nothing, as in Python', async () => {
      const persister = await fresh();
      await suite.admin.zAdd(`${persister.namespace}:`, { score: 2, value: 'ghost' });
      expect(await persister.load(null, 'ghost')).toBeNull();
      expect(await persister.load(null, 'ghost', 2)).toBeNull();
    });
  });

  describe('saves', () => {
    it('a second save of a key is a PersisterConflictError; the stored hash is untouched, its created_at included', async () => {
      const persister = await fresh();
      await persister.save(step({ partitionKey: 'p' }));
      const key = `${persister.namespace}:p:app:0`;
      const stored = await suite.admin.hGetAll(key);
      await expect(persister.save(step({ partitionKey: 'p', state: new State({ count: 99 }) }))).rejects.toThrow(PersisterConflictError);
      await expect(persister.save(step({ partitionKey: 'p', position: 'other' }))).rejects.toThrow(PersisterConflictError);
      expect(await suite.admin.hGetAll(key)).toEqual(stored);
    });

    it('save, load-latest and listAppIds are one command each (one Lua script), and no call uses KEYS or SCAN; an app’s first save by a persister adds one, the storage-mode check', async () => {
      const persister = await fresh();
      await persister.save(step({ appId: 'warm-up' }));
      await persister.load(null, 'warm-up');
      const seen = await monitorCommands(url, suite.admin, persister, async () => {
        await persister.save(step({ sequenceId: 0 }));
        await persister.load(null, 'app');
        await persister.load(null, 'app', 0);
        await persister.listAppIds(null);
      });
      const fromClient = seen.fromClient;
      const fromScripts = seen.fromScripts.map((script) => script.command);
      // The first save of 'app' by this persister: APP_IS_STORED on the incremental layout, then the save script.
      expect(fromClient).toEqual(['EVALSHA', 'EVALSHA', 'EVALSHA', 'HGETALL', 'EVALSHA']);
      expect(fromScripts).toEqual(expect.arrayContaining(['EXISTS', 'ZADD', 'HSET', 'ZSCORE', 'HGETALL']));
      const commands = [...fromClient, ...fromScripts];
      expect(commands).not.toContain('KEYS');
      expect(commands).not.toContain('SCAN');
      const next = await monitorCommands(url, suite.admin, persister, () => persister.save(step({ sequenceId: 1 })));
      expect(next.fromClient).toEqual(['EVALSHA']);
    });
  });

  describe('large states (16 K characters of JSON or more) go around the save script', () => {
    /** A state whose JSON is about `chars` characters, with non-ASCII text and quotes. */
    const largeState = (chars: number, mark = 'x') => new State({ text: `${mark}"é—`.repeat(Math.ceil(chars / 4)), n: 1, __SEQUENCE_ID: 0 });

    /** Every key of the namespace, sorted. */
    async function keysOf(namespace: string): Promise<string[]> {
      const keys: string[] = [];
      for await (const batch of suite.admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) keys.push(...batch);
      return keys.sort();
    }

    const commandsOf = (persister: RedisPersister, work: () => Promise<unknown>) => monitorCommands(url, suite.admin, persister, work);

    it('one MULTI/EXEC: a plain HSET of the state, the script (which renames it into place), a DEL; the step is as a small one’s', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await persister.save(step({ appId: 'warm-up' }));
      const state = largeState(40_000);
      const { fromClient, fromScripts } = await commandsOf(persister, () => persister.save(step({ partitionKey: 'p', state })));
      // After the storage-mode check of the app's first save (one script).
      expect(fromClient).toEqual(['EVALSHA', 'MULTI', 'DEL', 'HSET', 'EVALSHA', 'DEL', 'EXEC']);
      expect(fromScripts.map((c) => c.command)).toEqual(expect.arrayContaining(['EXISTS', 'ZADD', 'RENAME', 'HSET']));
      // The state never reaches the script: no command it ran is anywhere near the state's length.
      expect(Math.max(...fromScripts.map((c) => c.length))).toBeLessThan(2_000);
      const hash = await suite.admin.hGetAll(`${ns}:p:app:0`);
      expect(Object.keys(hash).sort()).toEqual(['app_id', 'created_at', 'partition_key', 'position', 'sequence_id', 'state', 'status']);
      expect(hash).toMatchObject({ partition_key: 'p', app_id: 'app', sequence_id: '0', position: 'counter', status: 'completed' });
      expect(hash.state).toBe(JSON.stringify(state.getAll()));
      expect(await suite.admin.pTTL(`${ns}:p:app:0`)).toBe(-1);
      expect(await keysOf(ns)).not.toContain(`${ns}:p:app:burr:incoming`);
      const loaded = await persister.load('p', 'app');
      expect(loaded?.state.getAll()).toEqual(state.getAll());
      expect((await persister.listSteps('p', 'app')).steps.map((s) => s.sequenceId)).toEqual([0]);
      expect(await persister.listAppIds('p')).toEqual(['app']);
    });

    it('a repeat is idempotent; a different state at the key is a PersisterConflictError, the stored hash untouched and nothing left over', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await persister.save(step({ partitionKey: 'p', state: largeState(20_000) }));
      const stored = await suite.admin.hGetAll(`${ns}:p:app:0`);
      const keys = await keysOf(ns);
      await persister.save(step({ partitionKey: 'p', state: largeState(20_000) }));
      await expect(persister.save(step({ partitionKey: 'p', state: largeState(20_000, 'y') }))).rejects.toThrow(PersisterConflictError);
      await expect(persister.save(step({ partitionKey: 'p', position: 'other', state: largeState(20_000) }))).rejects.toThrow(PersisterConflictError);
      expect(await suite.admin.hGetAll(`${ns}:p:app:0`)).toEqual(stored);
      expect(await keysOf(ns)).toEqual(keys);
    });

    it('an app saved last lists first and is the partition’s latest even when another app’s save time is ahead of the server clock', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      await persister.save(step({ partitionKey: 'p', appId: 'a' }));
      // As after a failover to a server whose clock lags the one that saved "a", or a clock stepped back.
      await suite.admin.zAdd(`${ns}:p:burr:apps_by_save`, { score: (Date.now() + 60_000) * 1000, value: 'a' });
      await persister.save(step({ partitionKey: 'p', appId: 'b' }));
      expect((await persister.load('p', null))?.appId).toBe('b');
      expect(await persister.listAppIds('p')).toEqual(['b', 'a']);
    });

    it('an error in the script leaves nothing written, the incoming hash included', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      // The script reads the save-time set first: of the wrong type, that read fails before any write.
      await suite.admin.set(`${ns}:p:burr:apps_by_save`, 'not a sorted set');
      await expect(persister.save(step({ partitionKey: 'p', state: largeState(20_000) }))).rejects.toThrow(/WRONGTYPE/);
      expect(await keysOf(ns)).toEqual([`${ns}:p:burr:apps_by_save`]);
    });

    it('with ttlSeconds, the step hash expires as a small one’s does', async () => {
      const persister = await RedisPersister.fromUrl(url, { namespace: store.namespace(), ttlSeconds: 600 });
      opened.push(persister);
      await persister.save(step({ partitionKey: 'p', state: largeState(20_000) }));
      const ttl = await suite.admin.pTTL(`${persister.namespace}:p:app:0`);
      expect(ttl).toBeGreaterThan(590_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
    });

    it('falls back to EVAL when the server does not know the script, inside the transaction too', async () => {
      const persister = await fresh();
      const ns = persister.namespace!;
      type Transaction = { addCommand(args: string[]): unknown };
      const client = persister.client as unknown as { multi(): Transaction };
      // EVALSHA names a script the server cannot know, as after a restart or SCRIPT FLUSH (which would disturb other tests).
      const original = client.multi;
      const sent: string[] = [];
      client.multi = () => {
        const transaction = original.call(client);
        const addCommand = transaction.addCommand.bind(transaction);
        transaction.addCommand = (args: string[]) => {
          sent.push(args[0]!);
          return addCommand(args[0] === 'EVALSHA' ? ['EVALSHA', '0'.repeat(40), ...args.slice(2)] : args);
        };
        return transaction;
      };
      try {
        await persister.save(step({ partitionKey: 'p', state: largeState(20_000) }));
      } finally {
        client.multi = original;
      }
      expect(sent).toEqual(['DEL', 'HSET', 'EVALSHA', 'DEL', 'DEL', 'HSET', 'EVAL', 'DEL']);
      expect((await persister.load('p', 'app'))?.state.getAll()).toEqual(largeState(20_000).getAll());
      expect(await keysOf(ns)).not.toContain(`${ns}:p:app:burr:incoming`);
    });

    it('a client with sendCommand only saves them in the script, as before', async () => {
      const client = await testClient(url);
      try {
        const persister = new RedisPersister({ sendCommand: (args) => client.sendCommand([...args]) }, { namespace: store.namespace() });
        const state = largeState(20_000);
        await persister.save(step({ partitionKey: 'p', state }));
        expect((await persister.load('p', 'app'))?.state.getAll()).toEqual(state.getAll());
        await expect(persister.save(step({ partitionKey: 'p', state: largeState(20_000, 'y') }))).rejects.toThrow(PersisterConflictError);
      } finally {
        await client.close();
      }
    });

    it('a WATCH of the caller’s on the shared client that aborts the transaction: saved in the script instead', async () => {
      const client = await testClient(url);
      try {
        const persister = new RedisPersister(client, { namespace: store.namespace() });
        const watched = `${persister.namespace}:watched`;
        await client.watch(watched);
        await suite.admin.set(watched, 'changed');
        await persister.save(step({ appId: 'warm-up' }));
        const state = largeState(20_000);
        const { fromClient } = await commandsOf(persister, () => persister.save(step({ partitionKey: 'p', state })));
        // EXEC ran nothing (the watched key changed; MONITOR shows no queued command then), so the script saved it.
        expect(fromClient).toEqual(['EVALSHA', 'MULTI', 'EXEC', 'EVALSHA']);
        expect((await persister.load('p', 'app'))?.state.getAll()).toEqual(state.getAll());
        expect(await keysOf(persister.namespace!)).not.toContain(`${persister.namespace}:p:app:burr:incoming`);
      } finally {
        await client.close();
      }
    });
  });

  describe('key components', () => {
    const unsafe = ['a:b', 'tenant*', 'x?', '[abc]', 'back\\slash', 'new\nline'];

    it.each(unsafe)('refuses the partition key and app id %j with InvalidIdentifierError, writing nothing', async (bad) => {
      const persister = await fresh();
      await expect(persister.save(step({ partitionKey: bad }))).rejects.toThrow(InvalidIdentifierError);
      await expect(persister.save(step({ appId: bad }))).rejects.toThrow(/Invalid app id/);
      await expect(persister.load(bad, 'app')).rejects.toThrow(/Invalid partition key/);
      await expect(persister.load(null, bad, 0)).rejects.toThrow(InvalidIdentifierError);
      await expect(persister.listAppIds(bad)).rejects.toThrow(InvalidIdentifierError);
      const keys: string[] = [];
      for await (const batch of suite.admin.scanIterator({ MATCH: `${persister.namespace}:*` })) keys.push(...batch);
      expect(keys).toEqual([]);
    });

    it.each(unsafe)('refuses the namespace %j before connecting', async (bad) => {
      const client = await testClient(url);
      try {
        expect(() => new RedisPersister(client, { namespace: bad })).toThrow(/Invalid namespace/);
        await expect(RedisPersister.fromUrl(url, { namespace: bad })).rejects.toThrow(InvalidIdentifierError);
      } finally {
        await client.close();
      }
    });
  });

  describe('connections', () => {
    it('needs no schema: isInitialized() is true at once and initialize() is a no-op', async () => {
      const persister = await fresh();
      expect(await persister.isInitialized()).toBe(true);
      await persister.initialize();
      const keys: string[] = [];
      for await (const batch of suite.admin.scanIterator({ MATCH: `${persister.namespace}:*` })) keys.push(...batch);
      expect(keys).toEqual([]);
    });

    it("cleanup() leaves the caller's client open and closes a client the persister created", async () => {
      const client = await testClient(url);
      const borrowed = new RedisPersister(client, { namespace: store.namespace() });
      await borrowed.save(step());
      await borrowed.cleanup();
      expect(await client.ping()).toBe('PONG');
      await client.close();

      const owning = await fresh();
      await owning.cleanup();
      expect((owning.client as unknown as { isOpen: boolean }).isOpen).toBe(false);
    });

    it('survives the server killing its connection: the error goes to onClientError, node-redis reconnects, saves work', async () => {
      const errors: Error[] = [];
      const persister = await RedisPersister.fromUrl(url, { namespace: store.namespace(), onClientError: (error) => errors.push(error) });
      opened.push(persister);
      await persister.save(step());
      const id = String(await persister.client.sendCommand(['CLIENT', 'ID']));
      expect(await suite.admin.sendCommand(['CLIENT', 'KILL', 'ID', id])).toBe(1);
      // The client hears of the kill on its next read: on a loaded machine that can take a while.
      for (let waitedMs = 0; errors.length === 0 && waitedMs < 10_000; waitedMs += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors.length).toBeGreaterThan(0);
      await persister.save(step({ sequenceId: 1 }));
      expect((await persister.load(null, 'app'))?.sequenceId).toBe(1);
    });

    it('fromUrl() refuses a URL that is not redis:// or rediss:// with InvalidPersistArgumentError, without echoing it', async () => {
      for (const bad of ['http://user:secret@127.0.0.1:6379', 'not a url :secret', 'secret:@127.0.0.1:6379', 'user:secret@127.0.0.1:6379']) {
        const error = await RedisPersister.fromUrl(bad).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidPersistArgumentError);
        expect((error as Error).message).toMatch(/redis:\/\/\[:password@\]host:port/);
        expect((error as Error).message).not.toContain('secret');
      }
      await expect(RedisPersister.fromConfig({ url: 'https://127.0.0.1' })).rejects.toThrow(/does not start with redis:\/\/ or rediss:\/\//);
    });

    it('a database number the server does not have is InvalidPersistArgumentError, from fromValues and from the URL path', async () => {
      const address = new URL(url);
      await expect(RedisPersister.fromValues({ host: address.hostname, port: Number(address.port || 6379), db: 99_999 })).rejects.toThrow(InvalidPersistArgumentError);
      const error = await RedisPersister.fromUrl(`redis://${address.host}/99999`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidPersistArgumentError);
      expect((error as Error).message).toMatch(/the server has no such database \(it answered "ERR (DB index is out of range|invalid DB index)/);
    });

    it('fromUrl() rejects at once when nothing listens, instead of retrying forever', async () => {
      const port = await closedPort();
      await expect(RedisPersister.fromUrl(`redis://127.0.0.1:${port}`)).rejects.toMatchObject({
        code: 'BURR_PERSISTER_UNAVAILABLE',
        reason: 'unreachable',
        cause: { code: 'ECONNREFUSED' },
      });
    });

    it('works on a RESP3 client', async () => {
      const client = await testClient(url, { RESP: 3 });
      try {
        const persister = new RedisPersister(client, { namespace: store.namespace() });
        await persister.save(step({ partitionKey: 'p', state: new State({ x: [1, 'two'] }) }));
        expect((await persister.load('p', 'app'))?.state.get('x')).toEqual([1, 'two']);
        expect((await persister.load('p', 'app', 0))?.position).toBe('counter');
        expect(await persister.listAppIds('p')).toEqual(['app']);
      } finally {
        await client.close();
      }
    });
  });

  describe('fromValues() and fromConfig()', () => {
    const parts = new URL(url);
    const host = parts.hostname;
    const port = parts.port ? Number(parts.port) : 6379;
    const password = parts.password ? decodeURIComponent(parts.password) : undefined;

    it('fromValues() connects to host, port and database number', async () => {
      const namespace = store.namespace();
      const persister = await RedisPersister.fromValues({ host, port, password, db: 2, namespace });
      opened.push(persister);
      await persister.save(step());
      const db2 = await testClient(url, { database: 2 });
      try {
        expect(await db2.exists(`${namespace}::app:0`)).toBe(1);
        expect(await suite.admin.exists(`${namespace}::app:0`)).toBe(0);
        await db2.del([`${namespace}::app:0`, `${namespace}:`, `${namespace}::burr:apps_by_save`]);
      } finally {
        await db2.close();
      }
    });

    it('fromConfig() takes the same keys, or a url', async () => {
      const namespace = store.namespace();
      const byValues = await RedisPersister.fromConfig({ host, port, password, namespace });
      opened.push(byValues);
      await byValues.save(step());
      const byUrl = await RedisPersister.fromConfig({ url, namespace });
      opened.push(byUrl);
      expect((await byUrl.load(null, 'app'))?.state.get('count')).toBe(1);
    });

    it('fromConfig() rejects unknown, mistyped and conflicting options before connecting', async () => {
      await expect(RedisPersister.fromConfig({ redis_client_kwargs: {} })).rejects.toThrow(/unknown option "redis_client_kwargs"/);
      await expect(RedisPersister.fromConfig({ port: '6379' })).rejects.toThrow(/"port" must be a number/);
      await expect(RedisPersister.fromConfig({ url, host })).rejects.toThrow(InvalidPersistArgumentError);
      await expect(RedisPersister.fromConfig({ url, namespace: 'a:b' })).rejects.toThrow(InvalidIdentifierError);
    });
  });
});
