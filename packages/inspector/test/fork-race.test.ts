// Two forks to one new app id at once, from different steps, on PostgreSQL (real I/O between the check that the id
// is free and the save): one is created, the other refused, never an app made of both. PostgreSQL from
// BURR_TEST_POSTGRES_URL, else a Testcontainers container, else a local server; without any it is skipped saying why.
import { PostgreSQLPersister } from '@burr/persister-pg';
import { providePostgres, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInspector, startInspectorServer } from '../src/index.js';
import { httpRequest } from './support/http.js';
import { seedChat } from './support/seed.js';

const database = await providePostgres();

if ('skip' in database) {
  describe.skip(`forks racing to one app id, PostgreSQL [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  describe('forks racing to one app id, PostgreSQL', () => {
    const table = uniqueName('burr_fork_race');
    const persister = PostgreSQLPersister.fromUrl(database.url, { tableName: table });
    let inspector: RunningInspector | undefined;
    beforeAll(async () => {
      await persister.initialize();
      await seedChat(persister, 'chat-1', 4, { noNaN: true });
      inspector = await startInspectorServer({ persister, port: 0, allowWrites: true });
    });
    afterAll(async () => {
      await inspector?.close();
      // The table's app index and its trigger function too: nothing of the test stays in the shared database.
      await persister.client.unsafe(`DROP TABLE IF EXISTS "${table}", "${table}_apps" CASCADE`);
      await persister.client.unsafe(`DROP FUNCTION IF EXISTS "${table}_apps_on_insert"()`);
      await persister.cleanup();
      await database.stop();
    });

    it('creates the app once and refuses the other fork (409), round after round', async () => {
      const origin = new URL(inspector!.url).origin;
      const cookie = (await httpRequest(inspector!.url)).headers['set-cookie']![0]!.split(';')[0]!;
      const page = await httpRequest(`${origin}/app?partition=ada&app=chat-1`, { headers: { cookie } });
      const pageToken = /<meta name="burr-inspector-write-token" content="([^"]+)">/.exec(page.body)![1]!;
      const fork = (sequenceId: number, newAppId: string) =>
        httpRequest(`${origin}/api/fork`, {
          method: 'POST',
          headers: { cookie, origin, 'content-type': 'application/json', 'x-burr-inspector-token': pageToken },
          body: JSON.stringify({ partitionKey: 'ada', appId: 'chat-1', sequenceId, newAppId }),
        });
      for (let round = 0; round < 8; round++) {
        const newAppId = `chat-1-race-${round}`;
        const replies = await Promise.all([fork(1, newAppId), fork(3, newAppId)]);
        expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
        expect((await persister.listSteps('ada', newAppId)).steps).toHaveLength(1);
      }
    });
  });
}
