// After cleanup() no handle of ours is left: a child process that used persisters (and had their clients killed
// while node-redis reconnects) must exit by itself promptly once cleanup() has returned. Needs Redis
// (BURR_TEST_REDIS_URL), else skipped saying why; the shared cases of @burr/testkit.
import { provideRedis, runCleanupExitCases, type ScratchStores } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scratch } from './helpers.js';

/** One key namespace per child. */
function namespaces(url: string): ScratchStores {
  const made = scratch(url);
  return { next: () => made.namespace(), drop: () => made.drop() };
}

runCleanupExitCases(
  { describe, it, beforeAll, afterAll },
  { name: 'RedisPersister', packageDir: new URL('..', import.meta.url), server: await provideRedis(), stores: namespaces },
);
