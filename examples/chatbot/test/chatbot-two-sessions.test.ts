import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLitePersister } from '@burr/persister-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedAppId, runChatbot, startChatbot } from './run-built-chatbot.js';

describe('the same conversation open in two sessions', () => {
  let dir: string;
  let dbPath: string;
  let db: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-two-'));
    dbPath = join(dir, 'chat.db');
    db = ['--db', dbPath, '--partition-key', 'duo'];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the session that saves second reloads, says what happened, and sends its line after the other one', async () => {
    const first = await runChatbot(db, ['my name is Ada']);
    const appId = printedAppId(first.stdout);
    const short = appId.slice(0, 8);

    // Session two opens the conversation at step #1 and waits; session one then saves steps #2 and #3.
    const two = startChatbot([...db, '--app-id', appId]);
    await two.waitForOutput('Resuming conversation');
    const one = await runChatbot([...db, '--app-id', appId], ['hi from the first terminal']);
    expect(one.code).toBe(0);
    two.child.stdin.end('what is my name?\n');
    const run = await two.done;

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`[app ${short}… #1] you> what is my name?`);
    expect(run.stdout).toContain(
      'This conversation is open somewhere else too, and step #3 was saved there first. Reloaded it.\nAdded there:\nyou> hi from the first terminal\nbot> ',
    );
    expect(run.stdout).toContain(`(sending your line again, after them)\n[app ${short}… #3] you> what is my name?\nbot> You're Ada.`);
    expect(run.stdout).toContain(`Bye! Conversation ${appId} saved up to step #5.`);

    await using persister = SQLitePersister.fromValues({ dbPath });
    const latest = await persister.load('duo', appId);
    expect(latest).toMatchObject({ sequenceId: 5, position: 'ai_converse', status: 'completed' });
    const contents = (latest!.state.get('chat_history') as Array<{ role: string; content: string }>).map((m) => `${m.role}: ${m.content}`);
    expect(contents).toHaveLength(6);
    expect(contents.filter((line) => line.startsWith('user: '))).toEqual(['user: my name is Ada', 'user: hi from the first terminal', 'user: what is my name?']);
  });
});

describe('reading commands on a read-only database', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-ro-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Root may write to any file, so as root the chatbot runs as "nobody" to meet a read-only file for real.
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};
  // "nobody" must be able to run this Node binary (one kept under /root is not).
  const nobodyCannotRunNode = asRoot && spawnSync(process.execPath, ['--version'], runAs).status !== 0;

  it.skipIf(nobodyCannotRunNode)(
    `--list works on a read-only file and writes nothing${nobodyCannotRunNode ? ` [skipped: user "nobody" cannot run ${process.execPath}]` : ''}`,
    async () => {
      const dbPath = join(dir, 'ro.db');
      const first = await runChatbot(['--db', dbPath, '--partition-key', 'ro'], ['hello']);
      const appId = printedAppId(first.stdout);
      chmodSync(dbPath, 0o444);
      chmodSync(dir, 0o777);
      const list = await runChatbot(['--db', dbPath, '--partition-key', 'ro', '--list'], [], undefined, runAs);
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^  ${appId}  #1 ai_converse  completed  `, 'm'));
    },
  );

  it('--list of a file that does not exist says there is nothing yet, and does not create it', async () => {
    const dbPath = join(dir, 'missing', 'none.db');
    const list = await runChatbot(['--db', dbPath, '--partition-key', 'ro', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No conversations for partition "ro" yet.');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
