// Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container, else a local server; without any it is skipped saying why.
import { RedisPersister } from '@burr/persister-redis';
import { provideRedis, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burr, seed } from './support/run-cli.js';

const database = await provideRedis();

if ('skip' in database) {
  describe.skip(`burr against Redis [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const namespace = uniqueName('burr_cli');
  const inNamespace = ['--namespace', namespace];
  let persister: RedisPersister;

  beforeAll(async () => {
    persister = await RedisPersister.fromUrl(url, { namespace });
    await seed(persister, [
      { appId: 'chat-1', steps: 9 },
      { appId: 'chat-2', steps: 2 },
      { partitionKey: 'tenant-7', appId: 'chat-3', steps: 3 },
    ]);
  });
  afterAll(async () => {
    // Whatever the tests left under this file's namespace, e.g. after a failure.
    let cursor = '0';
    do {
      const [next, keys] = (await persister.client.sendCommand(['SCAN', cursor, 'MATCH', `${namespace}:*`, 'COUNT', '1000'])) as [string, string[]];
      if (keys.length > 0) await persister.client.sendCommand(['DEL', ...keys]);
      cursor = next;
    } while (cursor !== '0');
    await persister.cleanup();
    await database.stop();
  });

  describe('burr against Redis', () => {
    it('lists apps and steps, and shows a state, under --namespace', async () => {
      const apps = await burr(['apps', url, ...inNamespace]);
      expect(apps.code).toBe(0);
      expect(apps.stdout).toMatch(/^chat-2 +1 +respond +completed .*\nchat-1 +8 +ask +completed /m);
      const steps = JSON.parse((await burr(['steps', url, 'chat-1', '--limit', '4', '--oldest-first', '--json', ...inNamespace])).stdout) as {
        steps: Array<{ sequenceId: number; sizeBytes: number }>;
        nextCursor: number;
      };
      expect(steps.steps.map((step) => step.sequenceId)).toEqual([0, 1, 2, 3]);
      expect(steps.steps.every((step) => step.sizeBytes > 0)).toBe(true);
      const shown = JSON.parse((await burr(['show', url, 'chat-3', '1', '--partition', 'tenant-7', '--json', ...inNamespace])).stdout) as { state: Record<string, unknown> };
      expect(shown.state).toMatchObject({ turn: 1, tags: { __burr_serde__: 'set', value: ['a', 'b'] } });
      // Another namespace holds none of these apps.
      expect((await burr(['apps', url, '--namespace', uniqueName('burr_cli_empty')])).stdout).toBe('No apps in partition "".\n');
    });

    it('prunes every partition, deletes an app, and compacts', async () => {
      const pruned = await burr(['prune', url, '--keep-last', '2', '--all-partitions', '--json', ...inNamespace]);
      expect(pruned.code).toBe(0);
      expect(JSON.parse(pruned.stdout)).toMatchObject({ dryRun: false, appsScanned: 3, appsPruned: 2, stepsRemoved: 8, interrupted: false });
      expect((await persister.listSteps('', 'chat-1')).steps.map((step) => step.sequenceId)).toEqual([8, 7]);
      expect((await persister.listSteps('tenant-7', 'chat-3')).steps.map((step) => step.sequenceId)).toEqual([2, 1]);

      const deleted = await burr(['delete', url, 'chat-1', '--yes', ...inNamespace]);
      expect(deleted.stdout).toBe('Deleted 2 steps of app "chat-1" in partition "".\n');
      expect(await persister.load('', 'chat-1')).toBeNull();

      const compacted = await burr(['compact', url, ...inNamespace]);
      expect(compacted.code).toBe(0);
      expect(compacted.stdout).toMatch(new RegExp(`^Redis ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, namespace ${namespace}\\nSize: `));
    });

    it('--table does not apply to Redis (exit code 2)', async () => {
      const run = await burr(['apps', url, '--table', 'x']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('burr apps: --table does not apply to redis stores (it is for sqlite, libsql, pg, mysql)\n');
    });
  });
}
