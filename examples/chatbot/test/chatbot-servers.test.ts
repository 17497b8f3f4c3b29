// The server backends, each against a real server: BURR_TEST_POSTGRES_URL,
// BURR_TEST_REDIS_URL, BURR_TEST_MONGO_URL, else a Testcontainers container;
// without either a backend's test is skipped with the reason in its title.
// Each run uses a fresh partition key in the backend's default table,
// namespace or collection (what a user gets), and leaves its few steps there.
import { randomUUID } from 'node:crypto';
import { provideMongo, providePostgres, provideRedis, type ProvidedDatabase } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { printedAppId, runChatbot } from './run-built-chatbot.js';

const servers: Array<[backend: string, database: ProvidedDatabase]> = [
  ['pg', await providePostgres()],
  ['redis', await provideRedis()],
  ['mongo', await provideMongo()],
];

describe('the built chatbot on database servers', () => {
  afterAll(async () => {
    for (const [, database] of servers) if ('stop' in database) await database.stop();
  });

  for (const [backend, database] of servers) {
    if ('skip' in database) {
      it.skip(`${backend}: skipped, ${database.skip}`, () => {});
      continue;
    }
    it(`${backend}: chats, resumes, forks and lists`, async () => {
      const args = ['--backend', backend, '--url', database.url, '--partition-key', `chatbot-test-${randomUUID().slice(0, 8)}`];
      const first = await runChatbot(args, ['my name is Pat', 'exit']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const appId = printedAppId(first.stdout);

      const resumed = await runChatbot([...args, '--app-id', appId], ['what is my name?']);
      expect(resumed.stderr).toBe('');
      expect(resumed.stdout).toContain(`after step #3.`);
      expect(resumed.stdout).toContain(`[app ${appId.slice(0, 8)}… #3] you> what is my name?`);
      expect(resumed.stdout).toContain("bot> You're Pat.");

      const fork = await runChatbot([...args, '--fork-from', appId, '--at', '0'], []);
      expect(fork.stderr).toBe('');
      const forkId = printedAppId(fork.stdout);
      expect(fork.stdout).toContain('answering it now)\nbot> Nice to meet you, Pat!');

      const list = await runChatbot([...args, '--list']);
      expect(list.code).toBe(0);
      const rows = list.stdout.trim().split('\n').slice(1);
      expect(rows.map((row) => row.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([`${forkId} 2 steps`, `${appId} 6 steps`]);
    });
  }
});
