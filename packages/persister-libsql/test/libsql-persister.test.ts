import { readFileSync } from 'node:fs';
import { createClient, type Client } from '@libsql/client';
import { InvalidIdentifierError, InvalidPersistArgumentError, PersisterConflictError, State } from '@burr/core';
import { sampleStep } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { isPrimaryKeyViolation } from '../src/libsql-errors.js';
import { PYTHON_FIXTURE_DIR, tempDir } from './helpers.js';

const dir = tempDir('libsql');
afterAll(() => dir.remove());
let files = 0;
const freshUrl = () => dir.url(`db-${files++}.db`);

const pythonSql = readFileSync(new URL('burr_state.sql', PYTHON_FIXTURE_DIR), 'utf8');
/** Python Burr's CREATE TABLE, as its SQLitePersister runs it. */
const pythonCreateTable = /CREATE TABLE burr_state \([\s\S]*?\n\s*\);/.exec(pythonSql)![0];

const step = sampleStep;

async function rows(client: Client, sql: string, args: string[] = []): Promise<Array<Record<string, unknown>>> {
  return (await client.execute({ sql, args })).rows.map((row) => ({ ...row }));
}

async function tableShape(client: Client, table: string) {
  const indexes = [];
  for (const index of await rows(client, `PRAGMA index_list(${table})`)) {
    const columns = (await rows(client, `PRAGMA index_info("${String(index.name)}")`)).map((c) => c.name);
    indexes.push({ unique: index.unique, origin: index.origin, columns });
  }
  return { columns: await rows(client, `PRAGMA table_info(${table})`), indexes };
}

describe(':memory: databases', () => {
  it('keep what was saved: save, load and list on one client', async () => {
    await using persister = LibSQLPersister.fromValues({ url: ':memory:' });
    await persister.initialize();
    await persister.save(step());
    await persister.save(step({ sequenceId: 1, state: new State({ count: 2 }) }));
    expect((await persister.load(null, 'app'))?.state.get('count')).toBe(2);
    expect((await persister.load(null, 'app', 0))?.state.get('count')).toBe(1);
    expect(await persister.listAppIds(null)).toEqual(['app']);
    expect(await persister.isInitialized()).toBe(true);
  });
});

