// The URL schemes of libSQL (a local file, no server needed) and MySQL (BURR_TEST_MYSQL_URL, a container or a local
// server; else skipped saying why); MongoDB only as far as no server is needed.
import { LibSQLPersister } from '@burr/persister-libsql';
import { MySQLPersister } from '@burr/persister-mysql';
import { provideMysql, temporaryDirectory, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burr, seed } from './support/run-cli.js';

const dir = temporaryDirectory('cli-libsql');
afterAll(() => dir.remove());

describe('burr against a libSQL file (file: URL)', () => {
  it('lists, shows, prunes and compacts', async () => {
    const url = dir.url('store.db');
    {
      await using persister = LibSQLPersister.fromValues({ url });
      await persister.initialize();
      await seed(persister, [{ appId: 'notes', steps: 6 }]);
    }
    const apps = await burr(['apps', url]);
    expect(apps.code).toBe(0);
    expect(apps.stdout).toMatch(/^notes +5 +respond +completed /m);
    const shown = JSON.parse((await burr(['show', url, 'notes', '2', '--json'])).stdout) as { state: { turn: number } };
    expect(shown.state.turn).toBe(2);
    const pruned = JSON.parse((await burr(['prune', url, '--keep-last', '2', '--json'])).stdout) as { stepsRemoved: number };
    expect(pruned.stepsRemoved).toBe(4);
    const steps = await burr(['steps', url, 'notes', '--json']);
    expect((JSON.parse(steps.stdout) as { steps: Array<{ sequenceId: number }> }).steps.map((step) => step.sequenceId)).toEqual([5, 4]);
    expect((await burr(['compact', url])).code).toBe(0);
  });

  it('a file: URL to no file is exit code 2, and creates nothing', async () => {
    const run = await burr(['apps', 'file:./no-such-dir/absent.db']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('burr apps: no database file at ./no-such-dir/absent.db (from file:./no-such-dir/absent.db); the CLI never creates a store\n');
  });
});

describe('burr with a MongoDB URL', () => {
  it('checks the options before connecting', async () => {
    const run = await burr(['apps', 'mongodb://127.0.0.1:1', '--table', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('burr apps: --table does not apply to mongo stores (it is for sqlite, libsql, pg, mysql)\n');
  });
});

const mysqlServer = await provideMysql();

if ('skip' in mysqlServer) {
  describe.skip(`burr against MySQL [skipped: ${mysqlServer.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  // A database of its own, dropped at the end with everything in it.
  const databaseName = uniqueName('burr_cli');
  const serverUrl = new URL(mysqlServer.url);
  const url = new URL(`/${databaseName}`, serverUrl).href;
  const admin = MySQLPersister.fromUrl(mysqlServer.url);
  const persister = MySQLPersister.fromUrl(url);

  beforeAll(async () => {
    await admin.client.query(`CREATE DATABASE \`${databaseName}\``);
    await persister.initialize();
    await seed(persister, [
      { appId: 'm-1', steps: 5 },
      { partitionKey: 'tenant-7', appId: 'm-2', steps: 3 },
    ]);
  });
  afterAll(async () => {
    await persister.cleanup();
    await admin.client.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
    await admin.cleanup();
    await mysqlServer.stop();
  });

  describe('burr against MySQL', () => {
    it('lists, prunes every partition and deletes', async () => {
      const apps = await burr(['apps', url, '--partition', 'tenant-7']);
      expect(apps.stdout).toMatch(/^m-2 +2 +ask +completed /m);
      const pruned = JSON.parse((await burr(['prune', url, '--keep-last', '1', '--all-partitions', '--json'])).stdout) as { stepsRemoved: number; appsPruned: number };
      expect(pruned).toMatchObject({ stepsRemoved: 6, appsPruned: 2 });
      const deleted = await burr(['delete', url, 'm-1', '--yes', '--json']);
      expect(JSON.parse(deleted.stdout)).toEqual({ partitionKey: '', appId: 'm-1', stepsDeleted: 1 });
      expect((await burr(['compact', url])).code).toBe(0);
    });
  });
}
