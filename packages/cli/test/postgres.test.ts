// Needs PostgreSQL: BURR_TEST_POSTGRES_URL, else a Testcontainers container, else a local server; without any it is skipped saying why.
import { PostgreSQLPersister } from '@burr/persister-pg';
import { closedPort, providePostgres, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/build.js';
import { BIN, burr, runBin, seed } from './support/run-cli.js';

const database = await providePostgres();

/** `url` with a password in it; the server here trusts local connections, so any password works. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.href;
}

if ('skip' in database) {
  describe.skip(`burr against PostgreSQL [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  // Each file's steps live in a schema of their own, dropped with everything in it (table, app index, trigger) at the end.
  // The URL's search_path puts them there: postgres.js sends unknown query parameters as connection settings.
  const schema = uniqueName('burr_cli');
  const url = `${database.url}${database.url.includes('?') ? '&' : '?'}search_path=${schema}`;
  const persister = PostgreSQLPersister.fromUrl(url);

  beforeAll(async () => {
    await persister.client.unsafe(`CREATE SCHEMA "${schema}"`);
    await persister.initialize();
    await seed(persister, [
      { appId: 'chat-1', steps: 12 },
      { appId: 'chat-2', steps: 3 },
      { partitionKey: 'tenant-7', appId: 'chat-3', steps: 4 },
    ]);
  });
  afterAll(async () => {
    await persister.client.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await persister.cleanup();
    await database.stop();
  });

  describe('burr against PostgreSQL', () => {
    it('lists apps and steps, and shows a state', async () => {
      const apps = await burr(['apps', url]);
      expect(apps.code).toBe(0);
      expect(apps.stdout).toMatch(/^chat-2 +2 +ask +completed .*\nchat-1 +11 +respond +completed /m);
      const steps = JSON.parse((await burr(['steps', url, 'chat-1', '--limit', '5', '--json'])).stdout) as {
        steps: Array<{ sequenceId: number; sizeBytes: number }>;
        nextCursor: number;
      };
      expect(steps.steps.map((step) => step.sequenceId)).toEqual([11, 10, 9, 8, 7]);
      expect(steps.steps.every((step) => step.sizeBytes > 0)).toBe(true);
      expect(steps.nextCursor).toBe(7);
      const shown = JSON.parse((await burr(['show', url, 'chat-3', '--partition', 'tenant-7', '--json'])).stdout) as { sequenceId: number; state: Record<string, unknown> };
      expect(shown.sequenceId).toBe(3);
      expect(shown.state).toMatchObject({ turn: 3, at: { __burr_serde__: 'date', value: '2025-01-01T00:00:00.000Z' } });
    });

    it('a table that is not there is exit code 1 saying so', async () => {
      const run = await burr(['apps', url, '--table', 'no_such_table']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/holds no Burr state.*--table\/--schema\n$/);
    });

    it('prunes with a dry run first, then for real, and deletes an app', async () => {
      const dry = await burr(['prune', url, '--keep-last', '2', '--dry-run', '--json']);
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, appsScanned: 2, appsPruned: 2, stepsRemoved: 11 });
      const real = await burr(['prune', url, '--keep-last', '2', '--batch-size', '3']);
      expect(real.code).toBe(0);
      expect(real.stdout).toMatch(/Removed 11 steps \(.+\) from 2 of 2 apps scanned\.\n$/);
      expect((await persister.listSteps('', 'chat-1')).steps.map((step) => step.sequenceId)).toEqual([11, 10]);
      expect((await persister.listSteps('tenant-7', 'chat-3')).steps).toHaveLength(4);

      const deleted = await burr(['delete', url, 'chat-3', '--partition', 'tenant-7', '--yes']);
      expect(deleted.stdout).toBe('Deleted 4 steps of app "chat-3" in partition "tenant-7".\n');
      expect(await persister.load('tenant-7', 'chat-3')).toBeNull();
    });

    it('compact reports what it ran and what an operator could run', async () => {
      const run = await burr(['compact', url, '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { bytesBefore: number | null; performed: string[]; advice: string[] };
      expect(Array.isArray(report.performed)).toBe(true);
      expect(Array.isArray(report.advice)).toBe(true);
      const human = await burr(['compact', url]);
      expect(human.stdout).toMatch(/^PostgreSQL .*search_path=burr_cli_[0-9a-f]+, table burr_state\nSize: /);
    });

    it('never prints the password of the URL, in results, hints or errors', async () => {
      const secret = 'not-a-real-secret-7f3a';
      const secretUrl = withPassword(url, secret);
      const runs = [
        await burr(['apps', secretUrl, '--limit', '1']),
        await burr(['apps', secretUrl, '--limit', '1', '--json']),
        await burr(['compact', secretUrl]),
        await burr(['show', secretUrl, 'ghost', '--json']),
        await burr(['apps', secretUrl, '--namespace', 'x']),
      ];
      for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
      // The next page cannot repeat a password it must not print: it points at BURR_URL instead.
      expect(runs[0]!.stdout).toMatch(/^Next page: burr apps "\$BURR_URL" --limit 1 --cursor \S+$/m);
      expect(runs[2]!.stdout).toContain(':***@');

      const port = await closedPort();
      const unreachable = await burr(['apps', `postgres://postgres:${secret}@127.0.0.1:${port}/postgres`]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain(`127.0.0.1:${port}`);
      expect(unreachable.stderr).toMatch(/\[BURR_PERSISTER_UNAVAILABLE\]\n$/);
      expect(unreachable.stderr).not.toContain(secret);
    });
  });

  describe('the burr bin against PostgreSQL', () => {
    beforeAll(() => ensureBuilt(), 120_000);

    it('Ctrl-C (SIGINT) stops a prune between batches; what it reports removed is what is gone', async () => {
      await seed(persister, [{ appId: 'long', steps: 800 }]);
      const run = await runBin(BIN, ['prune', url, '--app', 'long', '--keep-last', '1', '--batch-size', '1', '--progress'], {
        cwd: process.cwd(),
        timeoutMs: 60_000,
        onStderr: (text, child) => {
          if (text.includes('prune:') && child.exitCode === null && !child.killed) child.kill('SIGINT');
        },
      });
      expect(run.stderr).toContain('Stopping after the current batch');
      expect(run.code).toBe(130);
      const removed = Number(/Interrupted: removed ([\d,]+) steps?/.exec(run.stdout)?.[1]?.replace(/,/g, ''));
      expect(removed).toBeGreaterThan(0);
      expect(removed).toBeLessThan(799);
      const left = await persister.listSteps('', 'long', { limit: 1000 });
      expect(left.steps).toHaveLength(800 - removed);
    });
  });
}
