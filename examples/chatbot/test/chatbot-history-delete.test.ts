// The history and retention commands of the built chatbot on a SQLite file:
// --delete, /delete, --list paging, and /history on a long conversation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { State } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunOnTerminal, printedAppId, runChatbot, runChatbotOnTerminal } from './run-built-chatbot.js';

describe('the built chatbot deletes, pages and shows history', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-retention-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh database file and the flags that choose it, per test. */
  function freshDb(name: string) {
    const dbPath = join(dir, `${name}.db`);
    return { dbPath, args: ['--db', dbPath, '--partition-key', name] };
  }

  async function latestStep(dbPath: string, partitionKey: string, appId: string) {
    await using persister = SQLitePersister.fromValues({ dbPath });
    return await persister.load(partitionKey, appId);
  }

  describe('--delete APP_ID', () => {
    it('with --yes deletes every step, says how many, and leaves other conversations alone', async () => {
      const { dbPath, args } = freshDb('del-yes');
      const doomed = printedAppId((await runChatbot(args, ['hello', 'my name is Ada'])).stdout);
      const kept = printedAppId((await runChatbot(args, ['hello'])).stdout);

      const run = await runChatbot([...args, '--delete', doomed, '--yes']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`Deleted conversation ${doomed} of "del-yes": 4 steps removed.\n`);
      expect(await latestStep(dbPath, 'del-yes', doomed)).toBeNull();
      expect(await latestStep(dbPath, 'del-yes', kept)).toMatchObject({ sequenceId: 1 });

      const list = await runChatbot([...args, '--list']);
      expect(list.stdout).toContain(kept);
      expect(list.stdout).not.toContain(doomed);

      // Deleting again: it is gone, which is a failure to delete.
      const again = await runChatbot([...args, '--delete', doomed, '--yes']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`No conversation ${doomed} in partition "del-yes"; nothing deleted.`);
    });

    it('without a terminal and without --yes refuses, and deletes nothing', async () => {
      const { dbPath, args } = freshDb('del-refuse');
      const appId = printedAppId((await runChatbot(args, ['hello'])).stdout);
      // Piped input: even a "y" on it is not a confirmation.
      const run = await runChatbot([...args, '--delete', appId], ['y']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `Not deleting conversation ${appId} of "del-refuse" (2 steps): input is not a terminal, so there is no one to confirm. Add --yes to delete it without asking.`,
      );
      expect(await latestStep(dbPath, 'del-refuse', appId)).toMatchObject({ sequenceId: 1 });
    });

    it('an unknown app id says so with exit code 1, and a missing database file is not created', async () => {
      const { dbPath, args } = freshDb('del-unknown');
      const run = await runChatbot([...args, '--delete', 'no-such-conversation', '--yes']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('No conversation no-such-conversation in partition "del-unknown"; nothing deleted. --list shows its conversations.');
      const { existsSync } = await import('node:fs');
      expect(existsSync(dbPath)).toBe(false);
    });

    describe.skipIf(!canRunOnTerminal)(`on a terminal${canRunOnTerminal ? '' : ' [skipped: util-linux `script` is not installed to provide one]'}`, () => {
      it('asks first; "y" deletes', async () => {
        const { dbPath, args } = freshDb('del-tty-yes');
        const appId = printedAppId((await runChatbot(args, ['hello'])).stdout);
        const question = `Delete conversation ${appId} of "del-tty-yes" (2 steps)? This cannot be undone. [y/N] `;
        const run = await runChatbotOnTerminal([...args, '--delete', appId], question, 'y\r');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Deleted conversation ${appId} of "del-tty-yes": 2 steps removed.`);
        expect(await latestStep(dbPath, 'del-tty-yes', appId)).toBeNull();
      });

      it('Enter (the default, no) keeps it; so does Ctrl+C, with exit code 130', async () => {
        const { dbPath, args } = freshDb('del-tty-no');
        const appId = printedAppId((await runChatbot(args, ['hello'])).stdout);
        const question = '[y/N] ';
        const no = await runChatbotOnTerminal([...args, '--delete', appId], question, '\r');
        expect(no.code).toBe(0);
        expect(no.stdout).toContain(`Kept conversation ${appId} of "del-tty-no"; nothing deleted.`);
        const ctrlC = await runChatbotOnTerminal([...args, '--delete', appId], question, '\u0003');
        expect(ctrlC.code).toBe(130);
        expect(ctrlC.stdout).toContain('Cancelled; nothing deleted.');
        expect(await latestStep(dbPath, 'del-tty-no', appId)).toMatchObject({ sequenceId: 1 });
      });
    });
  });

  describe('/delete while chatting', () => {
    it('on "yes" deletes the conversation and ends the session, saying how to start a new one', async () => {
      const { dbPath, args } = freshDb('slash-del');
      const first = await runChatbot(args, ['hello']);
      const appId = printedAppId(first.stdout);
      const run = await runChatbot([...args, '--app-id', appId], ['my name is Ada', '/delete', 'yes', 'this line is never read']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `you> /delete\nDelete this conversation (4 steps)? [y/N] yes\nDeleted conversation ${appId}: 4 steps removed.\nNothing of it is left to resume. Start a new conversation: pnpm chatbot --db ${dbPath} --partition-key slash-del\n`,
      );
      expect(run.stdout).not.toContain('this line is never read');
      expect(run.stdout).not.toContain(`--app-id ${appId}`);
      expect(await latestStep(dbPath, 'slash-del', appId)).toBeNull();
    });

    it('on anything else (an empty line, "no") keeps it, and the chat goes on', async () => {
      const { dbPath, args } = freshDb('slash-keep');
      const run = await runChatbot(args, ['hello', '/delete', '', '/delete', 'no', 'what is 6 * 7?']);
      expect(run.code).toBe(0);
      const appId = printedAppId(run.stdout);
      expect(run.stdout).toContain('Delete this conversation (2 steps)? [y/N] \nNot deleted; the conversation goes on.');
      expect(run.stdout).toContain('Delete this conversation (2 steps)? [y/N] no\nNot deleted; the conversation goes on.');
      expect(run.stdout).toContain('bot> 6 * 7 = 42');
      expect(run.stdout).toContain(`Bye! Conversation ${appId} saved up to step #3.`);
      expect(await latestStep(dbPath, 'slash-keep', appId)).toMatchObject({ sequenceId: 3 });
    });

    it('with nothing saved yet, there is nothing to delete and nothing is asked', async () => {
      const { args } = freshDb('slash-empty');
      const run = await runChatbot(args, ['/delete', 'hello']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Nothing is saved under this conversation yet, so there is nothing to delete.');
      expect(run.stdout).not.toContain('[y/N]');
      expect(run.stdout).toContain("bot> Hello! I'm the Burr offline bot.");
    });
  });

  describe('--list pages', () => {
    const partitionKey = 'pages';
    let dbPath: string;
    let args: string[];
    /** App ids, most recently saved first. */
    const newestFirst: string[] = [];

    beforeAll(async () => {
      ({ dbPath, args } = freshDb(partitionKey));
      // Seven conversations saved straight into the store, one after the other (two steps each).
      await using persister = SQLitePersister.fromValues({ dbPath });
      await persister.initialize();
      for (let i = 1; i <= 7; i++) {
        const appId = `conversation-${i}`;
        const turn = [
          { role: 'user', content: `hello ${i}` },
          { role: 'assistant', content: `hi ${i}` },
        ];
        await persister.save({ partitionKey, appId, sequenceId: 0, position: 'human_converse', state: new State({ chat_history: turn.slice(0, 1) }), status: 'completed' });
        await persister.save({ partitionKey, appId, sequenceId: 1, position: 'ai_converse', state: new State({ chat_history: turn }), status: 'completed' });
        newestFirst.unshift(appId);
      }
    });

    /** The rows' app ids, and the arguments of the printed next-page command (without `pnpm chatbot`). */
    function readPage(stdout: string): { appIds: string[]; next: string[] | undefined } {
      const lines = stdout.trim().split('\n');
      const appIds = lines.filter((line) => /^ {2}conversation-\d/.test(line)).map((line) => line.trim().split(/\s+/)[0] ?? '');
      const next = /^Next page: pnpm chatbot (.+)$/m.exec(stdout)?.[1];
      if (next !== undefined) expect(next).not.toMatch(/['"\\]/);
      return { appIds, next: next?.split(' ') };
    }

    it('--limit 3 over seven conversations: three pages, each printing the command for the next, every conversation once', async () => {
      const pages: string[][] = [];
      let run = await runChatbot([...args, '--list', '--limit', '3']);
      for (;;) {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        const page = readPage(run.stdout);
        pages.push(page.appIds);
        if (!page.next) break;
        expect(page.next).toEqual([...args, '--list', '--limit', '3', '--more', expect.stringMatching(/^[\w-]+$/)]);
        run = await runChatbot(page.next);
      }
      expect(pages).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
      expect(run.stdout).toMatch(/^Conversations of "pages", most recently saved first \(continued\):$/m);
    });

    it('each row shows app id, last step, status and time; a page that holds the rest offers no next page', async () => {
      const run = await runChatbot([...args, '--list', '--limit', '7']);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toBe('Conversations of "pages", most recently saved first:');
      expect(lines[1]).toMatch(/^ {2}APP ID +LAST STEP +STATUS +LAST SAVED$/);
      expect(lines[2]).toMatch(/^ {2}conversation-7 {2}#1 ai_converse {2}completed {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(lines).toHaveLength(9);
      expect(run.stdout).not.toContain('Next page');
    });

    it('the default page is 20; a --more that is not a printed cursor is a usage error', async () => {
      expect(readPage((await runChatbot([...args, '--list'])).stdout).appIds).toEqual(newestFirst);
      const run = await runChatbot([...args, '--list', '--more', 'bm90LWEtY3Vyc29y']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--more bm90LWEtY3Vyc29y is not a cursor a --list page printed');
    });
  });

  describe('/history on a long conversation', () => {
    const partitionKey = 'long';
    let args: string[];
    let appId: string;

    beforeAll(async () => {
      ({ args } = freshDb(partitionKey));
      // 30 turns: steps #0 to #59, "line N" at step #2(N-1).
      const run = await runChatbot(
        args,
        Array.from({ length: 30 }, (_, i) => `line ${i + 1}`),
      );
      expect(run.code).toBe(0);
      appId = printedAppId(run.stdout);
      expect(run.stdout).toContain('saved up to step #59.');
    });

    it('shows the last 20 steps, and says how many earlier messages there are and how to see them', async () => {
      const run = await runChatbot([...args, '--app-id', appId], ['/history']);
      expect(run.stderr).toBe('');
      const history = run.stdout.slice(run.stdout.indexOf('you> /history\n'));
      expect(history).toContain('(40 earlier messages not shown: /history 40 shows the last 40 steps, /history all every message)\n#40 you> line 21\n#41 bot> ');
      expect(history).toMatch(/^#59 bot> Turn 30: you said "line 30"/m);
      expect(history).not.toContain('#39 ');
      expect(history).toContain(`Continue from any step in a new conversation: pnpm chatbot --db ${join(dir, 'long.db')} --partition-key long --fork-from ${appId} --at STEP`);
    });

    it('/history N and /history all show more; a bad argument gets a hint', async () => {
      const run = await runChatbot([...args, '--app-id', appId], ['/history 4', '/history all', '/history lots']);
      const [, four, all] = run.stdout.split('you> /history');
      expect(four).toContain('(56 earlier messages not shown: /history 8 shows the last 8 steps, /history all every message)\n#56 you> line 29\n');
      expect(four?.match(/^#\d+ /gm)).toHaveLength(4);
      expect(all).not.toContain('earlier messages');
      // Step numbers are right-aligned: " #0" under "#59".
      expect(all).toMatch(/^ #0 you> line 1\n #1 bot> /m);
      expect(all?.match(/^ ?#\d+ /gm)).toHaveLength(60);
      expect(run.stdout).toContain('/history takes a number of steps or "all": /history, /history 50, /history all.');
    });
  });
});
