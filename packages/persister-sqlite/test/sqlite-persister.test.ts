import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { InvalidIdentifierError, InvalidPersistArgumentError, PersisterConflictError, State } from '@burr/core';
import { sampleStep } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { PYTHON_FIXTURE_DIR, tempDir } from './helpers.js';

const dir = tempDir('sqlite');
afterAll(() => dir.remove());
let files = 0;
const freshPath = () => dir.path(`db-${files++}.sqlite`);

const pythonSql = readFileSync(new URL('burr_state.sql', PYTHON_FIXTURE_DIR), 'utf8');
/** Python Burr's CREATE TABLE, as its SQLitePersister runs it. */
const pythonCreateTable = /CREATE TABLE burr_state \([\s\S]*?\n\s*\);/.exec(pythonSql)![0];

const step = sampleStep;

function tableShape(db: Database.Database, table: string) {
  return {
    columns: db.prepare(`PRAGMA table_info(${table})`).all(),
    indexes: db
      .prepare(`PRAGMA index_list(${table})`)
      .all()
      .map((index) => {
        const { name, unique, origin } = index as { name: string; unique: number; origin: string };
        return {
          unique,
          origin,
          columns: db
            .prepare(`PRAGMA index_info("${name}")`)
            .all()
            .map((c) => (c as { name: string }).name),
        };
      }),
  };
}

