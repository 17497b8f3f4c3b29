// After cleanup() no handle of ours is left: a child process that used a persister (had its connection killed,
// or talked to a server that never answers) must exit by itself promptly once cleanup() has returned.
import { fileURLToPath } from 'node:url';
import { provideMysql, runNode, startSilentServer } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { scratch } from './helpers.js';

/** How long after cleanup() the process may take to exit. */
const PROMPT_EXIT_MS = 2000;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function runChild(url: string, table: string, scenario: string) {
  const run = await runNode(['--import', 'tsx', 'test/child/cleanup-exits.ts', url, table, scenario], {
    cwd: packageDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
    timeoutMs: 30_000,
  });
  const cleaned = run.lines.find((line) => line.text === 'cleaned');
  expect({ timedOut: run.timedOut, code: run.code, stderr: run.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
  expect(cleaned).toBeDefined();
  expect(run.exitMs - cleaned!.atMs).toBeLessThan(PROMPT_EXIT_MS);
}

describe('MySQLPersister cleanup() in a child process, without a server', () => {
  it('silent server: the process exits by itself right after cleanup()', async () => {
    const server = await startSilentServer();
    try {
      await runChild(`mysql://root:pw@127.0.0.1:${server.port}/test`, 'burr_state', 'silent');
    } finally {
      await server.close();
    }
  });
});

const database = await provideMysql();

if ('skip' in database) {
  describe.skip(`MySQLPersister cleanup() in a child process [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const store = scratch(database.url);
  afterAll(async () => {
    await store.drop();
    await database.stop();
  });

  describe('MySQLPersister cleanup() in a child process', () => {
    for (const scenario of ['plain', 'after-cut']) {
      it(`${scenario}: the process exits by itself right after cleanup()`, () => runChild(database.url, store.table(), scenario));
    }
  });
}
