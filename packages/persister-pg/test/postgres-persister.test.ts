// Needs PostgreSQL: BURR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// else a Testcontainers container; without either every group is registered as skipped with the reason.
import postgres from 'postgres';
import { InvalidIdentifierError, InvalidPersistArgumentError, PersisterConflictError, State, UnsupportedValueError } from '@burr/core';
import { providePostgres, sampleStep } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { CLOSE_TIMEOUT_SECONDS, PostgreSQLPersister, type PostgresClient } from '../src/index.js';
import { postgresSuite, testClient } from './helpers.js';

const database = await providePostgres();

const step = sampleStep;

if ('skip' in database) {
  describe.skip(`PostgreSQLPersister [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const { store, admin, opened } = postgresSuite(database, 4);

  /** A persister that owns its pool, on a fresh table; cleaned up after the file. */
  const fresh = async (options: { schema?: string; initialize?: boolean } = {}): Promise<PostgreSQLPersister> => {
    const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), schema: options.schema });
    opened.push(persister);
    if (options.initialize !== false) await persister.initialize();
    return persister;
  };

  /** Python Burr's b_psycopg2 `create_table()`, verbatim apart from the name. */
  const pythonCreateTable = (table: string) => `
            CREATE TABLE IF NOT EXISTS ${table} (
                partition_key TEXT DEFAULT '',
                app_id TEXT NOT NULL,
                sequence_id INTEGER NOT NULL,
                position TEXT NOT NULL,
                status TEXT NOT NULL,
                state JSONB NOT NULL,
                created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
                PRIMARY KEY (partition_key, app_id, sequence_id, position)
            );
            CREATE INDEX IF NOT EXISTS ${table}_created_at_index ON ${table} (created_at);`;

  /** A SQL string literal, as psycopg2 interpolates a `str` parameter (standard_conforming_strings on). */
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

  /** One row as Python's `save()` inserts it: `json.dumps(state)` into JSONB, created_at left to the default. */
  const pythonInsert = (table: string, partitionKey: string, appId: string, sequenceId: number, position: string, jsonState: string, status = 'completed') =>
    `INSERT INTO ${table} (partition_key, app_id, sequence_id, position, state, status) VALUES (${literal(partitionKey)}, ${literal(appId)}, ${sequenceId}, ${literal(position)}, ${literal(jsonState)}, ${literal(status)})`;

  async function tableShape(sql: PostgresClient, table: string, schema = 'public') {
    const columns = await sql`
      SELECT column_name, data_type, column_default, is_nullable FROM information_schema.columns
      WHERE table_schema = ${schema} AND table_name = ${table} ORDER BY ordinal_position`;
    const indexes = await sql`
      SELECT i.indisprimary AS primary, array_to_string(array_agg(a.attname ORDER BY k.n), ',') AS columns
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE c.relname = ${table} AND s.nspname = ${schema}
      GROUP BY i.indexrelid, i.indisprimary ORDER BY 2, 1`;
    return { columns: [...columns], indexes: [...indexes] };
  }

  it('initialize() works for a role that may use the table but not create in the schema (PostgreSQL 15 defaults)', async () => {
    const owner = await fresh();
    const role = `burr_limited_${Math.random().toString(36).slice(2, 8)}`;
    await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
    await admin.unsafe(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await admin.unsafe(`GRANT SELECT, INSERT ON "${owner.tableName}" TO ${role}`);
    const roleUrl = new URL(url);
    roleUrl.username = role;
    roleUrl.password = '';
    const limited = PostgreSQLPersister.fromUrl(roleUrl.toString(), { tableName: owner.tableName });
    try {
      await limited.initialize();
      await limited.save(step({ appId: 'limited' }));
      expect((await limited.load(null, 'limited'))?.sequenceId).toBe(0);
      // The app index trigger writes with its owner's rights: the role needs no grant on it to save.
      const [indexed] = await admin.unsafe(`SELECT last_sequence_id FROM "${owner.tableName}_apps" WHERE app_id = 'limited'`);
      expect(indexed?.last_sequence_id).toBe(0);
    } finally {
      await limited.cleanup();
      await admin.unsafe(`REVOKE ALL ON "${owner.tableName}" FROM ${role}`);
      await admin.unsafe(`REVOKE USAGE ON SCHEMA public FROM ${role}`);
      await admin.unsafe(`DROP ROLE ${role}`);
    }
  });

  describe('table format shared with Python Burr', () => {
    it('initialize() creates exactly the columns, defaults, primary key and index of Python Burr', async () => {
      const persister = await fresh();
      const python = store.table('burr_py');
      await admin.unsafe(pythonCreateTable(python));
      const ours = await tableShape(admin, persister.tableName);
      const pythons = await tableShape(admin, python);
      expect(ours.columns).toEqual(pythons.columns);
      // Exactly Python's indexes on the step table: the app listing has a table of its own.
      expect(ours.indexes).toEqual(pythons.indexes);
      const [index] = await admin`SELECT indexname FROM pg_indexes WHERE tablename = ${persister.tableName} AND indexname LIKE '%created_at%'`;
      expect(index?.indexname).toBe(`${persister.tableName}_created_at_index`);
    });

    it('loads rows Python Burr inserted, and returns what Python gets from JSONB', async () => {
      const table = store.table('burr_py');
      await admin.unsafe(pythonCreateTable(table));
      // json.dumps output: ", " and ": " separators, ensure_ascii escapes, 1e+22 and a big int.
      const rows = [
        pythonInsert(table, '', 'app-A', 0, 'counter', '{"count": 1, "__SEQUENCE_ID": 0, "__PRIOR_STEP": "counter"}'),
        pythonInsert(table, '', 'app-A', 1, 'counter', '{"count": 2, "__SEQUENCE_ID": 1, "__PRIOR_STEP": "counter"}'),
        pythonInsert(table, '', 'app-A', 2, 'counter', '{"count": 2, "__SEQUENCE_ID": 2, "__PRIOR_STEP": "counter"}', 'failed'),
        pythonInsert(
          table,
          'user1',
          'app-B',
          0,
          'counter',
          '{"count": 1, "__SEQUENCE_ID": 0, "extras": {"float_one": 1.0, "float": 0.1, "big": 100000000000000000000, "unicode": "\\u00e9\\u4e2d\\ud83d\\ude00", "none": null, "nested": [{"b": 1, "a": 2}], "exp": 1e-07, "bigf": 1e+22, "quote": "it\'s \\"x\\" \\\\ y"}, "__PRIOR_STEP": "counter"}',
        ),
      ];
      for (const row of rows) await admin.unsafe(row);

      const persister = new PostgreSQLPersister(admin, { tableName: table });
      expect(await persister.isInitialized()).toBe(true);
      const latest = await persister.load(null, 'app-A');
      expect(latest).toMatchObject({ partitionKey: '', appId: 'app-A', sequenceId: 2, position: 'counter', status: 'failed' });
      expect(latest?.state.getAll()).toEqual({ count: 2, __SEQUENCE_ID: 2, __PRIOR_STEP: 'counter' });
      expect(latest?.createdAt).toBeInstanceOf(Date);
      expect((await persister.load('', 'app-A', 0))?.state.get('count')).toBe(1);
      expect(await persister.load('user1', 'app-A')).toBeNull();

      const extras = (await persister.load('user1', 'app-B'))?.state.get('extras');
      // What Python's json.loads gets from the JSONB text: 1e+22 became the integer 10000000000000000000000.
      expect(extras).toEqual({
        float_one: 1,
        float: 0.1,
        big: 100000000000000000000n,
        unicode: 'é中😀',
        none: null,
        nested: [{ b: 1, a: 2 }],
        exp: 1e-7,
        bigf: 10000000000000000000000n,
        quote: 'it\'s "x" \\ y',
      });
      expect(await persister.listAppIds(null)).toEqual(['app-A']);
      expect(await persister.listAppIds('user1')).toEqual(['app-B']);

      // initialize() on Python's table changes nothing, and our rows sit beside Python's.
      const before = await tableShape(admin, table);
      await persister.initialize();
      const after = await tableShape(admin, table);
      expect(after.columns).toEqual(before.columns);
      expect(after.indexes).toHaveLength(before.indexes.length);
      // The app index was filled from Python's rows.
      const { apps } = await persister.listApps(null);
      expect(apps.map((app) => [app.appId, app.lastSequenceId, app.lastStatus])).toEqual([['app-A', 2, 'failed']]);
      for (const index of before.indexes) expect(after.indexes).toContainEqual(index);
      await persister.save(step({ appId: 'app-A', sequenceId: 3, state: new State({ count: 3 }) }));
      expect((await persister.load(null, 'app-A'))?.sequenceId).toBe(3);
    });

    it('writes rows Python reads: JSON state with hidden keys, "" for no partition, created_at in UTC', async () => {
      const persister = await fresh();
      const before = Date.now();
      await persister.save(step({ state: new State({ count: 1, nested: { z: [1, 2.5] }, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }) }));
      const [row] = await admin.unsafe(
        `SELECT partition_key, app_id, sequence_id, position, status, state, jsonb_typeof(state) AS kind,
                EXTRACT(EPOCH FROM created_at) * 1000 AS created_ms FROM "${persister.tableName}"`,
      );
      expect(row).toMatchObject({ partition_key: '', app_id: 'app', sequence_id: 0, position: 'counter', status: 'completed', kind: 'object' });
      expect(row?.state).toEqual({ count: 1, nested: { z: [1, 2.5] }, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' });
      // EXTRACT(EPOCH) reads a TIMESTAMP as UTC wall time, whatever the session TimeZone.
      expect(Math.abs(Number(row?.created_ms) - before)).toBeLessThan(5_000);
    });

    it('JSONB reorders top-level keys (shorter first), as Python Burr sees them too', async () => {
      const persister = await fresh();
      await persister.save(step({ state: new State({ count: 1, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }) }));
      expect((await persister.load(null, 'app'))?.state.keys()).toEqual(['count', '__PRIOR_STEP', '__SEQUENCE_ID']);
    });
  });

  describe('created_at and time zones', () => {
    it('stores UTC wall time and loads the exact instant with a session TimeZone other than UTC', async () => {
      const sql = testClient(url, { connection: { TimeZone: 'America/New_York', DateStyle: 'SQL, DMY' } });
      try {
        const persister = new PostgreSQLPersister(sql, { tableName: store.table() });
        await persister.initialize();
        const before = Date.now();
        await persister.save(step());
        const after = Date.now();
        const loaded = await persister.load(null, 'app');
        expect(loaded!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
        expect(loaded!.createdAt.getTime()).toBeLessThanOrEqual(after + 1);
        const [raw] = await admin.unsafe(`SELECT to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS wall FROM "${persister.tableName}"`);
        expect(`${String(raw?.wall)}Z`).toBe(loaded!.createdAt.toISOString());
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it('stores microseconds: rapid saves get strictly increasing created_at', async () => {
      const persister = await fresh();
      for (let sequenceId = 0; sequenceId < 5; sequenceId++) await persister.save(step({ sequenceId }));
      const rows = await admin.unsafe<Array<{ at: string }>>(`SELECT to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM "${persister.tableName}" ORDER BY sequence_id`);
      const times = rows.map((row) => row.at);
      expect(times).toEqual([...times].sort());
      expect(new Set(times).size).toBe(5);
    });

    it('reads a created_at Python wrote at CURRENT_TIMESTAMP in a UTC session', async () => {
      const table = store.table('burr_py');
      await admin.unsafe(pythonCreateTable(table));
      await admin.begin(async (tx) => {
        await tx.unsafe("SET LOCAL TimeZone = 'UTC'");
        await tx.unsafe(pythonInsert(table, '', 'py', 0, 'counter', '{"count": 1}'));
      });
      const [{ now }] = await admin<[{ now: string }]>`SELECT EXTRACT(EPOCH FROM now()) * 1000 AS now`;
      const loaded = await new PostgreSQLPersister(admin, { tableName: table }).load(null, 'py');
      expect(Math.abs(loaded!.createdAt.getTime() - Number(now))).toBeLessThan(5_000);
    });
  });

  describe('values JSONB cannot hold', () => {
    it('refuses a NUL character with UnsupportedValueError naming the key path; nothing is written', async () => {
      const persister = await fresh();
      const state = new State({ history: [{ text: 'ok' }, { text: 'bad\u0000byte' }] });
      const error = await persister.save(step({ state })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedValueError);
      expect((error as Error).message).toContain('history[1].text');
      await expect(persister.save(step({ state: new State({ 'key\u0000': 1 }) }))).rejects.toThrow(/NUL character.*\["key\\u0000"\]/);
      // NUL in an identifier is refused by core for every backend, before any I/O.
      await expect(persister.save(step({ appId: 'a\u0000b' }))).rejects.toThrow(InvalidIdentifierError);
      await expect(persister.save(step({ position: 'p\u0000' }))).rejects.toThrow(/position/);
      await expect(persister.save(step({ partitionKey: '\u0000' }))).rejects.toThrow(/partition key/);
      const [{ count }] = await admin.unsafe<[{ count: number }]>(`SELECT count(*)::int AS count FROM "${persister.tableName}"`);
      expect(count).toBe(0);
      await expect(persister.load('\u0000', 'a\u0000b')).rejects.toThrow(InvalidIdentifierError);
      await expect(persister.listAppIds('\u0000')).rejects.toThrow(InvalidIdentifierError);
    });

    it('stores a backslash followed by "u0000" (not a NUL) as it is', async () => {
      const persister = await fresh();
      const tricky = ['\\u0000', '\\\\u0000', 'a\\u0000b', '\\\u0001'];
      await persister.save(step({ state: new State({ tricky }) }));
      expect((await persister.load(null, 'app'))?.state.get('tricky')).toEqual(tricky);
    });

    it('refuses NaN and Infinity with UnsupportedValueError naming the key path', async () => {
      const persister = await fresh();
      await expect(persister.save(step({ state: new State({ deep: { value: Infinity } }) }))).rejects.toThrow(/deep\.value/);
      expect(await persister.load(null, 'app')).toBeNull();
    });

    it('keeps doubles beyond 2^53 floats: JSONB would turn 1e+22 into an integer', async () => {
      const persister = await fresh();
      const values = { big: 1e22, negative: -1.5e300, max: Number.MAX_VALUE, pow: 2 ** 60, text: '1e+22 stays text', tiny: 5e-324, int: 12345678901234567890n };
      await persister.save(step({ state: new State(values) }));
      expect((await persister.load(null, 'app'))?.state.getAll()).toEqual(values);
      const [row] = await admin.unsafe(`SELECT state->>'big' AS big, state->>'text' AS text FROM "${persister.tableName}"`);
      expect(row).toEqual({ big: '10000000000000000000000.0', text: '1e+22 stays text' });
    });
  });

  describe('initialize()', () => {
    it('runs at once from several pools on a new schema and table without failing', async () => {
      const schema = store.schema();
      const tableName = store.table();
      const persisters = Array.from({ length: 6 }, () => PostgreSQLPersister.fromUrl(url, { tableName, schema }));
      opened.push(...persisters);
      const results = await Promise.allSettled(persisters.map((persister) => persister.initialize()));
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      await persisters[0]!.save(step());
      await Promise.all(persisters.map((persister) => persister.initialize()));
      expect((await persisters[5]!.load(null, 'app'))?.state.get('count')).toBe(1);
    });

    it('puts the table in the given schema and prints no notices on a second run', async () => {
      const notices: unknown[] = [];
      const sql = testClient(url, { onnotice: (notice) => notices.push(notice) });
      try {
        const schema = store.schema();
        const persister = new PostgreSQLPersister(sql, { tableName: 'steps', schema });
        expect(await persister.isInitialized()).toBe(false);
        await persister.initialize();
        await persister.initialize();
        expect(notices).toEqual([]);
        const [found] = await admin`SELECT table_schema FROM information_schema.tables WHERE table_name = 'steps' AND table_schema = ${schema}`;
        expect(found?.table_schema).toBe(schema);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
  });

  describe('errors and names', () => {
    it('a duplicate key is a PersisterConflictError (cause: unique violation 23505) and the stored step is unchanged', async () => {
      const persister = await fresh();
      await persister.save(step({ partitionKey: 'p' }));
      const error = await persister.save(step({ partitionKey: 'p', state: new State({ count: 99 }) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersisterConflictError);
      expect((error as Error).cause).toMatchObject({ name: 'PostgresError', code: '23505' });
      expect((await persister.load('p', 'app'))?.state.get('count')).toBe(1);
    });

    it('an identical re-save of a position that is not the least at its sequence id succeeds; other content still conflicts', async () => {
      const persister = await fresh();
      await persister.save(step({ position: 'a', state: new State({ at: 'a' }) }));
      await persister.save(step({ position: 'b', state: new State({ at: 'b' }) }));
      await persister.save(step({ position: 'b', state: new State({ at: 'b' }) }));
      await expect(persister.save(step({ position: 'b', state: new State({ at: 'changed' }) }))).rejects.toBeInstanceOf(PersisterConflictError);
      const rows = await persister.client.unsafe(`SELECT position, state->>'at' AS at FROM ${persister.tableName} ORDER BY position`);
      expect(rows.map((row) => [row.position, row.at])).toEqual([
        ['a', 'a'],
        ['b', 'b'],
      ]);
    });

    it('other server errors propagate unchanged (a CHECK constraint added to the table)', async () => {
      const persister = await fresh();
      await admin.unsafe(`ALTER TABLE "${persister.tableName}" ADD CONSTRAINT no_x CHECK (app_id <> 'x')`);
      const error = await persister.save(step({ appId: 'x' })).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(PersisterConflictError);
      expect(error).toMatchObject({ code: '23514' });
    });

    it('a sequence id beyond the INTEGER column is a typed error on save and finds nothing on load', async () => {
      const persister = await fresh();
      await expect(persister.save(step({ sequenceId: 2 ** 31 }))).rejects.toThrow(InvalidPersistArgumentError);
      await persister.save(step({ sequenceId: 2 ** 31 - 1 }));
      expect((await persister.load(null, 'app'))?.sequenceId).toBe(2 ** 31 - 1);
      expect(await persister.load(null, 'app', 2 ** 31)).toBeNull();
    });

    const unsafe = ['burr_state; DROP TABLE burr_state', 'x" (a); --', 'Burr_State', '1table', '', 'a'.repeat(64), 'public.burr_state'];
    it.each(unsafe)('refuses the table or schema name %j before opening a pool', (name) => {
      expect(() => new PostgreSQLPersister(admin, { tableName: name })).toThrow(InvalidIdentifierError);
      expect(() => PostgreSQLPersister.fromUrl(url, { tableName: name })).toThrow(InvalidIdentifierError);
      expect(() => PostgreSQLPersister.fromUrl(url, { schema: name })).toThrow(/schema name/);
    });
  });

  describe('connections', () => {
    it("cleanup() leaves the caller's client open and ends a pool the persister opened", async () => {
      const sql = testClient(url);
      const borrowed = new PostgreSQLPersister(sql, { tableName: store.table() });
      await borrowed.initialize();
      await borrowed.cleanup();
      expect((await sql`SELECT 1 AS one`)[0]?.one).toBe(1);
      await sql.end({ timeout: 5 });

      const owning = await fresh();
      await owning.cleanup();
      await expect(owning.client`SELECT 1`).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
    });

    it('works on a client with custom types, a column-name transform and prepared statements off (PgBouncer)', async () => {
      const sql = postgres(url, { onnotice: () => {}, max: 2, types: { bigint: postgres.BigInt }, transform: postgres.camel, prepare: false });
      try {
        const persister = new PostgreSQLPersister(sql, { tableName: store.table() });
        await persister.initialize();
        await persister.save(step({ partitionKey: 'p' }));
        expect(await persister.load('p', 'app')).toMatchObject({ partitionKey: 'p', appId: 'app', sequenceId: 0, position: 'counter' });
        expect(await persister.listAppIds('p')).toEqual(['app']);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it('survives the server terminating its idle connection: the next save works', async () => {
      const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { max: 1 } });
      opened.push(persister);
      await persister.initialize();
      await persister.save(step());
      const [{ pid }] = await persister.client<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
      const [{ terminated }] = await admin<[{ terminated: boolean }]>`SELECT pg_terminate_backend(${pid}) AS terminated`;
      expect(terminated).toBe(true);
      // pg_terminate_backend only signals: wait until the backend has exited (an idle connection cut long
      // ago, as after a server restart), then give the client a moment to read the close.
      for (let tries = 0; tries < 200; tries++) {
        const [{ alive }] = await admin<[{ alive: number }]>`SELECT count(*)::int AS alive FROM pg_stat_activity WHERE pid = ${pid}`;
        if (alive === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await persister.save(step({ sequenceId: 1 }));
      expect((await persister.load(null, 'app'))?.sequenceId).toBe(1);
    });

    /** Runs `pg_sleep` on the persister's only connection and has the server terminate it mid-query. */
    async function terminateMidQuery(persister: PostgreSQLPersister): Promise<unknown> {
      const [{ pid }] = await persister.client<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
      const slow = persister.client`SELECT pg_sleep(5)`.then(
        () => null,
        (error: unknown) => error,
      );
      // Terminate only once the server runs the sleep: a fixed pause can end first on a loaded machine.
      for (let tries = 0; tries < 200; tries++) {
        const [{ sleeping }] = await admin<[{ sleeping: number }]>`SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE pid = ${pid} AND state = 'active'`;
        if (sleeping === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin`SELECT pg_terminate_backend(${pid})`;
      return slow;
    }

    it('a connection terminated mid-query: normal errors, nothing half-written, then saves work again', async () => {
      const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { max: 1 } });
      opened.push(persister);
      await persister.initialize();
      expect(await terminateMidQuery(persister)).toMatchObject({ code: 'CONNECTION_CLOSED' });
      // postgres.js may hand the dead connection's 57P01 "terminating connection" to the next query: a typed fault.
      const next = await persister.save(step()).then(
        () => 'saved',
        (error: unknown) => error,
      );
      if (next !== 'saved') expect(next).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', reason: 'disconnected', cause: { name: 'PostgresError', code: '57P01' } });
      await persister.save(step({ sequenceId: 1 }));
      const rows = await admin.unsafe(`SELECT sequence_id FROM "${persister.tableName}" ORDER BY 1`);
      expect(rows.map((row) => row.sequence_id)).toEqual(next === 'saved' ? [0, 1] : [1]);
    });

    it('cleanup() finishes right after a connection died mid-query (postgres.js end() alone would hang), without waiting out its close timeout', async () => {
      const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { max: 1 } });
      await persister.initialize();
      await terminateMidQuery(persister);
      const started = performance.now();
      await persister.cleanup();
      // No call was running, so nothing to wait for: it used to wait all CLOSE_TIMEOUT_SECONDS.
      expect(performance.now() - started).toBeLessThan((CLOSE_TIMEOUT_SECONDS * 1000) / 2);
      await expect(persister.client`SELECT 1`).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
    });
  });

  describe('fromValues() and fromConfig()', () => {
    const parts = new URL(url);
    const values = {
      dbName: decodeURIComponent(parts.pathname.slice(1)) || 'postgres',
      user: decodeURIComponent(parts.username),
      password: parts.password ? decodeURIComponent(parts.password) : undefined,
      host: parts.hostname,
      port: parts.port ? Number(parts.port) : 5432,
    };

    it('fromValues() opens a pool from Python-style values', async () => {
      const persister = PostgreSQLPersister.fromValues({ ...values, tableName: store.table(), clientOptions: { max: 1 } });
      opened.push(persister);
      await persister.initialize();
      await persister.save(step());
      expect((await persister.load(null, 'app'))?.position).toBe('counter');
    });

    it('fromConfig() takes the same keys, or a url', async () => {
      const persister = PostgreSQLPersister.fromConfig({ ...values, password: values.password, tableName: store.table() });
      opened.push(persister);
      await persister.initialize();
      const byUrl = PostgreSQLPersister.fromConfig({ url, tableName: persister.tableName });
      opened.push(byUrl);
      await persister.save(step());
      expect((await byUrl.load(null, 'app'))?.state.get('count')).toBe(1);
    });

    it('fromConfig() rejects unknown, mistyped, missing and conflicting options', () => {
      expect(() => PostgreSQLPersister.fromConfig({ db_name: 'x', user: 'u', host: 'h' })).toThrow(/unknown option "db_name"/);
      expect(() => PostgreSQLPersister.fromConfig({ dbName: 'x', user: 'u', host: 'h', port: '5432' })).toThrow(/"port" must be a number/);
      expect(() => PostgreSQLPersister.fromConfig({ dbName: 'x', user: 'u' })).toThrow(InvalidPersistArgumentError);
      expect(() => PostgreSQLPersister.fromConfig({ url, host: 'h' })).toThrow(/either "url"/);
      expect(() => PostgreSQLPersister.fromConfig({ url, tableName: 'Bad' })).toThrow(InvalidIdentifierError);
    });
  });
}
