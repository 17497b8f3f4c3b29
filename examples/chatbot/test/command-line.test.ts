import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatEnv, closedPort, printedAppId, runChatbot } from './run-built-chatbot.js';

describe('the built chatbot command line', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burr-chatbot-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints the usage and exits 0', async () => {
    const run = await runChatbot(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: pnpm chatbot [options]');
    expect(run.stdout).toContain('--fork-from ID');
  });

  it('a bad --backend is a clear error with exit code 2', async () => {
    const run = await runChatbot(['--backend', 'oracle']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('chatbot: Unknown backend "oracle"; choose one of: sqlite, libsql, pg, mysql, redis, mongo.');
    expect(run.stderr).toContain('Run with --help for the options.');
  });

  it.each([
    [['--colour'], "Unknown option '--colour'"],
    [['--at', '3'], '--at goes with --fork-from'],
    [['--fork-from', 'x', '--at', 'three'], `--at takes a step's sequence id (0, 1, 2..., as /history shows them), not "three"`],
    [['--fork-from', 'x', '--at', '-1'], `--at takes a step's sequence id (0, 1, 2..., as /history shows them), not "-1"`],
    [['--at', '-1', '--fork-from', 'x'], `not "-1"`],
    [['--backend', 'redis', '--db', 'x.db'], '--db is a file path for the sqlite and libsql backends'],
    [['--list', '--app-id', 'x'], '--list lists a partition'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const run = await runChatbot(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('a server backend without a URL names the flag and the environment variables', async () => {
    const env = chatEnv();
    for (const name of ['BURR_PG_URL', 'DATABASE_URL']) delete env[name];
    const run = await runChatbot(['--backend', 'pg'], [], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The pg backend needs a server URL: pass --url postgres://user:password@localhost:5432/dbname or set BURR_PG_URL or DATABASE_URL.');
  });

  it('an unreachable server is reported in one line with exit code 1', async () => {
    const port = await closedPort();
    const run = await runChatbot(['--backend', 'redis', '--url', `redis://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^chatbot: Could not open redis redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`, 'm'));
    expect(run.stderr).not.toContain('BURR_');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('forking into an app id that already exists is refused, and nothing is written to it', async () => {
    const db = ['--db', join(dir, 'cli.db'), '--partition-key', 'cli'];
    const first = await runChatbot(db, ['hello']);
    const appId = printedAppId(first.stdout);
    const second = await runChatbot(db, ['hello again']);
    const otherId = printedAppId(second.stdout);
    const run = await runChatbot([...db, '--fork-from', appId, '--app-id', otherId], ['should not be saved']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Conversation ${otherId} already exists; a fork goes into a new app id`);
    const list = await runChatbot([...db, '--list']);
    expect(list.stdout).toMatch(new RegExp(`^  ${otherId}  #1 ai_converse  completed  `, 'm'));
  });

  it('a blank partition key is refused', async () => {
    const run = await runChatbot(['--partition-key', '  ']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--partition-key needs a value.');
  });
});
