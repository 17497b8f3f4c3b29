import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { SkipReporter } from './scripts/skip-reporter.js';

const packagesDir = new URL('packages/', import.meta.url);

/**
 * Every workspace package under packages/ with a src/index.ts, by its
 * package.json name, so a new package resolves to its sources in every test
 * with no edit here.
 */
export function workspaceSources(): Map<string, string> {
  const sources = new Map<string, string>();
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = new URL(`${entry.name}/package.json`, packagesDir);
    const index = new URL(`${entry.name}/src/index.ts`, packagesDir);
    if (!existsSync(manifest) || !existsSync(index)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    // docs/tsconfig.json maps @burr/* to packages/*/src/index.ts, which holds only while folder and name agree.
    if (name !== `@burr/${entry.name}`) throw new Error(`packages/${entry.name}/package.json is named ${JSON.stringify(name)}; name it "@burr/${entry.name}"`);
    sources.set(name, fileURLToPath(index));
  }
  return sources;
}

/**
 * Vitest config every package uses: workspace packages resolve to their
 * sources, so tests never race a concurrent rebuild of another package's
 * dist/ and always see one copy of each module. Built output is checked
 * separately (publint, attw, and the packed-install test). Every skipped
 * test is recorded with its reason for the summary `pnpm test` ends with.
 * Test files of a worker share their imports (`isolate: false`): a file that
 * changes global state (a registered serde, an environment variable) puts it
 * back. Isolating each file imported everything again, file after file: 3.4x
 * the CPU time of the MongoDB package's run, most of a CI run's time.
 */
export function burrVitestConfig(test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    resolve: {
      alias: [...workspaceSources()].map(([name, file]) => ({
        find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
        replacement: file,
      })),
    },
    test: { testTimeout: 30_000, hookTimeout: 120_000, isolate: false, reporters: ['default', new SkipReporter()], ...test },
  });
}
