import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { SkipReporter } from './scripts/skip-reporter.js';

const packageSources: Record<string, string> = {
  '@burr/core': 'packages/core/src/index.ts',
  '@burr/testkit': 'packages/testkit/src/index.ts',
  '@burr/tracking': 'packages/tracking/src/index.ts',
  '@burr/persister-sqlite': 'packages/persister-sqlite/src/index.ts',
  '@burr/persister-libsql': 'packages/persister-libsql/src/index.ts',
  '@burr/persister-pg': 'packages/persister-pg/src/index.ts',
  '@burr/persister-redis': 'packages/persister-redis/src/index.ts',
  '@burr/persister-mongo': 'packages/persister-mongo/src/index.ts',
};

/**
 * Vitest config every package uses: workspace packages resolve to their
 * sources, so tests never race a concurrent rebuild of another package's
 * dist/ and always see one copy of each module. Built output is checked
 * separately (publint, attw, and the packed-install test). Every skipped
 * test is recorded with its reason for the summary `pnpm test` ends with.
 */
export function burrVitestConfig(test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    resolve: {
      alias: Object.entries(packageSources).map(([name, file]) => ({
        find: new RegExp(`^${name.replace('/', '\\/')}$`),
        replacement: fileURLToPath(new URL(file, import.meta.url)),
      })),
    },
    test: { testTimeout: 30_000, hookTimeout: 120_000, reporters: ['default', new SkipReporter()], ...test },
  });
}
