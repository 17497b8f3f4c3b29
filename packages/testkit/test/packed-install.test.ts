/**
 * "Install only the backend you need": packs @burr/core and
 * @burr/persister-sqlite as they would be published, installs just those two
 * tarballs with npm into an empty project (better-sqlite3 comes from the
 * registry), and runs an ESM and a CommonJS script that save, load and resume
 * an app. Slow (npm install compiles better-sqlite3 on a cold cache), so it
 * builds only when dist/ is missing or older than the sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = [
  { name: '@burr/core', dir: join(repoRoot, 'packages/core') },
  { name: '@burr/persister-sqlite', dir: join(repoRoot, 'packages/persister-sqlite') },
];
const INSTALL_TIMEOUT_MS = 6 * 60_000;

/** Newest modification time under `path` (files only). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

function isBuilt(dir: string): boolean {
  const output = join(dir, 'dist/index.cjs');
  if (!existsSync(output) || !existsSync(join(dir, 'dist/index.js'))) return false;
  return statSync(output).mtimeMs >= Math.max(newestMtime(join(dir, 'src')), newestMtime(join(dir, 'package.json')));
}

function run(command: string, args: string[], cwd: string, timeout = INSTALL_TIMEOUT_MS): string {
  // Build better-sqlite3 from source straight away (prebuild-install's download cannot succeed here and only
  // waits), on every core; ~/.npmrc's nodedir stays in effect.
  return execFileSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, JOBS: 'max', npm_config_build_from_source: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

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

describe('packed install: @burr/core + @burr/persister-sqlite only', () => {
  const work = mkdtempSync(join(tmpdir(), 'burr-packed-install-'));
  const project = join(work, 'project');

  beforeAll(() => {
    if (!PACKAGES.every((pkg) => isBuilt(pkg.dir))) {
      run('pnpm', [...PACKAGES.flatMap((pkg) => ['--filter', pkg.name]), 'build'], repoRoot);
    }
    const tarballs = PACKAGES.map((pkg) => {
      const printed = run('pnpm', ['pack', '--pack-destination', work], pkg.dir).trim().split('\n');
      return printed[printed.length - 1]!.trim();
    });
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'burr-packed-install-check', version: '1.0.0', private: true }, null, 2));
    writeFileSync(join(project, 'check.mjs'), ESM_SCRIPT);
    writeFileSync(join(project, 'check.cjs'), CJS_SCRIPT);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], project);
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs core, the SQLite persister and better-sqlite3, and no other backend', () => {
    const modules = join(project, 'node_modules');
    expect(readdirSync(join(modules, '@burr')).sort()).toEqual(['core', 'persister-sqlite']);
    expect(existsSync(join(modules, 'better-sqlite3/package.json'))).toBe(true);
    for (const other of ['@libsql', 'libsql', 'pg', 'postgres', 'redis', 'mongodb', 'testcontainers']) {
      expect(existsSync(join(modules, other)), `${other} must not be installed`).toBe(false);
    }
  });

  for (const script of ['check.mjs', 'check.cjs']) {
    it(`${script} saves, loads and resumes an app`, () => {
      const dbPath = join(work, `${script}.db`);
      const lines = run(process.execPath, [script, dbPath], project, 60_000).trim().split('\n');
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
