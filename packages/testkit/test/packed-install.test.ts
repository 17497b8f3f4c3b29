/**
 * "Install only the backend you need": packs the workspace packages as they
 * would be published and installs them with npm into blank projects, as a
 * user would.
 * @burr/core + @burr/persister-sqlite only (better-sqlite3 from the
 * registry): an ESM and a CommonJS script save, load and resume an app, and a
 * strict `tsc` (no skipLibCheck) accepts code using the public types from ESM
 * and CommonJS.
 * Every other published package, each alone with @burr/core, is checked the
 * same way by declarations/packages-alone.check.ts, in the `typecheck` task.
 * Slow (npm install compiles better-sqlite3 on a cold cache); packages are
 * rebuilt only when dist/ is missing or older than the sources.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, TSC_TIMEOUT_MS, TYPESCRIPT_FOR_USERS, installBlankProject, packWorkspacePackages, runCommand, strictTsc } from './support/packed-project.js';

/** The script body, shared by the ESM and the CommonJS file; prints one JSON line. */
const SCRIPT_BODY = `
const dbPath = process.argv[2];
const counter = action({
  reads: ['count'],
  writes: ['count'],
  run: (state) => state.update({ count: state.get('count') + 1 }),
});
const counterApp = (persister) =>
  new ApplicationBuilder()
    .withActions({ counter, done: new Result('count') })
    .withTransitions(['counter', 'counter', expr((state) => state.get('count') < 5, 'count < 5')], ['counter', 'done'])
    .withIdentifiers({ appId: 'counter-app', partitionKey: 'user' })
    .withStatePersister(persister)
    .initializeFrom(persister, { resumeAtNextAction: true, defaultState: { count: 0 }, defaultEntrypoint: 'counter' })
    .build();

const first = SQLitePersister.fromValues({ dbPath });
await first.initialize();
await first.save({
  partitionKey: 'user',
  appId: 'direct',
  sequenceId: 0,
  position: 'start',
  state: new State({ greeting: 'h\\u00e9llo', big: 2n ** 70n, when: new Date(Date.UTC(2026, 0, 2)) }),
  status: 'completed',
});
const loaded = await first.load('user', 'direct');
const started = await counterApp(first);
await started.step();
await started.step();
await first.cleanup();

// A second "process": a new connection resumes the app where it stopped.
const second = SQLitePersister.fromValues({ dbPath });
const resumed = await counterApp(second);
const resumedAt = { count: resumed.state.get('count'), sequenceId: resumed.sequenceId };
await resumed.run({ haltAfter: ['done'] });
const latest = await second.load('user', 'counter-app');
const appIds = await second.listAppIds('user');
await second.cleanup();
console.log(JSON.stringify({
  loaded: { greeting: loaded.state.get('greeting'), big: String(loaded.state.get('big')), when: loaded.state.get('when').toISOString(), status: loaded.status },
  resumedAt,
  final: { count: resumed.state.get('count'), sequenceId: latest.sequenceId, position: latest.position, status: latest.status },
  appIds,
}));
`;

const ESM_SCRIPT = `import { ApplicationBuilder, Result, State, action, expr } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
${SCRIPT_BODY}`;

const CJS_SCRIPT = `const { ApplicationBuilder, Result, State, action, expr } = require('@burr/core');
const { SQLitePersister } = require('@burr/persister-sqlite');
(async () => {
${SCRIPT_BODY}
})().catch((error) => {
  console.error(error);
  process.exit(1);
});`;

/** Code a TypeScript user writes against the SQLite persister's public types; the same text as ESM and CommonJS. */
const TYPED_USE = `
export async function latestCount(dbPath: string): Promise<number | null> {
  const persister: BaseStatePersister = SQLitePersister.fromValues({ dbPath, tableName: 'burr_state' });
  const sqlite = SQLitePersister.fromValues({ dbPath });
  const mode: unknown = sqlite.client.pragma('journal_mode', { simple: true });
  const saved: PersistedStateData | null = await persister.load('user', 'counter-app');
  await sqlite.cleanup();
  return mode === undefined || saved === null ? null : (saved.state.get('count') as number);
}
`;
const TYPED_IMPORTS = `import type { BaseStatePersister, PersistedStateData } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
`;

const work = mkdtempSync(join(tmpdir(), 'burr-packed-install-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed install: @burr/core + @burr/persister-sqlite only', () => {
  const project = join(work, 'sqlite-project');

  beforeAll(async () => {
    const packed = await packWorkspacePackages(['@burr/core', '@burr/persister-sqlite'], work);
    await installBlankProject(project, { dependencies: [packed['@burr/core']!, packed['@burr/persister-sqlite']!, ...TYPESCRIPT_FOR_USERS] });
    writeFileSync(join(project, 'check.mjs'), ESM_SCRIPT);
    writeFileSync(join(project, 'check.cjs'), CJS_SCRIPT);
    writeFileSync(join(project, 'typed-use.mts'), `${TYPED_IMPORTS}${TYPED_USE}`);
    writeFileSync(join(project, 'typed-use.cts'), `${TYPED_IMPORTS}${TYPED_USE}`);
  }, INSTALL_TIMEOUT_MS + 120_000);

  it('installs core, the SQLite persister and better-sqlite3 (with its types), and no other backend', () => {
    const modules = join(project, 'node_modules');
    expect(readdirSync(join(modules, '@burr')).sort()).toEqual(['core', 'persister-sqlite']);
    expect(existsSync(join(modules, 'better-sqlite3/package.json'))).toBe(true);
    expect(existsSync(join(modules, '@types/better-sqlite3/package.json'))).toBe(true);
    for (const other of ['@libsql', 'libsql', 'pg', 'postgres', 'redis', 'mongodb', 'testcontainers']) {
      expect(existsSync(join(modules, other)), `${other} must not be installed`).toBe(false);
    }
  });

  it(
    'strict tsc (no skipLibCheck) accepts code using the public types, as ESM and as CommonJS',
    async () => {
      const checked = await strictTsc(project, ['typed-use.mts', 'typed-use.cts']);
      expect(`${checked.stdout}${checked.stderr}`).toBe('');
      expect(checked.code).toBe(0);
    },
    TSC_TIMEOUT_MS,
  );

  for (const script of ['check.mjs', 'check.cjs']) {
    it(`${script} saves, loads and resumes an app`, async () => {
      const dbPath = join(work, `${script}.db`);
      const result = await runCommand(process.execPath, [script, dbPath], { cwd: project, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trim().split('\n');
      const output = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
      expect(output).toEqual({
        loaded: { greeting: 'héllo', big: String(2n ** 70n), when: '2026-01-02T00:00:00.000Z', status: 'completed' },
        resumedAt: { count: 2, sequenceId: 1 },
        final: { count: 5, sequenceId: 5, position: 'done', status: 'completed' },
        appIds: ['counter-app', 'direct'],
      });
    });
  }
});
