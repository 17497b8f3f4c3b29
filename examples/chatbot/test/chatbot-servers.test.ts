// The server backends, each against a real server: BURR_TEST_POSTGRES_URL,
// BURR_TEST_MYSQL_URL, BURR_TEST_REDIS_URL, BURR_TEST_MONGO_URL, else a Testcontainers container;
// without either a backend's test is skipped with the reason in its title.
// Each run uses a fresh partition key in the backend's default table,
// namespace or collection (what a user gets), and deletes its conversations at the end.
import { randomUUID } from 'node:crypto';
import { provideMongo, provideMysql, providePostgres, provideRedis, startFreezableProxy, type ProvidedDatabase } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { chatEnv, printedAppId, runChatbot, startChatbot } from './run-built-chatbot.js';

/** The arguments of the resume command the chatbot printed last, as a person would paste them. */
function printedResumeArgs(stdout: string): string[] {
  const commands = [...stdout.matchAll(/(?:Resume|any time): pnpm chatbot (.+)$/gm)];
  const command = commands.at(-1)?.[1];
  if (command === undefined) throw new Error(`No resume command in:\n${stdout}`);
  // The test URLs and ids need no shell quoting; a quote here would mean the test must parse more.
  expect(command).not.toMatch(/['"\\]/);
  return command.split(' ');
}

/** Deletes a conversation the test made, as a person would (`--delete ID --yes`). */
async function deleteConversation(args: string[], appId: string): Promise<void> {
  const deleted = await runChatbot([...args, '--delete', appId, '--yes']);
  expect(deleted.stderr).toBe('');
  expect(deleted.stdout).toMatch(new RegExp(`^Deleted conversation ${appId} of .*: \\d+ steps? removed\\.\n$`));
}

const servers: Array<[backend: string, database: ProvidedDatabase]> = [
  ['pg', await providePostgres()],
  ['mysql', await provideMysql()],
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
    // Six chatbot processes in a row: under a loaded CI machine each start can take seconds, so the limit is a hang guard.
    it(`${backend}: chats, resumes, forks, lists, shows history and deletes`, { timeout: 120_000 }, async () => {
      const partitionKey = `chatbot-test-${randomUUID().slice(0, 8)}`;
      const args = ['--backend', backend, '--url', database.url, '--partition-key', partitionKey];
      const first = await runChatbot(args, ['my name is Pat', 'exit']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const appId = printedAppId(first.stdout);

      // The printed resume command works as pasted (the URL holds no password, so it is repeated).
      const resumeArgs = printedResumeArgs(first.stdout);
      expect(resumeArgs).toEqual([...args, '--app-id', appId]);
      const resumed = await runChatbot(resumeArgs, ['what is my name?']);
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
      const rows = list.stdout.trim().split('\n').slice(2);
      expect(rows.map((row) => row.trim().split(/\s+/).slice(0, 4).join(' '))).toEqual([`${forkId} #1 ai_converse completed`, `${appId} #5 ai_converse completed`]);

      // /history numbers the messages from listSteps; #3 (terminal) added none.
      const history = await runChatbot([...args, '--app-id', appId], ['/history']);
      expect(history.stderr).toBe('');
      expect(history.stdout).toMatch(/^#0 you> my name is Pat\n#1 bot> Nice to meet you, Pat!.*\n#2 you> exit\n#4 you> what is my name\?\n#5 bot> You're Pat/m);

      // The fork is stored from its own first step (#1): one step goes.
      const deleted = await runChatbot([...args, '--delete', forkId, '--yes']);
      expect(deleted.stderr).toBe('');
      expect(deleted.stdout).toBe(`Deleted conversation ${forkId} of "${partitionKey}": 1 step removed.\n`);
      const afterDelete = await runChatbot([...args, '--list']);
      expect(afterDelete.stdout).not.toContain(forkId);
      expect(afterDelete.stdout).toContain(appId);

      // The last conversation goes too, so runs leave nothing on a shared server.
      const deletedLast = await runChatbot([...args, '--delete', appId, '--yes']);
      expect(deletedLast.stdout).toBe(`Deleted conversation ${appId} of "${partitionKey}": 6 steps removed.\n`);
      const empty = await runChatbot([...args, '--list']);
      expect(empty.stdout).toContain(`No conversations for partition "${partitionKey}" yet.`);
    });
  }

  const [, postgres] = servers[0] ?? [];
  const runPg = postgres && 'url' in postgres ? it : it.skip;
  runPg(
    `pg: a URL with a password is never printed, and the printed resume command works once the URL is in BURR_PG_URL${postgres && 'skip' in postgres ? ` (skipped, ${postgres.skip})` : ''}`,
    async () => {
      if (!postgres || !('url' in postgres)) return;
      // Trust authentication ignores the password, so the URL works with one.
      const withPassword = new URL(postgres.url);
      withPassword.password = 'never-print-me';
      const partitionKey = `chatbot-test-${randomUUID().slice(0, 8)}`;
      const env = chatEnv();
      for (const name of ['BURR_PG_URL', 'DATABASE_URL']) delete env[name];
      const first = await runChatbot(['--backend', 'pg', '--url', withPassword.href, '--partition-key', partitionKey], ['my name is Pat', '/where'], env);
      expect(first.code).toBe(0);
      expect(first.stdout + first.stderr).not.toContain('never-print-me');
      // Once in /where and once after the farewell.
      expect(first.stdout.split('first set BURR_PG_URL to your URL')).toHaveLength(3);
      const appId = printedAppId(first.stdout);
      const resumeArgs = printedResumeArgs(first.stdout);
      expect(resumeArgs).toEqual(['--backend', 'pg', '--partition-key', partitionKey, '--app-id', appId]);
      const resumed = await runChatbot(resumeArgs, ['what is my name?'], { ...env, BURR_PG_URL: withPassword.href });
      expect(resumed.stderr).toBe('');
      expect(resumed.stdout).toContain("bot> You're Pat.");
      await deleteConversation(['--backend', 'pg', '--url', postgres.url, '--partition-key', partitionKey], appId);
    },
  );

  runPg(
    `pg: the database going away mid-chat is reported in plain words, and everything saved before stays${postgres && 'skip' in postgres ? ` (skipped, ${postgres.skip})` : ''}`,
    async () => {
      if (!postgres || !('url' in postgres)) return;
      const direct = new URL(postgres.url);
      // A real TCP proxy to the server; closing it cuts the chatbot's connection and refuses new ones.
      const proxy = await startFreezableProxy(Number(direct.port || 5432), direct.hostname);
      const viaProxy = new URL(postgres.url);
      viaProxy.port = String(proxy.port);
      const partitionKey = `chatbot-test-${randomUUID().slice(0, 8)}`;
      try {
        const chat = startChatbot(['--backend', 'pg', '--url', viaProxy.href, '--partition-key', partitionKey]);
        chat.child.stdin.write('my name is Pat\n');
        await chat.waitForOutput('bot> Nice to meet you, Pat!');
        await proxy.close();
        chat.child.stdin.end('what is my name?\n');
        const run = await chat.done;
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`Could not save your line: PostgreSQL at 127.0.0.1:${proxy.port}`);
        expect(run.stderr).toContain('Not saved: "what is my name?"; everything before it is.');
        expect(run.stderr).not.toContain('    at ');
        const appId = printedAppId(run.stdout);
        expect(run.stdout).toContain(`Bye! Conversation ${appId} saved up to step #1.`);

        const resumed = await runChatbot(['--backend', 'pg', '--url', postgres.url, '--partition-key', partitionKey, '--app-id', appId], ['what is my name?']);
        expect(resumed.stderr).toBe('');
        expect(resumed.stdout).toContain(`Resuming conversation ${appId} of "${partitionKey}" after step #1.`);
        expect(resumed.stdout).toContain("bot> You're Pat.");
        await deleteConversation(['--backend', 'pg', '--url', postgres.url, '--partition-key', partitionKey], appId);
      } finally {
        await proxy.close();
      }
    },
  );
});
