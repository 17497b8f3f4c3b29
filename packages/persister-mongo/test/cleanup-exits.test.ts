// After cleanup() no handle of ours is left: a child process whose persister failed to reach MongoDB must exit by
// itself promptly once cleanup() has returned (needs no MongoDB server).
import { fileURLToPath } from 'node:url';
import { closedPort, runNode } from '@burr/testkit';
import { describe, expect, it } from 'vitest';

/** How long after cleanup() the process may take to exit. */
const PROMPT_EXIT_MS = 2000;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('MongoDBPersister cleanup() in a child process', () => {
  it('after a refused connection: the process exits by itself right after cleanup()', async () => {
    const run = await runNode(['--import', 'tsx', 'test/child/cleanup-exits.ts', `mongodb://127.0.0.1:${await closedPort()}/?directConnection=true`], {
      cwd: packageDir,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
      timeoutMs: 30_000,
    });
    const cleaned = run.lines.find((line) => line.text === 'cleaned');
    expect({ timedOut: run.timedOut, code: run.code, stderr: run.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
    expect(cleaned).toBeDefined();
    expect(run.exitMs - cleaned!.atMs).toBeLessThan(PROMPT_EXIT_MS);
    expect(run.stdout).toContain('failed BURR_PERSISTER_UNAVAILABLE');
  });
});
