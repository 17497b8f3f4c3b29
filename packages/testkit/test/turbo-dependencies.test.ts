// The README-example and packed-install tests, and the declaration checks of the typecheck task, pack every published
// package. Packing one while turbo builds it (tsup --clean) packs a half-written dist/ (seen in CI: a tarball of
// @burr/inspector without its .d.ts), so the testkit's test and typecheck tasks must wait for every one of those
// builds: packages/testkit/turbo.json lists them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBuilt, manifestOutputs, PUBLISHED_PACKAGES, repoRoot } from './support/packed-project.js';

describe("the testkit's test and typecheck tasks", () => {
  it.each(['test', 'typecheck'])('%s waits for the build of every published package it packs', (task) => {
    const config = JSON.parse(readFileSync(join(repoRoot, 'packages/testkit/turbo.json'), 'utf8')) as { tasks: Record<string, { dependsOn: string[] }> };
    const { dependsOn } = config.tasks[task]!;
    const waitsFor = new Set(dependsOn.filter((task) => task.endsWith('#build')).map((task) => task.slice(0, -'#build'.length)));
    // The testkit packs itself too: its own build ("build"); @burr/core is one of its dependencies ("^build").
    if (dependsOn.includes('build')) waitsFor.add('@burr/testkit');
    if (dependsOn.includes('^build')) waitsFor.add('@burr/core');
    expect(Object.keys(PUBLISHED_PACKAGES).filter((name) => !waitsFor.has(name))).toEqual([]);
  });
});

describe('whether a package is built (the packing tests rebuild one that is not)', () => {
  // A rebuild runs tsup --clean, which empties dist/ while that package's own tests may be running from it: seen in
  // CI, burr-inspect's dist/bin.js missing mid-test, when the check looked for a CommonJS file that the ESM-only CLI
  // and inspector never have. So it reads the outputs from the manifest.
  it.each(Object.entries(PUBLISHED_PACKAGES))('%s: its manifest names files under dist/ only', (_name, dir) => {
    const outputs = manifestOutputs(dir);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.filter((file) => !file.startsWith(join(dir, 'dist/')))).toEqual([]);
  });

  it('an ESM-only package with every output newer than its sources is built; a missing output or a newer source is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'burr-built-'));
    try {
      const write = (file: string, at: number) => {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), '');
        utimesSync(join(dir, file), at, at);
      };
      const manifest = { name: 'x', exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' }, bin: { x: './dist/bin.js' } };
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
      utimesSync(join(dir, 'package.json'), 1000, 1000);
      write('src/index.ts', 1000);
      for (const file of ['dist/index.d.ts', 'dist/index.js', 'dist/bin.js']) write(file, 2000);
      expect(isBuilt(dir)).toBe(true);
      write('src/index.ts', 3000);
      expect(isBuilt(dir)).toBe(false);
      write('src/index.ts', 1000);
      rmSync(join(dir, 'dist/bin.js'));
      expect(isBuilt(dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
