// Needs PostgreSQL: BURR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// else a Testcontainers container; without either every group is registered as skipped with the reason.
// The app index on PostgreSQL: saves within a second update an app's entry in place (HOT), the order stays exact
// across seconds, and initialize() upgrades an app index an earlier version made.
import { readFileSync } from 'node:fs';
import { State, type StorageMode } from '@burr/core';
import { pageThroughApps, providePostgres } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { postgresSuite } from './helpers.js';

const database = await providePostgres();

if ('skip' in database) {
  describe.skip(`PostgreSQL app index [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const { store, admin, opened } = postgresSuite(database, 2);
  const PAGE = 8192;

  const fresh = async (options: { schema?: string; storage?: StorageMode } = {}): Promise<PostgreSQLPersister> => {
    const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), schema: options.schema, storage: options.storage });
    opened.push(persister);
    await persister.initialize();
    return persister;
  };

  /** Main-fork bytes of a relation, by its qualified name. */
  const bytesOf = async (relation: string): Promise<number> => {
    const [row] = await admin.unsafe('SELECT pg_relation_size(to_regclass($1)) AS bytes', [relation]);
    return Number(row?.bytes);
  };

  describe('saves of one app in quick succession', () => {
    for (const storage of ['full', 'incremental'] as const) {
      it(`update its app index entry in place (${storage} storage): after 1,000 saves the app index and each of its indexes hold a few pages, not a version per save`, async () => {
        const schema = store.schema();
        const persister = await fresh({ schema, storage });
        let state = new State({ messages: [] as string[] });
        for (let sequenceId = 0; sequenceId < 1000; sequenceId++) {
          state = state.append({ messages: `message ${sequenceId}` });
          await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
        }
        const apps = `"${schema}"."${persister.tableName}${storage === 'incremental' ? '_incremental' : ''}_apps`;
        const [entry] = await admin.unsafe(`SELECT last_sequence_id, last_saved_second = date_trunc('second', last_saved_at) AS second FROM ${apps}"`);
        expect(entry).toMatchObject({ last_sequence_id: 999, second: true });
        // With the exact time indexed, the 1,000 updates left 90 KB of table (11 pages) and 100 KB of saved-at index
        // (13 pages). Within a second they are HOT now: one page each when the old versions are pruned at once, a few
        // more when a transaction of another test holds pruning back for a moment.
        for (const relation of [apps, `${apps}_saved_at_index`, `${apps}_pkey`]) expect(await bytesOf(`${relation}"`), relation).toBeLessThanOrEqual(5 * PAGE);
      });
    }
  });

  describe('order of apps across seconds', () => {
    it('listApps, listAppIds and load(partitionKey, null) follow the exact last save time, ties to the greatest app id, on every page', async () => {
      const persister = await fresh();
      const table = `"${persister.tableName}"`;
      // Steps inserted as Python Burr inserts them (the trigger indexes them), at chosen times: apps whose
      // last saves fall in the same second, on either side of a second's boundary, and at one instant.
      const saves: [string, number, string][] = [
        ['a', 0, '2026-01-01 12:00:00.900000'],
        ['b', 0, '2026-01-01 12:00:01.100000'],
        ['c', 0, '2026-01-01 12:00:00.950000'],
        ['a', 1, '2026-01-01 12:00:01.000000'],
        ['d', 0, '2026-01-01 12:00:01.100000'],
        ['e', 0, '2026-01-01 12:00:02.000001'],
        ['c', 1, '2026-01-01 12:00:00.999999'],
        ['f', 0, '2026-01-01 11:59:59.999999'],
        // Later in its second than a and earlier than b and d: ordered by the second and app id alone, it would lead it.
        ['g', 0, '2026-01-01 12:00:01.050000'],
        // A save with an earlier time than the app's last (a clock set back) does not move it back.
        ['e', 1, '2026-01-01 12:00:00.100000'],
      ];
      for (const [appId, sequenceId, createdAt] of saves) {
        await admin.unsafe(
          `INSERT INTO ${table} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES ('p', $1, $2, 'respond', 'completed', '{}', $3)`,
          [appId, sequenceId, createdAt],
        );
      }
      const expected = ['e', 'd', 'b', 'g', 'a', 'c', 'f'];
      expect(await persister.listAppIds('p')).toEqual(expected);
      expect((await persister.listApps('p', { limit: 1000 })).apps.map((app) => app.appId)).toEqual(expected);
      for (const limit of [1, 2, 4])
        expect(
          (await pageThroughApps(persister, 'p', limit)).map((app) => app.appId),
          `pages of ${limit}`,
        ).toEqual(expected);
      expect((await persister.load('p', null))?.appId).toBe('e');
      const [e] = (await persister.listApps('p', { limit: 1 })).apps;
      expect(e).toMatchObject({ appId: 'e', lastSequenceId: 1, lastSavedAt: new Date('2026-01-01T12:00:02.000Z') });
    });
  });

  /**
   * A table in a schema of its own whose app index has the shape an earlier version's initialize() left (its DDL as
   * that version generated it, the trigger included), holding x (saved last, at 12:00:01.7) and y (at 12:00:00.6).
   */
  async function tableWithEarlierAppIndex(storage: StorageMode) {
    const schema = store.schema();
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    const { tableName } = await fresh({ schema, storage });
    const steps = `${tableName}${storage === 'incremental' ? '_incremental' : ''}`;
    const table = `"${schema}"."${steps}"`;
    await admin.unsafe(`DROP TABLE "${schema}"."${steps}_apps"`);
    await admin.unsafe(`DROP TRIGGER "${steps}_apps_on_insert" ON ${table}`);
    await admin.unsafe(`DROP FUNCTION "${schema}"."${steps}_apps_on_insert"()`);
    const earlier = readFileSync(new URL('./fixtures/app-index-before-saved-second.sql', import.meta.url), 'utf8')
      .replace(/^--.*\n/gm, '')
      .replaceAll('old_shape_schema', schema)
      .replaceAll('burr_state', steps);
    for (const statement of earlier.split(/;\n\n|;\n$/).filter((text) => text.trim() !== '')) await admin.unsafe(statement);
    const saveAt = (appId: string, sequenceId: number, createdAt: string) =>
      admin.unsafe(`INSERT INTO ${table} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES ('p', $1, $2, 'respond', 'completed', '{"n": 1}', $3)`, [
        appId,
        sequenceId,
        createdAt,
      ]);
    await saveAt('x', 0, '2026-01-01 12:00:00.500000');
    await saveAt('y', 0, '2026-01-01 12:00:00.600000');
    await saveAt('x', 1, '2026-01-01 12:00:01.700000');
    const apps = `"${schema}"."${steps}_apps"`;
    const columns = async () =>
      (await admin.unsafe('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, `${steps}_apps`])).map(
        (row) => row.column_name as string,
      );
    return { schema, tableName, steps, apps, columns };
  }

  describe('initialize() on an app index an earlier version made', () => {
    for (const storage of ['full', 'incremental'] as const) {
      it(`lists apps before it runs; then adds last_saved_second, generated from each last save, and indexes it instead of the exact time; the earlier trigger keeps saving (${storage} storage)`, async () => {
        const { schema, tableName, steps, apps, columns } = await tableWithEarlierAppIndex(storage);
        expect(await columns()).not.toContain('last_saved_second');
        const after = PostgreSQLPersister.fromUrl(url, { tableName, schema, storage });
        opened.push(after);
        // Before the upgrade, a reader that does not initialize (the CLI, the inspector) lists from the earlier shape.
        expect(await after.listAppIds('p')).toEqual(['x', 'y']);
        const firstPage = await after.listApps('p', { limit: 1 });
        expect(firstPage.apps.map((app) => app.appId)).toEqual(['x']);
        expect((await after.listApps('p', { limit: 1, cursor: firstPage.nextCursor })).apps.map((app) => app.appId)).toEqual(['y']);
        expect((await after.load('p', null))?.appId).toBe('x');

        await after.initialize();
        await after.initialize();
        const entries = await admin.unsafe(`SELECT app_id, to_char(last_saved_second, 'HH24:MI:SS.US') AS second FROM ${apps} ORDER BY app_id`);
        expect(entries.map((row) => [row.app_id, row.second])).toEqual([
          ['x', '12:00:01.000000'],
          ['y', '12:00:00.000000'],
        ]);
        const [index] = await admin.unsafe('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, `${steps}_apps_saved_at_index`]);
        expect(index?.indexdef).toMatch(/\(partition_key, last_saved_second\)$/);
        expect(await after.listAppIds('p')).toEqual(['x', 'y']);
        // The trigger is the earlier version's (as a process still running it, or one in the middle of the upgrade,
        // would fire it): the generated column follows its writes, so y's next save moves it to the front.
        const [body] = await admin.unsafe('SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure($1)', [`"${schema}"."${steps}_apps_on_insert"()`]);
        expect(body?.prosrc).not.toContain('last_saved_second');
        await after.save({ partitionKey: 'p', appId: 'y', sequenceId: 1, position: 'respond', state: new State({ n: 2 }), status: 'completed' });
        const [y] = await admin.unsafe(`SELECT last_saved_second = date_trunc('second', last_saved_at) AS kept FROM ${apps} WHERE app_id = 'y'`);
        expect(y?.kept).toBe(true);
        expect(await after.listAppIds('p')).toEqual(['y', 'x']);
        expect((await after.load('p', 'x'))?.state.get('n')).toBe(1);
      });
    }

    it('by a role that does not own the table, leaves it as it is: initialize() succeeds, saves and listings work in the earlier shape', async () => {
      const { schema, tableName, columns } = await tableWithEarlierAppIndex('full');
      const role = `burr_limited_${Math.random().toString(36).slice(2, 8)}`;
      await admin.unsafe(`CREATE ROLE ${role} LOGIN`);
      await admin.unsafe(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
      await admin.unsafe(`GRANT SELECT, INSERT ON "${schema}"."${tableName}" TO ${role}`);
      await admin.unsafe(`GRANT SELECT ON "${schema}"."${tableName}_apps" TO ${role}`);
      const roleUrl = new URL(url);
      roleUrl.username = role;
      roleUrl.password = '';
      const limited = PostgreSQLPersister.fromUrl(roleUrl.toString(), { tableName, schema });
      try {
        await limited.initialize();
        expect(await columns()).not.toContain('last_saved_second');
        await limited.save({ partitionKey: 'p', appId: 'y', sequenceId: 1, position: 'respond', state: new State({ n: 2 }), status: 'completed' });
        expect(await limited.listAppIds('p')).toEqual(['y', 'x']);
        expect((await limited.listApps('p')).apps.map((app) => [app.appId, app.lastSequenceId])).toEqual([
          ['y', 1],
          ['x', 1],
        ]);
      } finally {
        await limited.cleanup();
        await admin.unsafe(`DROP OWNED BY ${role}`);
        await admin.unsafe(`DROP ROLE ${role}`);
      }
    });
  });
}
