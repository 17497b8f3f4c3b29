// After cleanup() no handle of ours is left: a child process that used a persister must exit by itself promptly
// once cleanup() has returned, on a local file and after a remote connection failed.
import { fileURLToPath } from 'node:url';
import { closedPort, runNode } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

/** How long after cleanup() the process may take to exit. */
const PROMPT_EXIT_MS = 2000;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const files = tempDir('libsql-exit');
afterAll(() => files.remove());

describe('LibSQLPersister cleanup() in a child process', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ['local file', async () => files.url('exit.db')],
    ['remote http, refused', async () => `http://127.0.0.1:${await closedPort()}`],
    ['remote ws, refused', async () => `ws://127.0.0.1:${await closedPort()}`],
  ];
  for (const [label, url] of cases) {
    it(`${label}: the process exits by itself right after cleanup()`, async () => {
      const run = await runNode(['--import', 'tsx', 'test/child/cleanup-exits.ts', await url()], {
        cwd: packageDir,
        env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
        timeoutMs: 30_000,
      });
      const cleaned = run.lines.find((line) => line.text === 'cleaned');
      expect({ timedOut: run.timedOut, code: run.code, stderr: run.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
      expect(cleaned).toBeDefined();
      expect(run.exitMs - cleaned!.atMs).toBeLessThan(PROMPT_EXIT_MS);
      if (label.startsWith('remote')) expect(run.stdout).toContain('failed BURR_PERSISTER_UNAVAILABLE');
    });
  }
});
