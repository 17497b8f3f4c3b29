// After cleanup() no handle of ours is left: a child process whose persister failed to reach MongoDB must exit by
// itself promptly once cleanup() has returned (needs no MongoDB server; the shared cases of @burr/testkit).
import { closedPort, runCleanupExitCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'MongoDBPersister',
    packageDir: new URL('..', import.meta.url),
    cases: {
      'after a refused connection': {
        args: async () => [`mongodb://127.0.0.1:${await closedPort()}/?directConnection=true`],
        prints: 'failed BURR_PERSISTER_UNAVAILABLE',
      },
    },
  },
);
