import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLitePersister } from '@burr/persister-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedAppId, runChatbot } from './run-built-chatbot.js';

// One conversation story, step by step: each test continues from the one before.
describe('the built chatbot on a SQLite file (piped input)', () => {
  let dir: string;
  let dbPath: string;
  let db: string[];
  let firstAppId: string;
  let forkAppId: string;
  let latestForkAppId: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-'));
    dbPath = join(dir, 'nested', 'chat.db');
    db = ['--db', dbPath, '--partition-key', 'ada'];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function latestStep(appId: string) {
    await using persister = SQLitePersister.fromValues({ dbPath });
    return await persister.load('ada', appId);
  }

  it('chats two turns and ends with exit; every step is saved', async () => {
    const run = await runChatbot(db, ['hello', 'my name is Ada', 'exit']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    firstAppId = printedAppId(run.stdout);
    const short = firstAppId.slice(0, 8);
    expect(run.stdout).toContain(`[app ${short}… #-] you> hello`);
    expect(run.stdout).toContain("bot> Hello! I'm the Burr offline bot.");
    expect(run.stdout).toContain(`[app ${short}… #1] you> my name is Ada`);
    expect(run.stdout).toContain('bot> Nice to meet you, Ada!');
    expect(run.stdout).toContain(`[app ${short}… #3] you> exit`);
    expect(run.stdout).toContain(`Conversation ended (saved up to step #5). Pick it up again any time: pnpm chatbot --db ${dbPath} --partition-key ada --app-id ${firstAppId}`);

    // human #0, ai #1, human #2, ai #3, human "exit" #4, terminal #5.
    const latest = await latestStep(firstAppId);
    expect(latest).toMatchObject({ sequenceId: 5, position: 'terminal', status: 'completed' });
    expect(latest?.state.get('chat_history')).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: `Hello! I'm the Burr offline bot. Tell me your name ("my name is ...") or ask me anything.` },
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: "Nice to meet you, Ada! I'll remember that (it's in the saved state now)." },
      { role: 'user', content: 'exit' },
    ]);
  });

  it('resumes the same app id after exit: the history and the sequence ids continue', async () => {
    const run = await runChatbot([...db, '--app-id', firstAppId], ['what is my name?', '/history']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Resuming conversation ${firstAppId} of "ada" after step #5.`);
    // The recap shows the earlier turns before the first prompt.
    expect(run.stdout.indexOf('bot> Nice to meet you, Ada!')).toBeLessThan(run.stdout.indexOf('you> what is my name?'));
    expect(run.stdout).toContain(`[app ${firstAppId.slice(0, 8)}… #5] you> what is my name?`);
    expect(run.stdout).toContain("bot> You're Ada. I read it back from the saved chat history.");
    // /history numbers each message with the step that added it; #5 (terminal) added none.
    expect(run.stdout).toMatch(/^#0 you> hello\n#1 bot> Hello!/m);
    expect(run.stdout).toMatch(/^#4 you> exit\n#6 you> what is my name\?\n#7 bot> You're Ada/m);
    // End of input leaves without a fake "exit" turn.
    expect(run.stdout).toContain(`Bye! Conversation ${firstAppId} saved up to step #7.`);
    const latest = await latestStep(firstAppId);
    expect(latest).toMatchObject({ sequenceId: 7, position: 'ai_converse', status: 'completed' });
    expect(latest?.state.get('chat_history')).toHaveLength(7);
  });

  it('forks from an earlier sequence id into a new app with the shorter history', async () => {
    // Step #1 is the bot's first answer: the fork keeps the "hello" turn only, from before the name.
    const run = await runChatbot([...db, '--fork-from', firstAppId, '--at', '1'], ['/history', 'what is my name?']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    forkAppId = printedAppId(run.stdout);
    expect(forkAppId).not.toBe(firstAppId);
    expect(run.stdout).toContain(`Forked conversation ${firstAppId} at step #1 into a new conversation ${forkAppId}.`);
    expect(run.stdout).toContain(`[app ${forkAppId.slice(0, 8)}… #1] you> /history`);
    expect(run.stdout).not.toContain('Ada');
    expect(run.stdout).toContain("bot> You haven't told me your name in this conversation yet.");
    const forked = await latestStep(forkAppId);
    expect(forked).toMatchObject({ sequenceId: 3, position: 'ai_converse' });
    expect((forked!.state.get('chat_history') as Array<{ content: string }>).map((m) => m.content)).toEqual([
      'hello',
      `Hello! I'm the Burr offline bot. Tell me your name ("my name is ...") or ask me anything.`,
      'what is my name?',
      "You haven't told me your name in this conversation yet.",
    ]);
    // The source is untouched.
    expect(await latestStep(firstAppId)).toMatchObject({ sequenceId: 7 });
  });

  it('a fork at a question that had no answer yet answers it first', async () => {
    const run = await runChatbot([...db, '--fork-from', firstAppId, '--at', '2'], []);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    latestForkAppId = printedAppId(run.stdout);
    expect(run.stdout).toContain('(the last question has no reply yet; answering it now)\nbot> Nice to meet you, Ada!');
    expect(await latestStep(latestForkAppId)).toMatchObject({ sequenceId: 3, position: 'ai_converse' });
  });

  it('leaving a fork before its first step stores nothing under the new id and says how to fork again', async () => {
    const run = await runChatbot([...db, '--fork-from', firstAppId, '--at', '1'], []);
    expect(run.code).toBe(0);
    const unsavedForkId = printedAppId(run.stdout);
    expect(run.stdout).toContain(`Nothing saved under ${unsavedForkId} yet`);
    expect(run.stdout).toContain(`--fork-from ${firstAppId} --at 1`);
    expect(run.stdout).not.toContain(`--app-id ${unsavedForkId}`);
    expect(await latestStep(unsavedForkId)).toBeNull();
  });

  it('--list shows the conversations most recently saved first with their last step', async () => {
    const run = await runChatbot([...db, '--list']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [title, header, ...rows] = run.stdout.trim().split('\n');
    expect(title).toBe('Conversations of "ada", most recently saved first:');
    expect(header).toMatch(/^ {2}APP ID +LAST STEP +STATUS +LAST SAVED$/);
    expect(rows.map((row) => row.trim().split(/\s+/).slice(0, 4).join(' '))).toEqual([
      `${latestForkAppId} #3 ai_converse completed`,
      `${forkAppId} #3 ai_converse completed`,
      `${firstAppId} #7 ai_converse completed`,
    ]);
  });

  it('--list of another partition is empty and says how to start', async () => {
    const run = await runChatbot(['--db', dbPath, '--partition-key', 'grace', '--list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No conversations for partition "grace" yet.');
  });

  it('a fork from a conversation that does not exist is a clear error', async () => {
    const run = await runChatbot([...db, '--fork-from', 'no-such-app', '--at', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No conversation "no-such-app" in partition "ada" to fork from; --list shows its conversations.');
  });

  it('--at past the last step names the last step, and nothing is saved', async () => {
    const run = await runChatbot([...db, '--fork-from', firstAppId, '--at', '99'], ['never sent']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Cannot fork at --at 99: conversation ${firstAppId} has steps #0 to #7, and its last step is #7.`);
    expect(run.stdout).toBe('');
  });

  it('--at before the first step of a fork says where the fork starts', async () => {
    const run = await runChatbot([...db, '--fork-from', forkAppId, '--at', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`conversation ${forkAppId} has steps #2 to #3, and it starts at #2 (it is a fork`);
  });

  it('--app-id of no saved conversation says so before starting one under that id', async () => {
    const appId = '00000000-0000-4000-8000-000000000001';
    const run = await runChatbot([...db, '--app-id', appId], ['hello']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`No conversation ${appId} in partition "ada"; starting a new one under that id.\nNew conversation ${appId} for "ada".`);
    expect(await latestStep(appId)).toMatchObject({ sequenceId: 1 });
  });
});

describe('the built chatbot with --storage incremental', () => {
  const dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-incremental-'));
  const dbPath = join(dir, 'chat.db');
  const args = ['--db', dbPath, '--storage', 'incremental', '--partition-key', 'ada'];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves each step as what it changed, resumes from there, and the hint repeats --storage', async () => {
    const first = await runChatbot(args, ['my name is Ada', 'exit']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const appId = printedAppId(first.stdout);
    expect(first.stdout).toContain(`Saved in sqlite ${dbPath}, incremental storage;`);
    expect(first.stdout).toContain(`pnpm chatbot --db ${dbPath} --storage incremental --partition-key ada --app-id ${appId}`);
    const resumed = await runChatbot([...args, '--app-id', appId], ['what is my name?']);
    expect([resumed.code, resumed.stderr]).toEqual([0, '']);
    expect(resumed.stdout).toContain(`Resuming conversation ${appId} of "ada" after step #3.`);
    expect(resumed.stdout).toContain("bot> You're Ada.");
    await using incremental = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    expect((await incremental.listSteps('ada', appId)).steps).toHaveLength(6);
    // Python Burr's table is never written in this mode: here it was never even created.
    expect(incremental.client.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'burr_state'").pluck().get()).toBe(0);
    // The same conversation without --storage: refused by name at start, before a message is typed or anything written, exit code 1.
    const other = await runChatbot(['--db', dbPath, '--partition-key', 'ada', '--app-id', appId], ['hello?']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`conversation ${appId} is not stored with --storage full.`);
    expect(other.stderr).toContain('This conversation is stored with --storage incremental: add that option (or move it with burr convert).');
    expect(other.stdout).not.toContain('you>');
    expect(incremental.client.prepare('SELECT count(*) FROM burr_state').pluck().get()).toBe(0);
  });
});
