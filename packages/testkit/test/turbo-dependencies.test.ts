// The README-example and packed-install tests pack every published package. Packing one while turbo builds it
// (tsup --clean) packs a half-written dist/ (seen in CI: a tarball of @burr/inspector without its .d.ts), so the
// testkit's test task must wait for every one of those builds: packages/testkit/turbo.json lists them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES, repoRoot } from './support/packed-project.js';

describe("the testkit's test task", () => {
  it('waits for the build of every published package it packs', () => {
    const config = JSON.parse(readFileSync(join(repoRoot, 'packages/testkit/turbo.json'), 'utf8')) as { tasks: { test: { dependsOn: string[] } } };
    const { dependsOn } = config.tasks.test;
    const waitsFor = new Set(dependsOn.filter((task) => task.endsWith('#build')).map((task) => task.slice(0, -'#build'.length)));
    // The testkit packs itself too: its own build ("build"); @burr/core is one of its dependencies ("^build").
    if (dependsOn.includes('build')) waitsFor.add('@burr/testkit');
    if (dependsOn.includes('^build')) waitsFor.add('@burr/core');
    expect(Object.keys(PUBLISHED_PACKAGES).filter((name) => !waitsFor.has(name))).toEqual([]);
  });
});
