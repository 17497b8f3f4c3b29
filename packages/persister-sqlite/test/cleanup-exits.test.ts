// After cleanup() no handle of ours is left: a child process that used a persister must exit by itself promptly
// once cleanup() has returned (the shared cases of @burr/testkit; the child is test/child/cleanup-exits.ts).
import { runCleanupExitCases, temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';

const dir = temporaryDirectory('sqlite-exit');
afterAll(() => dir.remove());

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  { name: 'SQLitePersister', packageDir: new URL('..', import.meta.url), cases: { 'local file': { args: () => [dir.path('exit.db')] } } },
);