describe('table format shared with Python Burr', () => {
  it('creates exactly the columns, types, defaults, primary key and index of Python Burr', async () => {
    const dbPath = freshPath();
    await using persister = SQLitePersister.fromValues({ dbPath });
    await persister.initialize();
    await persister.save(step());

    const ours = new Database(dbPath, { readonly: true });
    const python = new Database(':memory:');
    python.exec(pythonSql);
    try {
      const shape = tableShape(ours, 'burr_state');
      const pythonShape = tableShape(python, 'burr_state');
      expect(shape.columns).toEqual(pythonShape.columns);
      // Exactly Python's indexes on the step table: the app listing has a table of its own.
      expect(shape.indexes).toEqual(pythonShape.indexes);
      expect(shape.columns.map((c) => (c as { name: string }).name)).toEqual(['partition_key', 'app_id', 'sequence_id', 'position', 'status', 'state', 'created_at']);
      const objects = ours.prepare('SELECT type, name, tbl_name FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name').raw().all();
      expect(objects).toEqual([
        ['index', 'burr_state_apps_saved_at_index', 'burr_state_apps'],
        ['index', 'burr_state_created_at_index', 'burr_state'],
        ['table', 'burr_state', 'burr_state'],
        ['table', 'burr_state_apps', 'burr_state_apps'],
        ['trigger', 'burr_state_apps_on_insert', 'burr_state'],
      ]);
      // A page of apps is one range of the app index, whatever the partition's size.
      const plan = ours.prepare('EXPLAIN QUERY PLAN SELECT app_id FROM burr_state_apps WHERE partition_key = ? ORDER BY last_saved_at DESC, app_id DESC LIMIT 50').all('');
      expect(JSON.stringify(plan)).toContain('burr_state_apps_saved_at_index');
      expect(JSON.stringify(plan)).not.toContain('TEMP B-TREE');
    } finally {
      ours.close();
      python.close();
    }
  });

  it('writes rows as Python writes them: JSON state with hidden keys, "" for no partition, UTC created_at', async () => {
    const dbPath = freshPath();
    await using persister = SQLitePersister.fromValues({ dbPath });
    await persister.initialize();
    const before = Date.now();
    await persister.save(step({ state: new State({ count: 1, ratio: NaN, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }) }));

    const db = new Database(dbPath, { readonly: true });
    const row = db.prepare('SELECT * FROM burr_state').get() as Record<string, unknown>;
    db.close();
    expect(row).toMatchObject({ partition_key: '', app_id: 'app', sequence_id: 0, position: 'counter', status: 'completed' });
    // Python's json.loads reads NaN as a bare token.
    expect(row.state).toBe('{"count":1,"ratio":NaN,"__SEQUENCE_ID":0,"__PRIOR_STEP":"counter"}');
    expect(row.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const written = Date.parse(`${String(row.created_at).replace(' ', 'T')}Z`);
    expect(written).toBeGreaterThanOrEqual(before - 1);
    expect(written).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('uses a table Python created (no index) as is: initialize() only adds the index and the app index, filled from the rows already there', async () => {
    const dbPath = freshPath();
    const setup = new Database(dbPath);
    setup.exec(pythonCreateTable);
    setup.prepare("INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state) VALUES ('', 'py', 0, 'counter', 'completed', '{\"count\": 1}')").run();
    const tableSqlBefore = setup.prepare("SELECT sql FROM sqlite_master WHERE name = 'burr_state'").pluck().get();
    setup.close();

    await using persister = SQLitePersister.fromValues({ dbPath });
    expect(await persister.isInitialized()).toBe(true);
    await persister.initialize();
    await persister.save(step({ appId: 'ts' }));
    expect((await persister.load(null, 'py'))?.state.getAll()).toEqual({ count: 1 });
    // Python's row has created_at from CURRENT_TIMESTAMP (second precision, UTC).
    expect((await persister.load(null, 'py'))?.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await persister.listAppIds(null)).toEqual(['ts', 'py']);

    const check = new Database(dbPath, { readonly: true });
    expect(check.prepare("SELECT sql FROM sqlite_master WHERE name = 'burr_state'").pluck().get()).toBe(tableSqlBefore);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").pluck().all()).toEqual([
      'burr_state_apps_saved_at_index',
      'burr_state_created_at_index',
    ]);
    expect(check.prepare('SELECT app_id, last_sequence_id FROM burr_state_apps ORDER BY app_id').raw().all()).toEqual([
      ['py', 0],
      ['ts', 0],
    ]);
    check.close();
  });
});

describe('a table made before the app index (Python Burr, or an earlier version), initialize() not run again', () => {
  it('deleteApp removes the steps and returns their count; listings ask for initialize() naming the app index', async () => {
    const dbPath = freshPath();
    const setup = new Database(dbPath);
    setup.exec(pythonCreateTable);
    const insert = setup.prepare("INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state) VALUES ('', ?, ?, 'counter', 'completed', '{}')");
    for (const [app, sequenceId] of [
      ['old', 0],
      ['old', 1],
      ['kept', 0],
    ] as const)
      insert.run(app, sequenceId);
    setup.close();

    await using persister = SQLitePersister.fromValues({ dbPath });
    expect(await persister.deleteApp(null, 'old')).toBe(2);
    expect(await persister.load(null, 'old')).toBeNull();
    expect(await persister.listAppIds(null)).toEqual(['kept']);
    await expect(persister.listApps(null)).rejects.toThrow(/burr_state_apps.*does not exist/);
  });
});

describe('table names', () => {
  const unsafe = ['burr_state; DROP TABLE burr_state', 'x" (a); --', 'Burr_State', '1table', '', 'a'.repeat(64), 'state-table'];

  it.each(unsafe)('refuses %j before running any SQL', async (tableName) => {
    const db = new Database(':memory:');
    db.exec(pythonCreateTable);
    expect(() => new SQLitePersister(db, { tableName })).toThrow(InvalidIdentifierError);
    const dbPath = freshPath();
    expect(() => SQLitePersister.fromValues({ dbPath, tableName })).toThrow(InvalidIdentifierError);
    expect(existsSync(dbPath)).toBe(false);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'burr_state'").pluck().get()).toBe(1);
    db.close();
  });

  it('keeps apps in differently named tables apart', async () => {
    const db = new Database(':memory:');
    const first = new SQLitePersister(db, { tableName: 'first_steps' });
    const second = new SQLitePersister(db, { tableName: 'second_steps' });
    await first.initialize();
    expect(await second.isInitialized()).toBe(false);
    await second.initialize();
    await first.save(step());
    expect(await second.load(null, 'app')).toBeNull();
    expect((await first.load(null, 'app'))?.sequenceId).toBe(0);
    db.close();
  });
});

describe('errors', () => {
  it('a duplicate key is a PersisterConflictError and the stored step is unchanged', async () => {
    await using persister = SQLitePersister.fromValues({ dbPath: ':memory:' });
    await persister.initialize();
    await persister.save(step({ partitionKey: 'p' }));
    const error = await persister.save(step({ partitionKey: 'p', state: new State({ count: 99 }) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersisterConflictError);
    expect((error as PersisterConflictError).cause).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((await persister.load('p', 'app'))?.state.get('count')).toBe(1);
  });

  it('an identical re-save of a position that is not the least at its sequence id succeeds; other content still conflicts', async () => {
    await using persister = SQLitePersister.fromValues({ dbPath: ':memory:' });
    await persister.initialize();
    await persister.save(step({ position: 'a', state: new State({ at: 'a' }) }));
    await persister.save(step({ position: 'b', state: new State({ at: 'b' }) }));
    await persister.save(step({ position: 'b', state: new State({ at: 'b' }) }));
    await expect(persister.save(step({ position: 'b', state: new State({ at: 'changed' }) }))).rejects.toBeInstanceOf(PersisterConflictError);
    const rows = persister.client.prepare('SELECT position, state FROM burr_state ORDER BY position').all();
    expect(rows).toEqual([
      { position: 'a', state: JSON.stringify({ at: 'a' }) },
      { position: 'b', state: JSON.stringify({ at: 'b' }) },
    ]);
  });

  it('other database errors propagate unchanged (a read-only connection)', async () => {
    const dbPath = freshPath();
    const writer = SQLitePersister.fromValues({ dbPath });
    await writer.initialize();
    await writer.cleanup();
    await using reader = SQLitePersister.fromValues({ dbPath, clientOptions: { readonly: true } });
    const error = await reader.save(step()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PersisterConflictError);
    expect(error).toMatchObject({ code: 'SQLITE_READONLY' });
  });
});

describe('prune beside rows another writer stored', () => {
  it('a batch the table keeps (created_at in another form than ours) does not stop the prune: later batches still go', async () => {
    const db = new Database(freshPath());
    await using persister = new SQLitePersister(db);
    await persister.initialize();
    const insert = db.prepare(
      `INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES ('p', 'mixed', ?, 'step', 'completed', '{}', ?)`,
    );
    // ISO text with a T compares after our '2026-01-05 12:00:00' cutoff in SQL, while its time is before it.
    for (let sequenceId = 0; sequenceId < 6; sequenceId++) insert.run(sequenceId, `2026-01-05T10:0${sequenceId}:00Z`);
    for (let sequenceId = 6; sequenceId < 12; sequenceId++) insert.run(sequenceId, `2026-01-05 11:0${sequenceId - 6}:00.000000`);
    insert.run(12, '2026-01-05 13:00:00.000000');
    const report = await persister.prune({ olderThan: new Date('2026-01-05T12:00:00Z'), batchSize: 6 });
    expect(report.stepsRemoved).toBe(6);
    const left = (await persister.listSteps('p', 'mixed', { limit: 100 })).steps.map((listed) => listed.sequenceId);
    expect(left).toEqual([12, 5, 4, 3, 2, 1, 0]);
  });
});

describe('connections', () => {
  it('fromValues() creates the parent directory and opens the file in WAL mode with a busy timeout', async () => {
    const dbPath = dir.path(`nested/deeper/${files++}.db`);
    await using persister = SQLitePersister.fromValues({ dbPath });
    await persister.initialize();
    expect(existsSync(dbPath)).toBe(true);
    const other = new Database(dbPath);
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
  });

  it('tunes the connection it opens: 5 s busy timeout, synchronous = NORMAL', async () => {
    await using persister = SQLitePersister.fromValues({ dbPath: freshPath() });
    expect(persister.client.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(persister.client.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('passes clientOptions to better-sqlite3', async () => {
    const executed: string[] = [];
    await using persister = SQLitePersister.fromValues({ dbPath: freshPath(), clientOptions: { timeout: 1234, verbose: (sql) => executed.push(String(sql)) } });
    expect(persister.client.pragma('busy_timeout', { simple: true })).toBe(1234);
    await persister.initialize();
    expect(executed.some((sql) => sql.startsWith('CREATE TABLE IF NOT EXISTS "burr_state"'))).toBe(true);
  });

  it('a connection the caller passed in stays open after cleanup(); an owned one is closed', async () => {
    const db = new Database(':memory:');
    const borrowed = new SQLitePersister(db);
    await borrowed.initialize();
    await borrowed.cleanup();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) FROM burr_state').pluck().get()).toBe(0);
    db.close();

    const owning = SQLitePersister.fromValues({ dbPath: freshPath() });
    await owning.cleanup();
    expect(owning.client.open).toBe(false);
  });

  it('two connections to one file see each other’s steps', async () => {
    const dbPath = freshPath();
    await using first = SQLitePersister.fromValues({ dbPath });
    await using second = SQLitePersister.fromValues({ dbPath });
    await first.initialize();
    await first.save(step());
    expect((await second.load(null, 'app'))?.state.get('count')).toBe(1);
    await expect(second.save(step({ status: 'failed' }))).rejects.toThrow(PersisterConflictError);
  });
});

describe('fromConfig()', () => {
  it('opens a persister from the same keys as fromValues()', async () => {
    const dbPath = freshPath();
    await using persister = SQLitePersister.fromConfig({ dbPath, tableName: 'from_config', serdeKwargs: { a: 1 } });
    expect(persister.tableName).toBe('from_config');
    await persister.initialize();
    await persister.save(step());
    expect((await persister.load(null, 'app'))?.position).toBe('counter');
  });

  it('takes the storage mode options', async () => {
    const dbPath = freshPath();
    await using persister = SQLitePersister.fromConfig({ dbPath, storage: 'incremental', snapshotEvery: 2 });
    await persister.initialize();
    await persister.save(step());
    expect((await persister.load(null, 'app'))?.state.get('count')).toBe(1);
    expect(persister.client.prepare('SELECT count(*) FROM burr_state_incremental').pluck().get()).toBe(1);
    expect(() => SQLitePersister.fromConfig({ dbPath, storage: 'delta' })).toThrow(/option "storage" must be "full" or "incremental", got "delta"/);
    expect(() => SQLitePersister.fromConfig({ dbPath, snapshotEvery: 2 })).toThrow(/apply only with storage: 'incremental'/);
  });

  it('packs the deltas of each past range of segmentSteps sequence ids into one segment row, and loads every step as saved', async () => {
    const dbPath = freshPath();
    await using persister = SQLitePersister.fromConfig({ dbPath, storage: 'incremental', segmentSteps: 4 });
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    const saved: State[] = [];
    for (let sequenceId = 0; sequenceId < 10; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` });
      saved.push(state);
      await persister.save({ appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    }
    // Step 0 is the snapshot; 1-3 and 4-7 are packed; 8 and 9 (the range the app is in) are rows.
    const segments = persister.client.prepare('SELECT first_sequence_id, last_sequence_id, steps FROM burr_state_incremental_segments ORDER BY 1').raw().all();
    expect(segments).toEqual([
      [1, 3, 3],
      [4, 7, 4],
    ]);
    expect(persister.client.prepare('SELECT sequence_id FROM burr_state_incremental ORDER BY 1').pluck().all()).toEqual([0, 8, 9]);
    for (const [sequenceId, expected] of saved.entries()) expect((await persister.load(null, 'chat', sequenceId))?.state.get('messages')).toEqual(expected.get('messages'));
    const listed = await persister.listSteps(null, 'chat', { order: 'oldest-first', limit: 100 });
    expect(listed.steps.map((step) => [step.sequenceId, step.storedAs])).toEqual(saved.map((_, i) => [i, i === 0 ? 'snapshot' : 'delta']));
    expect(await persister.deleteApp(null, 'chat')).toBe(10);
    expect(persister.client.prepare('SELECT count(*) FROM burr_state_incremental_segments').pluck().get()).toBe(0);
  });

  it('refuses segmentSteps outside 1 to 256 or in full mode', () => {
    const dbPath = freshPath();
    expect(() => SQLitePersister.fromConfig({ dbPath, storage: 'incremental', segmentSteps: 0 })).toThrow(/segmentSteps must be an integer from 1 to 256, got 0/);
    expect(() => SQLitePersister.fromConfig({ dbPath, storage: 'incremental', segmentSteps: 2.5 })).toThrow(InvalidPersistArgumentError);
    expect(() => SQLitePersister.fromConfig({ dbPath, storage: 'incremental', segmentSteps: 257 })).toThrow(/from 1 to 256, got 257/);
    expect(() => SQLitePersister.fromConfig({ dbPath, segmentSteps: 4 })).toThrow(/segmentSteps applies only with storage: 'incremental'/);
    expect(() => SQLitePersister.fromValues({ dbPath, segmentSteps: 4 })).toThrow(InvalidPersistArgumentError);
  });

  it('rejects missing, mistyped and unknown options with a typed error', () => {
    expect(() => SQLitePersister.fromConfig({})).toThrow(InvalidPersistArgumentError);
    expect(() => SQLitePersister.fromConfig({ dbPath: 5 })).toThrow(/"dbPath" must be a string/);
    expect(() => SQLitePersister.fromConfig({ db_path: 'x.db' })).toThrow(/unknown option "db_path"/);
    expect(() => SQLitePersister.fromConfig({ dbPath: ':memory:', tableName: 'x; DROP' })).toThrow(InvalidIdentifierError);
  });

  it('fromValues() from plain JavaScript rejects a dbPath that is not a string', () => {
    expect(() => SQLitePersister.fromValues({ dbPath: 42 } as unknown as { dbPath: string })).toThrow(InvalidPersistArgumentError);
  });
});
