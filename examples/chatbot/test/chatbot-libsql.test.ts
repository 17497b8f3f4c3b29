import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LibSQLPersister } from '@burr/persister-libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedAppId, runChatbot } from './run-built-chatbot.js';

describe('the built chatbot on libSQL', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-libsql-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chats, resumes, lists and deletes with a file: URL', async () => {
    const url = pathToFileURL(join(dir, 'chat.db')).href;
    const args = ['--backend', 'libsql', '--url', url, '--partition-key', 'lin'];
    const first = await runChatbot(args, ['my name is Lin', 'exit']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Saved in libsql ${url};`);
    const appId = printedAppId(first.stdout);
    // A conversation whose latest step is the terminal one is listed as ended.
    const ended = await runChatbot([...args, '--list']);
    expect(ended.stdout).toMatch(new RegExp(`^  ${appId}  #3 terminal  +completed  [-\\d: ]+  \\(ended\\)$`, 'm'));

    const resumed = await runChatbot([...args, '--app-id', appId], ['what is my name?']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming conversation ${appId} of "lin" after step #3.`);
    expect(resumed.stdout).toContain(`[app ${appId.slice(0, 8)}… #3] you> what is my name?`);
    expect(resumed.stdout).toContain("bot> You're Lin.");

    const list = await runChatbot([...args, '--list']);
    expect(list.stdout).toMatch(new RegExp(`^  ${appId}  #5 ai_converse  completed  `, 'm'));

    await using persister = LibSQLPersister.fromValues({ url });
    expect(await persister.load('lin', appId)).toMatchObject({ sequenceId: 5, position: 'ai_converse', status: 'completed' });

    const deleted = await runChatbot([...args, '--delete', appId, '--yes']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`Deleted conversation ${appId} of "lin": 6 steps removed.\n`);
    expect(await persister.load('lin', appId)).toBeNull();
  });

  it('with --db, the file is created where asked, missing folders included', async () => {
    const dbPath = join(dir, 'new', 'folder', 'chat.db');
    const run = await runChatbot(['--backend', 'libsql', '--db', dbPath, '--partition-key', 'lin'], ['hi']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const appId = printedAppId(run.stdout);
    await using persister = LibSQLPersister.fromValues({ url: pathToFileURL(dbPath).href });
    expect(await persister.load('lin', appId)).toMatchObject({ sequenceId: 1 });
  });
});
