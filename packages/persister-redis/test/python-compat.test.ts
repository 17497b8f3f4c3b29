// Reads keys written by the real Python Burr 0.40.2 (b_redis.RedisBasePersister), kept in
// packages/testkit/fixtures/python-burr-0.40.2-redis/ with what Python's own load() and
// list_app_ids() returned for them; no Python is needed here.
// Needs Redis: BURR_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379), else a Testcontainers container, else a server
// on 127.0.0.1:6379; without any, every case is registered as skipped with the reason.
import { readFileSync } from 'node:fs';
import { provideRedis, continuePythonFixtureApp, readPythonExpectedFile, runPythonCompatCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { redisSuite } from './helpers.js';
import { pythonListAppIds, pythonLoad } from './python-burr.js';

const FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-redis/', import.meta.url);

/** One key as the fixture holds it; `{namespace}` stands for the namespace Python used. */
type FixtureKey = { key: string; type: 'hash'; fields: Record<string, string> } | { key: string; type: 'zset'; members: Array<[string, number]> };
const FIXTURE_KEYS = JSON.parse(readFileSync(new URL('keys.json', FIXTURE_DIR), 'utf8')) as FixtureKey[];

const EXPECTED = readPythonExpectedFile(FIXTURE_DIR);

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';

if (skipReason !== null) {
  describe.skip(`RedisPersister reads what Python Burr wrote [skipped: ${skipReason}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const suite = redisSuite(url, database);
  const { store, opened } = suite;

  /** Writes the fixture's keys under a fresh namespace, as Python left them, and opens our persister there. */
  const openFixture = async (keysJson: string): Promise<{ persister: RedisPersister; ns: string }> => {
    const ns = store.namespace('burr_py');
    for (const entry of JSON.parse(keysJson) as FixtureKey[]) {
      const key = entry.key.replace('{namespace}', ns);
      if (entry.type === 'hash') await suite.admin.hSet(key, entry.fields);
      else
        await suite.admin.zAdd(
          key,
          entry.members.map(([value, score]) => ({ value, score })),
        );
    }
    const persister = await RedisPersister.fromUrl(url, { namespace: ns });
    opened.push(persister);
    return { persister, ns };
  };

  runPythonCompatCases(
    { describe, it, beforeAll, afterAll },
    {
      name: 'RedisPersister',
      fixtureDir: FIXTURE_DIR,
      dataFile: 'keys.json',
      // Python keys partition None as a partition named "None"; for us None and '' are one partition.
      unifyNoPartition: true,
      open: async (keysJson) => (await openFixture(keysJson)).persister,
    },
  );

  describe('RedisPersister on the keys Python Burr wrote', () => {
    const keysJson = readFileSync(new URL('keys.json', FIXTURE_DIR), 'utf8');

    it('the fixture holds a hash per step and a sorted set per partition, the empty partition as `ns:` and `ns::app:seq`', () => {
      expect(FIXTURE_KEYS.filter((entry) => entry.type === 'hash')).toHaveLength(13);
      expect(FIXTURE_KEYS.filter((entry) => entry.type === 'zset').map((entry) => entry.key)).toEqual(['{namespace}:', '{namespace}:user1']);
      expect(FIXTURE_KEYS.map((entry) => entry.key)).toContain('{namespace}::app-A:0');
      const failed = FIXTURE_KEYS.filter((entry) => entry.type === 'hash' && entry.fields.status === 'failed').map((entry) => entry.key);
      expect(failed).toEqual(['{namespace}:user1:app-B:1', '{namespace}:user1:app-E:1']);
    });

    it('createdAt is the created_at Python wrote, to the millisecond', async () => {
      const { persister } = await openFixture(keysJson);
      const found = EXPECTED.load.filter((call) => call.result !== null);
      // Python's load(None, app) finds nothing here (its partition "None"), so 18 of its calls found a step.
      expect(found).toHaveLength(18);
      for (const { args, result } of found) {
        const loaded = await persister.load(args.partition_key, args.app_id, args.sequence_id);
        // Python's datetime.now(timezone.utc).isoformat(): "2026-11-30T13:55:05.017004+00:00".
        expect(loaded?.createdAt.toISOString(), JSON.stringify(args)).toBe(`${result!.created_at.slice(0, 23)}Z`);
      }
    });

    it("listAppIds lists Python's apps in the order of its sorted set (highest latest sequence id first), as its list_app_ids() does", async () => {
      const { persister } = await openFixture(keysJson);
      for (const partition of ['', 'user1']) expect(await persister.listAppIds(partition)).toEqual(EXPECTED.list_app_ids_as_returned![partition]);
    });

    it('listSteps and listApps index the steps Python wrote; a TypeScript save continues a Python app where Python’s load() finds it', async () => {
      const { persister, ns } = await openFixture(keysJson);
      const { steps } = await persister.listSteps('user1', 'app-E', { order: 'oldest-first' });
      expect(steps.map((step) => [step.sequenceId, step.position, step.status])).toEqual([
        [0, 'counter', 'completed'],
        [1, 'flaky', 'failed'],
        [2, 'flaky', 'completed'],
        [3, 'counter', 'completed'],
      ]);
      const resumed = await continuePythonFixtureApp(persister);
      expect(resumed?.state.getAll()).toEqual({ count: 102, __SEQUENCE_ID: 3, note: 'recovered ✓', __PRIOR_STEP: 'counter' });
      // What Python's load('user1', 'app-E') and list_app_ids('user1') read now.
      expect(await pythonLoad(suite.admin, ns, 'user1', 'app-E')).toMatchObject({ loaded_sequence_id: '4', position: 'flaky', status: 'completed', partition_key: 'user1' });
      expect(await pythonListAppIds(suite.admin, ns, 'user1')).toEqual(['app-E', 'app-B', 'app-D']);
      const { apps } = await persister.listApps('user1');
      expect(apps[0]).toMatchObject({ appId: 'app-E', lastSequenceId: 4, lastPosition: 'flaky', lastStatus: 'completed' });
      expect(apps.map((app) => app.appId).sort()).toEqual(['app-B', 'app-D', 'app-E']);
      expect((await persister.listSteps('user1', 'app-E')).steps.map((step) => step.sequenceId)).toEqual([4, 3, 2, 1, 0]);
      expect((await persister.load('user1', null))?.appId).toBe('app-E');
    });
  });
}
