// After cleanup() no handle of ours is left: a child process that used a persister (had its connection killed,
// or talked to a server that never answers) must exit by itself promptly once cleanup() has returned. The live
// cases need MySQL or MariaDB (BURR_TEST_MYSQL_URL), else skipped saying why; the shared cases of @burr/testkit.
import { provideMysql, runCleanupExitCases, startSilentServer, type SilentServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scratch } from './helpers.js';

let silent: SilentServer | undefined;

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'MySQLPersister',
    packageDir: new URL('..', import.meta.url),
    cases: {
      'silent server': {
        args: async () => {
          silent = await startSilentServer();
          return [`mysql://root:pw@127.0.0.1:${silent.port}/test`, 'burr_state', 'silent'];
        },
        prints: 'failed BURR_PERSISTER_UNAVAILABLE',
        after: async () => silent?.close(),
      },
    },
    server: await provideMysql(),
    stores: (url) => {
      const tables = scratch(url);
      return { next: () => tables.table(), drop: () => tables.drop() };
    },
  },
);
