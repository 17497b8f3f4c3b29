// Needs no server: argument and option checks that must reject before any I/O, and the option vocabulary.
import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, InvalidPersistArgumentError, State } from '@burr/core';
import { MongoDBPersister } from '../src/index.js';

describe('MongoDBPersister arguments (checked before any I/O)', () => {
  // Nothing listens on port 1: were a check to reach the driver, the call
  // would fail with a server-selection error instead of the typed one.
  const unreachable = () => MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1', clientOptions: { serverSelectionTimeoutMS: 300 } });

  it('rejects an app id or partition key passed as a query object', async () => {
    await using persister = unreachable();
    const injected = { $ne: null } as unknown as string;
    await expect(persister.load(null, injected)).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(persister.load(injected, 'app')).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    await expect(persister.listAppIds(injected)).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    await expect(persister.save({ appId: injected, sequenceId: 0, position: 'p', state: new State({}), status: 'completed' })).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(persister.save({ partitionKey: injected, appId: 'a', sequenceId: 0, position: 'p', state: new State({}), status: 'completed' })).rejects.toBeInstanceOf(
      InvalidPersistArgumentError,
    );
  });

  it('has Python Burr defaults for database and collection', async () => {
    await using persister = unreachable();
    expect([persister.dbName, persister.collectionName]).toEqual(['mydatabase', 'mystates']);
  });

  it('rejects unusable database and collection names', () => {
    for (const dbName of ['', 'my.db', 'a/b', 'with space', 'dollar$', 'x'.repeat(64)]) {
      expect(() => MongoDBPersister.fromValues({ dbName }), dbName).toThrow(InvalidIdentifierError);
    }
    for (const collectionName of ['', 'system.users', 'a$b', 'a..b', '.lead', 'nul\u0000']) {
      expect(() => MongoDBPersister.fromValues({ collectionName }), collectionName).toThrow(InvalidIdentifierError);
    }
  });

  it('fromConfig() checks option names and types', async () => {
    expect(() => MongoDBPersister.fromConfig({ db_name: 'x' })).toThrow(/unknown option "db_name"/);
    expect(() => MongoDBPersister.fromConfig({ dbName: 5 })).toThrow(InvalidPersistArgumentError);
    await using persister = MongoDBPersister.fromConfig({ url: 'mongodb://127.0.0.1:1', dbName: 'burr', collectionName: 'steps', clientOptions: { appName: 'burr-test' } });
    expect([persister.dbName, persister.collectionName]).toEqual(['burr', 'steps']);
    expect(persister.client.options.appName).toBe('burr-test');
  });

  it("takes the connection string as url, or as uri (Python's name); both at once is an error", async () => {
    const hostsOf = (persister: MongoDBPersister) => persister.client.options.hosts.map(String);
    await using byUrl = MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1' });
    await using byUri = MongoDBPersister.fromValues({ uri: 'mongodb://127.0.0.1:2' });
    await using byConfig = MongoDBPersister.fromConfig({ uri: 'mongodb://127.0.0.1:3' });
    await using byDefault = MongoDBPersister.fromValues();
    expect([hostsOf(byUrl), hostsOf(byUri), hostsOf(byConfig), hostsOf(byDefault)]).toEqual([['127.0.0.1:1'], ['127.0.0.1:2'], ['127.0.0.1:3'], ['localhost:27017']]);
    expect(() => MongoDBPersister.fromValues({ url: 'mongodb://a:1', uri: 'mongodb://b:1' })).toThrow(InvalidPersistArgumentError);
    expect(() => MongoDBPersister.fromConfig({ url: 'mongodb://a:1', uri: 'mongodb://b:1' })).toThrow(/"url" or its Python name "uri", not both/);
  });

  it('client is a read-only getter: the persister keeps the client it was built with', async () => {
    await using persister = MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1' });
    const { client } = persister;
    expect(() => Object.assign(persister, { client: undefined })).toThrow(TypeError);
    expect(persister.client).toBe(client);
  });

  describe('storage modes', () => {
    const at = 'mongodb://127.0.0.1:1';

    it("is full by default; storage: 'incremental' takes the snapshot options, also from a config", async () => {
      await using full = MongoDBPersister.fromValues({ url: at });
      await using incremental = MongoDBPersister.fromValues({ url: at, storage: 'incremental', snapshotEvery: 50, snapshotBytes: 0 });
      await using configured = MongoDBPersister.fromConfig({ url: at, storage: 'incremental', snapshotBytes: 1024 });
      expect([full.storageMode, incremental.storageMode, configured.storageMode]).toEqual(['full', 'incremental', 'incremental']);
      // The options name the collection; the steps are in its incremental collection, which errors name.
      expect(incremental.collectionName).toBe('mystates');
      await incremental.cleanup();
      await expect(incremental.load(null, 'a')).rejects.toThrow('MongoDBPersister("mydatabase.mystates_incremental") was cleaned up');
    });

    it('refuses bad storage options before a client exists, naming the option', () => {
      const refused = [
        [{ storage: 'delta' }, /storage must be 'full' or 'incremental'/],
        [{ snapshotEvery: 5 }, /snapshotEvery apply only with storage: 'incremental'/],
        [{ storage: 'incremental', snapshotEvery: 0 }, /snapshotEvery must be an integer from 1/],
        [{ storage: 'incremental', ttlSeconds: 60 }, /ttlSeconds does not combine with storage: 'incremental'/],
      ] as const;
      for (const [options, message] of refused) {
        expect(() => MongoDBPersister.fromValues({ url: at, ...(options as object) }), JSON.stringify(options)).toThrow(InvalidPersistArgumentError);
        expect(() => MongoDBPersister.fromValues({ url: at, ...(options as object) })).toThrow(message);
      }
      expect(() => MongoDBPersister.fromConfig({ url: at, storage: 'delta' })).toThrow(InvalidPersistArgumentError);
    });

    it("refuses in incremental mode a collection name that cannot take the '_incremental' suffix", async () => {
      const longest = 'c'.repeat(200 - '_incremental'.length);
      await using fits = MongoDBPersister.fromValues({ url: at, collectionName: longest, storage: 'incremental' });
      await using fullMode = MongoDBPersister.fromValues({ url: at, collectionName: `${longest}c` });
      expect([fits.collectionName, fullMode.collectionName]).toEqual([longest, `${longest}c`]);
      expect(() => MongoDBPersister.fromValues({ url: at, collectionName: `${longest}c`, storage: 'incremental' })).toThrow(InvalidIdentifierError);
      expect(() => MongoDBPersister.fromValues({ url: at, collectionName: `${longest}c`, storage: 'incremental' })).toThrow(/at most 188 bytes/);
    });

    it('refuses a collection whose namespace with the database passes 255 bytes, in the mode that would write it', async () => {
      const dbName = 'd'.repeat(60);
      const collectionName = 'c'.repeat(255 - 61);
      await using full = MongoDBPersister.fromValues({ url: at, dbName, collectionName });
      expect(full.collectionName).toBe(collectionName);
      expect(() => MongoDBPersister.fromValues({ url: at, dbName, collectionName: `${collectionName}c` })).toThrow(/is 256 bytes; MongoDB takes at most 255/);
      const incremental = 'c'.repeat(255 - 61 - '_incremental'.length);
      await using fits = MongoDBPersister.fromValues({ url: at, dbName, collectionName: incremental, storage: 'incremental' });
      expect(fits.storageMode).toBe('incremental');
      expect(() => MongoDBPersister.fromValues({ url: at, dbName, collectionName: `${incremental}c`, storage: 'incremental' })).toThrow(InvalidIdentifierError);
    });
  });
});
