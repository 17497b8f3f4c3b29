// Reads a table written by the real Python Burr 0.40.2 (b_psycopg2.PostgreSQLPersister), kept in
// packages/testkit/fixtures/python-burr-0.40.2-postgres/ with what Python's own load() and
// list_app_ids() returned for it; no Python is needed here.
// Needs PostgreSQL: BURR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// else a Testcontainers container; without either every case is registered as skipped with the reason.
import { readFileSync } from 'node:fs';
import { PersisterNotInitializedError } from '@burr/core';
import { providePostgres, continuePythonFixtureApp, readPythonExpectedFile, runPythonCompatCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { postgresSuite } from './helpers.js';

const FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-postgres/', import.meta.url);
const FIXTURE_SQL = readFileSync(new URL('burr_state.sql', FIXTURE_DIR), 'utf8');
/** Python's table is `burr_state`; each case loads the dump into a fresh table instead. */
const intoTable = (sql: string, table: string) => sql.replaceAll('burr_state', table);

const EXPECTED = readPythonExpectedFile(FIXTURE_DIR);

const database = await providePostgres();

if ('skip' in database) {
  describe.skip(`PostgreSQLPersister reads what Python Burr wrote [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const { store, admin, opened } = postgresSuite(database, 2);

  /** A fresh table holding Python's rows (Python's DDL, no app index yet), and our persister on it. */
  const openFixture = async (sql: string): Promise<{ persister: PostgreSQLPersister; table: string }> => {
    const table = store.table('burr_py');
    await admin.unsafe(intoTable(sql, table));
    const persister = PostgreSQLPersister.fromUrl(url, { tableName: table, clientOptions: { max: 2 } });
    opened.push(persister);
    return { persister, table };
  };

  runPythonCompatCases(
    { describe, it, beforeAll, afterAll },
    // Python's list_app_ids(None) runs `WHERE partition_key = NULL` and finds nothing; for us None and '' are one partition.
    { name: 'PostgreSQLPersister', fixtureDir: FIXTURE_DIR, unifyNoPartition: true, open: async (sql) => (await openFixture(sql)).persister },
  );

  describe('PostgreSQLPersister on the table Python Burr wrote', () => {
    it('the fixture holds Python’s own DDL and every step it saved, JSONB state and server created_at', async () => {
      const { table } = await openFixture(FIXTURE_SQL);
      const rows = await admin.unsafe(`SELECT partition_key, app_id, sequence_id, status FROM "${table}" ORDER BY created_at`);
      expect(rows).toHaveLength(13);
      expect(new Set(rows.map((row) => row.partition_key))).toEqual(new Set(['', 'user1']));
      expect(rows.filter((row) => row.status === 'failed').map((row) => `${row.app_id}:${row.sequence_id}`)).toEqual(['app-E:1', 'app-B:1']);
      const columns = await admin.unsafe(`SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'state'`, [table]);
      expect(columns.map((column) => column.data_type)).toEqual(['jsonb']);
    });

    it('createdAt is the created_at Python read, to the millisecond (the column is UTC wall time)', async () => {
      const { persister } = await openFixture(FIXTURE_SQL);
      const found = EXPECTED.load.filter((call) => call.result !== null);
      expect(found).toHaveLength(20);
      for (const { args, result } of found) {
        const loaded = await persister.load(args.partition_key, args.app_id, args.sequence_id);
        // Python's str() of a naive datetime: "2026-11-30 13:55:04.965298".
        expect(loaded?.createdAt.toISOString(), JSON.stringify(args)).toBe(`${result!.created_at.replace(' ', 'T').slice(0, 23)}Z`);
      }
    });

    it('initialize() adds the app index to Python’s table and fills it from Python’s rows; listAppIds then lists as Python’s query does, each app once', async () => {
      const { persister, table } = await openFixture(FIXTURE_SQL);
      const appIndex = async () => (await admin.unsafe('SELECT to_regclass($1)::text AS name', [`"${table}_apps"`]))[0]!.name as string | null;
      expect(await appIndex()).toBeNull();
      // Until initialize() runs once more, the calls that read the app index say so.
      await expect(persister.listApps('user1')).rejects.toBeInstanceOf(PersisterNotInitializedError);
      await expect(persister.load('user1', null)).rejects.toBeInstanceOf(PersisterNotInitializedError);
      await persister.initialize();
      expect(await appIndex()).toBe(`${table}_apps`);
      const indexed = await admin.unsafe(
        `SELECT partition_key, app_id, last_sequence_id, last_position, last_status, to_char(last_saved_at, 'YYYY-MM-DD HH24:MI:SS.US') AS saved FROM "${table}_apps" ORDER BY partition_key, app_id`,
      );
      const latest = (partition: string, app: string) =>
        EXPECTED.load.find((call) => call.args.partition_key === partition && call.args.app_id === app && call.args.sequence_id === null)!.result!;
      const newestSave = (partition: string, app: string) =>
        EXPECTED.load
          .filter((call) => call.result !== null && call.result.partition_key === partition && call.result.app_id === app)
          .map((call) => call.result!.created_at)
          .sort()
          .at(-1);
      expect(indexed.map((row) => ({ ...row }))).toEqual(
        [
          ['', 'app-A'],
          ['', 'app-F'],
          ['user1', 'app-B'],
          ['user1', 'app-D'],
          ['user1', 'app-E'],
        ].map(([partition, app]) => {
          const step = latest(partition!, app!);
          return {
            partition_key: partition,
            app_id: app,
            last_sequence_id: step.sequence_id,
            last_position: step.position,
            last_status: step.status,
            saved: newestSave(partition!, app!),
          };
        }),
      );
      // Python's `SELECT DISTINCT app_id, created_at ... ORDER BY created_at DESC` repeats an app per save; we list each once, in that order.
      for (const partition of ['', 'user1']) {
        expect(await persister.listAppIds(partition)).toEqual([...new Set(EXPECTED.list_app_ids_as_returned![partition])]);
      }
    });

    it('a TypeScript save continues a Python app: the app index moves it first, and its history holds both sides’ steps', async () => {
      const { persister } = await openFixture(FIXTURE_SQL);
      await persister.initialize();
      const resumed = await continuePythonFixtureApp(persister);
      expect(resumed?.state.getAll()).toEqual({ note: 'recovered ✓', count: 102, __PRIOR_STEP: 'counter', __SEQUENCE_ID: 3 });
      expect((await persister.listAppIds('user1'))[0]).toBe('app-E');
      const { apps } = await persister.listApps('user1');
      expect(apps[0]).toMatchObject({ appId: 'app-E', lastSequenceId: 4, lastPosition: 'flaky', lastStatus: 'completed' });
      const { steps } = await persister.listSteps('user1', 'app-E', { order: 'oldest-first' });
      expect(steps.map((step) => [step.sequenceId, step.position, step.status])).toEqual([
        [0, 'counter', 'completed'],
        [1, 'flaky', 'failed'],
        [2, 'flaky', 'completed'],
        [3, 'counter', 'completed'],
        [4, 'flaky', 'completed'],
      ]);
      expect((await persister.load('user1', null))?.appId).toBe('app-E');
    });
  });
}
