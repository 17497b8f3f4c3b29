// After cleanup() no handle of ours is left: a child process that used a persister (and had its connection cut)
// must exit by itself promptly once cleanup() has returned. Needs PostgreSQL (BURR_TEST_POSTGRES_URL), else the
// cases are skipped saying why; the shared cases of @burr/testkit, the child is test/child/cleanup-exits.ts.
import { providePostgres, runCleanupExitCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scratch } from './helpers.js';

const tables = (url: string) => {
  const made = scratch(url);
  return { next: () => made.table(), drop: made.drop };
};

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  { name: 'PostgreSQLPersister', packageDir: new URL('..', import.meta.url), server: await providePostgres(), stores: tables },
);