describe('table format shared with Python Burr', () => {
  it('creates exactly the columns, types, defaults, primary key and index of Python Burr', async () => {
    const url = freshUrl();
    await using persister = LibSQLPersister.fromValues({ url });
    await persister.initialize();
    await persister.save(step());
    const python = createClient({ url: ':memory:' });
    await python.executeMultiple(pythonSql);
    try {
      const shape = await tableShape(persister.client, 'burr_state');
      const pythonShape = await tableShape(python, 'burr_state');
      expect(shape.columns).toEqual(pythonShape.columns);
      // Exactly Python's indexes on the step table: the app listing has a table of its own.
      expect(shape.indexes).toEqual(pythonShape.indexes);
      expect(await rows(persister.client, 'SELECT type, name FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY name', ['burr_state_apps'])).toEqual([
        { type: 'table', name: 'burr_state_apps' },
        { type: 'index', name: 'burr_state_apps_saved_at_index' },
      ]);
      expect(shape.columns.map((c) => c.name)).toEqual(['partition_key', 'app_id', 'sequence_id', 'position', 'status', 'state', 'created_at']);
      expect(shape.indexes.map((i) => i.columns)).toContainEqual(['created_at']);
    } finally {
      python.close();
    }
  });

  it('writes rows as Python writes them: JSON state with hidden keys, "" for no partition, UTC created_at', async () => {
    await using persister = LibSQLPersister.fromValues({ url: ':memory:' });
    await persister.initialize();
    await persister.save(step({ state: new State({ count: 1, ratio: NaN, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }) }));
    const [row] = await rows(persister.client, 'SELECT * FROM burr_state');
    expect(row).toMatchObject({ partition_key: '', app_id: 'app', sequence_id: 0, position: 'counter', status: 'completed' });
    expect(row?.state).toBe('{"count":1,"ratio":NaN,"__SEQUENCE_ID":0,"__PRIOR_STEP":"counter"}');
    expect(row?.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('uses a table Python created (no index) as is: initialize() only adds the index and the app index', async () => {
    await using persister = LibSQLPersister.fromValues({ url: freshUrl() });
    const client = persister.client;
    await client.execute(pythonCreateTable);
    await client.execute("INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state) VALUES ('', 'py', 0, 'counter', 'completed', '{\"count\": 1}')");
    const tableSql = "SELECT sql FROM sqlite_master WHERE name = 'burr_state'";
    const before = await rows(client, tableSql);

    expect(await persister.isInitialized()).toBe(true);
    await persister.initialize();
    await persister.save(step({ appId: 'ts' }));
    expect((await persister.load(null, 'py'))?.state.getAll()).toEqual({ count: 1 });
    expect(await persister.listAppIds(null)).toEqual(['ts', 'py']);
    expect(await rows(client, tableSql)).toEqual(before);
    expect(await rows(client, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")).toEqual([
      { name: 'burr_state_apps_saved_at_index' },
      { name: 'burr_state_created_at_index' },
    ]);
  });
});

describe('table names', () => {
  const unsafe = ['burr_state; DROP TABLE burr_state', 'x" (a); --', 'Burr_State', '1table', '', 'a'.repeat(64), 'state-table'];

  it.each(unsafe)('refuses %j before running any SQL', async (tableName) => {
    const client = createClient({ url: ':memory:' });
    await client.execute(pythonCreateTable);
    expect(() => new LibSQLPersister(client, { tableName })).toThrow(InvalidIdentifierError);
    expect(() => LibSQLPersister.fromValues({ url: ':memory:', tableName })).toThrow(InvalidIdentifierError);
    expect(await rows(client, "SELECT count(*) AS n FROM sqlite_master WHERE name = 'burr_state'")).toEqual([{ n: 1 }]);
    client.close();
  });
});

describe('errors', () => {
  it('a duplicate key is a PersisterConflictError (cause: the libSQL error) and the stored step is unchanged', async () => {
    await using persister = LibSQLPersister.fromValues({ url: ':memory:' });
    await persister.initialize();
    await persister.save(step({ partitionKey: 'p' }));
    const error = await persister.save(step({ partitionKey: 'p', state: new State({ count: 99 }) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersisterConflictError);
    expect((error as PersisterConflictError).cause).toMatchObject({ code: 'SQLITE_CONSTRAINT', extendedCode: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((await persister.load('p', 'app'))?.state.get('count')).toBe(1);
  });

  it('other constraint failures propagate unchanged (a NOT NULL column added to the table)', async () => {
    await using persister = LibSQLPersister.fromValues({ url: ':memory:' });
    await persister.initialize();
    await persister.client.execute("ALTER TABLE burr_state ADD COLUMN owner TEXT NOT NULL DEFAULT 'x' CHECK (owner <> 'x')");
    const error = await persister.save(step()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PersisterConflictError);
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT', extendedCode: 'SQLITE_CONSTRAINT_CHECK' });
  });

  it('recognizes a server that reports only the primary code by the message, and nothing else', () => {
    const unique = { code: 'SQLITE_CONSTRAINT', message: 'SQLITE_CONSTRAINT: UNIQUE constraint failed: burr_state.partition_key, burr_state.app_id' };
    expect(isPrimaryKeyViolation(unique)).toBe(true);
    expect(isPrimaryKeyViolation({ code: 'SQLITE_CONSTRAINT', message: 'SQLITE_CONSTRAINT: NOT NULL constraint failed: burr_state.state' })).toBe(false);
    expect(isPrimaryKeyViolation({ ...unique, extendedCode: 'SQLITE_CONSTRAINT_UNIQUE' })).toBe(false);
    expect(isPrimaryKeyViolation({ code: 'SQLITE_BUSY', message: 'database is locked' })).toBe(false);
    expect(isPrimaryKeyViolation(null)).toBe(false);
  });
});

describe('clients', () => {
  it('fromValues() gives local files a 5 s busy timeout and WAL after initialize()', async () => {
    await using persister = LibSQLPersister.fromValues({ url: freshUrl() });
    expect(await rows(persister.client, 'PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
    await persister.initialize();
    expect(await rows(persister.client, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('passes clientOptions to createClient (intMode, timeout)', async () => {
    await using persister = LibSQLPersister.fromValues({ url: freshUrl(), clientOptions: { intMode: 'bigint', timeout: 250 } });
    expect(await rows(persister.client, 'PRAGMA busy_timeout')).toEqual([{ timeout: 250n }]);
    await persister.initialize();
    await persister.save(step({ sequenceId: 7 }));
    expect((await persister.load(null, 'app'))?.sequenceId).toBe(7);
  });

  it('a client the caller passed in stays open after cleanup(); one the persister created is closed', async () => {
    const client = createClient({ url: ':memory:' });
    const borrowed = new LibSQLPersister(client);
    await borrowed.initialize();
    await borrowed.cleanup();
    expect(client.closed).toBe(false);
    expect(await rows(client, 'SELECT count(*) AS n FROM burr_state')).toEqual([{ n: 0 }]);
    client.close();

    const owning = LibSQLPersister.fromValues({ url: ':memory:' });
    await owning.cleanup();
    expect(owning.client.closed).toBe(true);
  });

  it('two clients on one file see each other’s steps', async () => {
    const url = freshUrl();
    await using first = LibSQLPersister.fromValues({ url });
    await using second = LibSQLPersister.fromValues({ url });
    await first.initialize();
    await first.save(step());
    expect((await second.load(null, 'app'))?.state.get('count')).toBe(1);
    await expect(second.save(step({ status: 'failed' }))).rejects.toThrow(PersisterConflictError);
  });
});

describe('fromConfig()', () => {
  it('creates a persister from the same keys as fromValues()', async () => {
    await using persister = LibSQLPersister.fromConfig({ url: ':memory:', tableName: 'from_config', clientOptions: { intMode: 'number' } });
    expect(persister.tableName).toBe('from_config');
    await persister.initialize();
    await persister.save(step());
    expect((await persister.load(null, 'app'))?.position).toBe('counter');
  });

  it('rejects missing, mistyped and unknown options with a typed error', () => {
    expect(() => LibSQLPersister.fromConfig({})).toThrow(InvalidPersistArgumentError);
    expect(() => LibSQLPersister.fromConfig({ url: ':memory:', authToken: 3 })).toThrow(/"authToken" must be a string/);
    expect(() => LibSQLPersister.fromConfig({ url: ':memory:', auth_token: 'x' })).toThrow(/unknown option "auth_token"/);
    expect(() => LibSQLPersister.fromConfig({ url: ':memory:', tableName: 'x; DROP' })).toThrow(InvalidIdentifierError);
  });

  it('fromValues() rejects an empty url and lets @libsql/client refuse a malformed one', () => {
    expect(() => LibSQLPersister.fromValues({ url: '' })).toThrow(InvalidPersistArgumentError);
    expect(() => LibSQLPersister.fromValues({ url: 'file://remote-host/x.db' })).toThrow(/Invalid host in file URL/);
  });
});
