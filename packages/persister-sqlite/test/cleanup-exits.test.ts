// After cleanup() no handle of ours is left: a child process that used a persister must exit by itself promptly
// once cleanup() has returned.
import { fileURLToPath } from 'node:url';
import { runNode, temporaryDirectory } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';

/** How long after cleanup() the process may take to exit. */
const PROMPT_EXIT_MS = 2000;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dir = temporaryDirectory('sqlite-exit');
afterAll(() => dir.remove());

describe('SQLitePersister cleanup() in a child process', () => {
  it('the process exits by itself right after cleanup()', async () => {
    const run = await runNode(['--import', 'tsx', 'test/child/cleanup-exits.ts', dir.path('exit.db')], {
      cwd: packageDir,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
      timeoutMs: 30_000,
    });
    const cleaned = run.lines.find((line) => line.text === 'cleaned');
    expect({ timedOut: run.timedOut, code: run.code, stderr: run.stderr }).toEqual({ timedOut: false, code: 0, stderr: '' });
    expect(cleaned).toBeDefined();
    expect(run.exitMs - cleaned!.atMs).toBeLessThan(PROMPT_EXIT_MS);
  });
});
