/**
 * "Install only the backend you need", for types: every published package but
 * @burr/persister-sqlite (test/packed-install.test.ts installs that one and
 * runs it) is packed as published and installed with npm alone with
 * @burr/core (and the @burr packages it depends on) into a blank project,
 * where a strict `tsc` (no skipLibCheck) over an import of it must pass, with
 * the workspace's TypeScript and with TypeScript 7 as it comes (`types: []`):
 * no declaration may need a package the user did not get (TS7016 and
 * friends), nor Node's types left unloaded.
 *
 * Part of the testkit's `typecheck` task, not its tests: what it checks does
 * not depend on the Node that runs it, so turbo replays it from its cache
 * wherever the packages and this file are unchanged (CI's second Node line).
 * The registry is not in turbo's hash: after a dependency's release, `--force`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INSTALL_TIMEOUT_MS,
  PUBLISHED_PACKAGES,
  TSC_TIMEOUT_MS,
  TYPESCRIPT_7_FOR_USERS,
  TYPESCRIPT_FOR_USERS,
  WORKSPACE_TYPESCRIPT,
  installBlankProject,
  packWorkspacePackages,
  strictTsc,
  workspaceDependencies,
} from '../test/support/packed-project.js';

const work = mkdtempSync(join(tmpdir(), 'burr-packages-alone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed install: each published package alone with @burr/core has public types that resolve', () => {
  const alone = Object.keys(PUBLISHED_PACKAGES).filter((name) => name !== '@burr/core' && name !== '@burr/persister-sqlite');
  // The projects share one TypeScript and @types/node, installed in the folder above them: no @burr package or backend is there.
  const parent = join(work, 'alone');
  const projectOf = (name: string) => join(parent, `types-${name.replace(/\W+/g, '-')}`);

  beforeAll(async () => {
    const packed = await packWorkspacePackages(['@burr/core', ...alone], work);
    await installBlankProject(parent, { dependencies: [...TYPESCRIPT_FOR_USERS, TYPESCRIPT_7_FOR_USERS] });
    await Promise.all(
      alone.map(async (name) => {
        const project = projectOf(name);
        const burrDependencies = workspaceDependencies(name).map((dependency) => packed[dependency]!);
        await installBlankProject(project, { dependencies: [packed['@burr/core']!, packed[name]!, ...burrDependencies] });
        // Importing the package is enough: without skipLibCheck, tsc checks every declaration file it reaches.
        const use = `import * as burr from '${name}';\nexport const exported: string[] = Object.keys(burr);\n`;
        writeFileSync(join(project, 'use.mts'), use);
        writeFileSync(join(project, 'use.cts'), use);
      }),
    );
  }, INSTALL_TIMEOUT_MS + 120_000);

  for (const name of alone) {
    for (const compiler of ['typescript', 'typescript-7'] as const) {
      it(
        `${name}: strict tsc (no skipLibCheck) of ${compiler === 'typescript' ? `TypeScript ${WORKSPACE_TYPESCRIPT}` : 'TypeScript 7, its defaults (types: [])'} accepts an import of it, as ESM and as CommonJS`,
        async () => {
          const checked = await strictTsc(projectOf(name), ['use.mts', 'use.cts'], ['--noEmit'], compiler);
          expect(`${checked.stdout}${checked.stderr}`).toBe('');
          expect(checked.code).toBe(0);
        },
        TSC_TIMEOUT_MS,
      );
    }
  }
});
