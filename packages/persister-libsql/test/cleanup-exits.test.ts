// After cleanup() no handle of ours is left: a child process that used a persister must exit by itself promptly
// once cleanup() has returned, on a local file and after a remote connection failed (the shared cases of
// @burr/testkit; the child is test/child/cleanup-exits.ts).
import { closedPort, runCleanupExitCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { tempDir } from './helpers.js';

const files = tempDir('libsql-exit');
afterAll(() => files.remove());
const failed = 'failed BURR_PERSISTER_UNAVAILABLE';

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'LibSQLPersister',
    packageDir: new URL('..', import.meta.url),
    cases: {
      'local file': { args: () => [files.url('exit.db')] },
      'remote http, refused': { args: async () => [`http://127.0.0.1:${await closedPort()}`], prints: failed },
      'remote ws, refused': { args: async () => [`ws://127.0.0.1:${await closedPort()}`], prints: failed },
    },
  },
);
