// The built `burr` command as a user runs it: a real process, real streams, the persister package resolved from node_modules.
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/build.js';
import { BIN, runBin, seed } from './support/run-cli.js';

const dir = temporaryDirectory('cli-bin');
afterAll(() => dir.remove());
beforeAll(() => ensureBuilt(), 120_000);

describe('the burr bin', () => {
  it('prints the command list for --help', async () => {
    const run = await runBin(BIN, ['--help'], { cwd: dir.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^burr: look into a Burr state store/);
    expect(run.stdout).toMatch(/^ {2}prune\s/m);
  });

  it('reads a SQLite file given by a relative sqlite: URL, as a table and as JSON', async () => {
    const persister = SQLitePersister.fromValues({ dbPath: dir.path('app.db') });
    await persister.initialize();
    await seed(persister, [
      { appId: 'first', steps: 3 },
      { appId: 'second', steps: 5 },
    ]);
    await persister.cleanup();

    const table = await runBin(BIN, ['apps', 'sqlite:./app.db'], { cwd: dir.dir });
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^APP ID +LAST SEQ +POSITION +STATUS +LAST SAVED \(UTC\)\nsecond +4 +ask +completed +\d{4}-.*\nfirst +2 +ask +completed +\d{4}-/);

    const json = await runBin(BIN, ['steps', 'first', '--json', '--oldest-first'], { cwd: dir.dir, env: { ...process.env, BURR_URL: 'sqlite:./app.db' } });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { steps: Array<{ sequenceId: number }> }).steps.map((step) => step.sequenceId)).toEqual([0, 1, 2]);

    const shown = await runBin(BIN, ['show', 'sqlite:./app.db', 'second', '2', '--json'], { cwd: dir.dir });
    expect(JSON.parse(shown.stdout)).toMatchObject({ sequenceId: 2, state: { turn: 2, tags: { __burr_serde__: 'set', value: ['a', 'b'] } } });
  });

  it('refuses to delete without --yes when stdin is a pipe, and deletes with it', async () => {
    const persister = SQLitePersister.fromValues({ dbPath: dir.path('delete.db') });
    await persister.initialize();
    await seed(persister, [{ appId: 'doomed', steps: 4 }]);
    const refused = await runBin(BIN, ['delete', 'sqlite:./delete.db', 'doomed'], { cwd: dir.dir, input: 'y\n' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('burr delete: refusing to delete without --yes: standard input is not a terminal, so nobody can confirm\n');
    expect((await persister.listSteps('', 'doomed')).steps).toHaveLength(4);
    const deleted = await runBin(BIN, ['delete', 'sqlite:./delete.db', 'doomed', '--yes'], { cwd: dir.dir });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('Deleted 4 steps of app "doomed" in partition "".\n');
    expect((await persister.listSteps('', 'doomed')).steps).toHaveLength(0);
    await persister.cleanup();
  });

  it('names the package to install when the backend is missing (exit code 2)', async () => {
    // The CLI installed on its own: its dist, its package.json, and @burr/core; no persister package.
    const lonely = dir.path('lonely');
    const cliDir = fileURLToPath(new URL('../', import.meta.url));
    mkdirSync(`${lonely}/node_modules/@burr`, { recursive: true });
    cpSync(`${cliDir}dist`, `${lonely}/cli/dist`, { recursive: true });
    cpSync(`${cliDir}package.json`, `${lonely}/cli/package.json`);
    symlinkSync(fileURLToPath(new URL('../../core', import.meta.url)), `${lonely}/node_modules/@burr/core`, 'dir');
    writeFileSync(`${lonely}/empty.db`, '');
    const run = await runBin(`${lonely}/cli/dist/bin.js`, ['apps', 'sqlite:./empty.db'], { cwd: lonely });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('burr apps: sqlite URLs need the package @burr/persister-sqlite, which is not installed: npm install @burr/persister-sqlite\n');
    const pg = await runBin(`${lonely}/cli/dist/bin.js`, ['apps', 'postgres://u:topsecret@127.0.0.1:1/db', '--json'], { cwd: lonely });
    expect(pg.code).toBe(2);
    expect(JSON.parse(pg.stdout)).toEqual({
      error: { code: 'BURR_CLI_USAGE', message: 'pg URLs need the package @burr/persister-pg, which is not installed: npm install @burr/persister-pg' },
    });
  });

  it('exits 0 quietly when the reader of its output goes away', async () => {
    const persister = SQLitePersister.fromValues({ dbPath: dir.path('many.db') });
    await persister.initialize();
    // 1000 rows are about 70 KB, more than a pipe holds, so the writes outlive the reader (without the EPIPE handler: exit 1 and a stack trace).
    await seed(
      persister,
      Array.from({ length: 1000 }, (_, index) => ({ appId: `app-${String(index).padStart(4, '0')}`, steps: 1 })),
    );
    await persister.cleanup();
    const { spawn } = await import('node:child_process');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'apps', 'sqlite:./many.db', '--limit', '1000'], { cwd: dir.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (exit) => {
        expect(stderr).toBe('');
        resolve(exit);
      });
    });
    expect(code).toBe(0);
  });
});
