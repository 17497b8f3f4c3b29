// burr convert, in-process (runBurr), against temporary SQLite files: both directions, scopes, dry runs, Ctrl-C and
// the re-run that finishes, and what it refuses. PostgreSQL: the same command on a server (BURR_TEST_POSTGRES_URL).
import { State, type BaseStatePersister } from '@burr/core';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { SQLitePersister } from '@burr/persister-sqlite';
import { providePostgres, temporaryDirectory, uniqueName } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { burr, seed, type SeedApp } from './support/run-cli.js';

const dir = temporaryDirectory('cli-convert');
afterAll(() => dir.remove());

let stores = 0;
/** A fresh SQLite file holding `apps` in full mode; its `sqlite:` URL and path. */
async function store(apps: readonly SeedApp[]): Promise<{ url: string; path: string }> {
  const path = dir.path(`convert-${++stores}.db`);
  await using persister = SQLitePersister.fromValues({ dbPath: path });
  await persister.initialize();
  await seed(persister, apps);
  return { url: `sqlite:${path}`, path };
}

/** The apps each mode holds, as `partition/app:steps`. */
async function appsByMode(path: string): Promise<{ full: string[]; incremental: string[] }> {
  const list = async (persister: BaseStatePersister): Promise<string[]> => {
    if (!(await persister.isInitialized())) return [];
    const found: string[] = [];
    for (const partitionKey of ['', 'tenant-7']) {
      for (const app of (await persister.listApps(partitionKey)).apps) {
        const { steps } = await persister.listSteps(partitionKey, app.appId, { limit: 1000 });
        found.push(`${partitionKey}/${app.appId}:${steps.length}`);
      }
    }
    return found.sort();
  };
  await using full = SQLitePersister.fromValues({ dbPath: path });
  await using incremental = SQLitePersister.fromValues({ dbPath: path, storage: 'incremental' });
  return { full: await list(full), incremental: await list(incremental) };
}

const APPS: SeedApp[] = [
  { appId: 'alpha', steps: 12 },
  { appId: 'beta', steps: 7 },
  { partitionKey: 'tenant-7', appId: 'delta', steps: 5 },
];

describe('--storage on the other commands', () => {
  it('reads and changes the incremental storage of a SQL table; other words and convert refuse it', async () => {
    const { url } = await store(APPS);
    expect((await burr(['convert', url, '--to', 'incremental'])).code).toBe(0);
    const stepsOf = async (appId: string, ...storage: string[]) => {
      const run = await burr(['steps', url, appId, ...storage, '--json']);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as { steps: unknown[] }).steps.length;
    };
    expect(await stepsOf('alpha')).toBe(0);
    expect(await stepsOf('alpha', '--storage', 'incremental')).toBe(12);
    const apps = await burr(['apps', url, '--storage', 'incremental']);
    expect(apps.stdout).toContain('alpha');
    expect((await burr(['delete', url, 'beta', '--storage', 'incremental', '--yes'])).code).toBe(0);
    expect(await stepsOf('beta', '--storage', 'incremental')).toBe(0);
    const wrong = await burr(['steps', url, 'alpha', '--storage', 'delta']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('burr steps: --storage must be full or incremental, got "delta"');
    expect((await burr(['convert', url, '--to', 'full', '--storage', 'full'])).code).toBe(2);
  });

  it('steps in incremental storage say which steps are snapshots and which deltas; full storage has no such column', async () => {
    const { url } = await store(APPS);
    const fullSteps = await burr(['steps', url, 'alpha', '--oldest-first']);
    expect(fullSteps.stdout.split('\n')[0]).not.toContain('STORED AS');
    const fullJson = JSON.parse((await burr(['steps', url, 'alpha', '--json'])).stdout) as { steps: Array<Record<string, unknown>> };
    expect(fullJson.steps[0]).not.toHaveProperty('storedAs');

    expect((await burr(['convert', url, '--to', 'incremental', '--app', 'alpha'])).code).toBe(0);
    const text = await burr(['steps', url, 'alpha', '--storage', 'incremental', '--oldest-first']);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/SIZE\s+STORED AS$/);
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/).at(-1))).toEqual(['snapshot', ...Array(11).fill('delta')]);
    const json = JSON.parse((await burr(['steps', url, 'alpha', '--storage', 'incremental', '--json', '--oldest-first'])).stdout) as {
      steps: Array<{ sequenceId: number; storedAs: string }>;
    };
    expect(json.steps.map((step) => `${step.sequenceId}:${step.storedAs}`)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}:${i === 0 ? 'snapshot' : 'delta'}`));
  });

  it('steps and show in the mode that does not hold the app say which --storage does', async () => {
    const { url } = await store(APPS);
    expect((await burr(['convert', url, '--to', 'incremental', '--app', 'alpha'])).code).toBe(0);
    const steps = await burr(['steps', url, 'alpha']);
    expect(steps.code).toBe(0);
    expect(steps.stdout).toBe('No steps of app "alpha" in partition "" (its steps are in incremental storage: add --storage incremental).\n');
    const show = await burr(['show', url, 'beta', '--storage', 'incremental']);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('No step of app "beta" in partition "" (its steps are in full storage: leave out --storage incremental)');
    // An app neither mode holds: no hint.
    expect((await burr(['steps', url, 'nobody'])).stdout).toBe('No steps of app "nobody" in partition "".\n');
    // A delete in the mode that does not hold the app removes nothing, and says where the steps are.
    const deleted = await burr(['delete', url, 'alpha', '--yes']);
    expect(deleted.stdout).toBe('No steps of app "alpha" in partition ""; nothing deleted (its steps are in incremental storage: add --storage incremental).\n');
    expect((await burr(['delete', url, 'alpha', '--yes', '--storage', 'incremental'])).stdout).toMatch(/^Deleted \d+ steps of app "alpha"/);
  });
});

describe('burr convert', () => {
  it('--to incremental moves the apps of a partition; --to full --all-partitions moves everything back, each step as it was', async () => {
    const { url, path } = await store(APPS);
    {
      await using persister = SQLitePersister.fromValues({ dbPath: path });
      await persister.save({ appId: 'alpha', sequenceId: 12, position: 'judge', state: new State({ failed: true }), status: 'failed' });
    }
    const before = await SQLitePersister.fromValues({ dbPath: path }).load('', 'alpha', 12);
    const run = await burr(['convert', url, '--to', 'incremental']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Store: SQLite .*, table burr_state; every app of partition ""\nMove: {2}full → incremental storage\n/);
    expect(run.stdout).toMatch(/\nConverted 20 steps of 2 of 2 apps scanned \([\d.]+ KiB in full mode, [\d.]+ (B|KiB) in incremental mode\)\.\n$/);
    expect(await appsByMode(path)).toEqual({ full: ['tenant-7/delta:5'], incremental: ['/alpha:13', '/beta:7'] });
    {
      await using incremental = SQLitePersister.fromValues({ dbPath: path, storage: 'incremental' });
      const loaded = await incremental.load('', 'alpha', 12);
      expect(loaded).toMatchObject({ position: 'judge', status: 'failed' });
      expect(loaded?.state.getAll()).toEqual(before?.state.getAll());
      expect(loaded?.createdAt).toEqual(before?.createdAt);
    }

    const back = await burr(['convert', url, '--to', 'full', '--all-partitions', '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({
      dryRun: false,
      from: 'incremental',
      to: 'full',
      appsScanned: 2,
      appsConverted: 2,
      stepsConverted: 20,
      interrupted: false,
      target: 'all',
    });
    expect(await appsByMode(path)).toEqual({ full: ['/alpha:13', '/beta:7', 'tenant-7/delta:5'], incremental: [] });
    expect((await SQLitePersister.fromValues({ dbPath: path }).load('', 'alpha', 12))?.state.getAll()).toEqual(before?.state.getAll());
  });

  it('--app converts one app; --dry-run reads and estimates, changing nothing', async () => {
    const { url, path } = await store(APPS);
    const dry = await burr(['convert', url, '--to', 'incremental', '--partition', 'tenant-7', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /Dry run: it would convert 5 steps of 1 of 1 app scanned \([\d.]+ (B|KiB) in full mode, about [\d.]+ (B|KiB) in incremental mode\)\. Nothing was written or removed\.\n$/,
    );
    expect(await appsByMode(path)).toEqual({ full: ['/alpha:12', '/beta:7', 'tenant-7/delta:5'], incremental: [] });
    const json = JSON.parse((await burr(['convert', url, '--to', 'incremental', '--app', 'beta', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ appsScanned: 1, appsConverted: 1, stepsConverted: 7, target: { partitionKey: '', appId: 'beta' } });
    expect(await appsByMode(path)).toEqual({ full: ['/alpha:12', 'tenant-7/delta:5'], incremental: ['/beta:7'] });
  });

  it('Ctrl-C stops between batches (exit code 130), nothing is lost, and the same command finishes the job', async () => {
    const { url, path } = await store([{ appId: 'long', steps: 60 }]);
    const run = await burr(['convert', url, '--to', 'incremental', '--batch-size', '10', '--progress'], {
      onStderr: (text, interrupt) => {
        if (text.startsWith('convert:')) interrupt.abort(new Error('Ctrl-C'));
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^convert: 1 app scanned, 0 converted, 10 steps \([\d.]+ KiB → [\d.]+ (B|KiB)\)\n/);
    expect(run.stdout).toMatch(
      /Interrupted: converted 10 steps \(.+\) of 0 of 1 app scanned before stopping\. An app stopped midway stays whole in full mode; run the same command again to finish\.\n$/,
    );
    expect(await appsByMode(path)).toEqual({ full: ['/long:60'], incremental: ['/long:10'] });

    const again = await burr(['convert', url, '--to', 'incremental']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /Converted 60 steps of 1 of 1 app scanned \(.+\); 10 steps of them were there already \(from an earlier run, or written by another one meanwhile\)\.\n$/,
    );
    expect(await appsByMode(path)).toEqual({ full: [], incremental: ['/long:60'] });
  });

  it('refuses what it cannot do: no --to, another mode, bad options (exit 2); nothing stored in the source mode (exit 1)', async () => {
    const { url } = await store([{ appId: 'alpha', steps: 2 }]);
    const usage: Array<[string[], RegExp]> = [
      [['convert', url], /^burr convert: give --to incremental or --to full/],
      [['convert', url, '--to', 'deltas'], /^burr convert: --to takes incremental or full, got "deltas"$/],
      [['convert', url, '--to', 'full', '--all-partitions', '--partition', 'x'], /^burr convert: give --partition KEY or --all-partitions, not both$/],
      [['convert', url, '--to', 'full', '--batch-size', '5000'], /^burr convert: --batch-size must be a whole number from 1 to 1000/],
    ];
    for (const [argv, message] of usage) {
      const run = await burr(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr.trimEnd(), argv.join(' ')).toMatch(message);
    }
    // Nothing was ever stored in incremental mode: there is nothing to move to full mode.
    const none = await burr(['convert', url, '--to', 'full', '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'BURR_CLI_NO_STORE' } });
    expect(none.stderr).toMatch(/holds no steps in incremental mode: nothing to convert/);
    const help = await burr(['convert', '--help']);
    expect(help.stdout).toMatch(/^Usage: burr convert URL --to incremental\|full/);
  });
});

const postgres = await providePostgres();

describe.skipIf('skip' in postgres)(`burr convert against PostgreSQL${'skip' in postgres ? ` [skipped: ${postgres.skip}]` : ''}`, () => {
  const url = 'url' in postgres ? postgres.url : '';
  const tableName = uniqueName('burr_cli_conv');
  afterAll(async () => {
    if (!url) return;
    await using admin = PostgreSQLPersister.fromUrl(url);
    for (const name of [tableName, `${tableName}_incremental`]) {
      await admin.client.unsafe(`DROP TABLE IF EXISTS "${name}", "${name}_apps"`);
      await admin.client.unsafe(`DROP FUNCTION IF EXISTS "${name}_apps_on_insert"()`);
    }
    await admin.client.unsafe(`DROP TABLE IF EXISTS "${tableName}_incremental_segments"`);
    await admin.client.unsafe(`DROP FUNCTION IF EXISTS "${tableName}_incremental_segments_guard"()`);
    if ('stop' in postgres) await postgres.stop();
  });

  it('moves a table to incremental storage and back', async () => {
    {
      await using persister = PostgreSQLPersister.fromUrl(url, { tableName });
      await persister.initialize();
      await seed(persister, APPS);
    }
    const there = JSON.parse((await burr(['convert', url, '--table', tableName, '--to', 'incremental', '--all-partitions', '--json'])).stdout) as Record<string, unknown>;
    expect(there).toMatchObject({ appsConverted: 3, stepsConverted: 24 });
    const back = JSON.parse((await burr(['convert', url, '--table', tableName, '--to', 'full', '--all-partitions', '--json'])).stdout) as Record<string, unknown>;
    expect(back).toMatchObject({ appsConverted: 3, stepsConverted: 24 });
    await using persister = PostgreSQLPersister.fromUrl(url, { tableName });
    expect((await persister.load('tenant-7', 'delta'))?.sequenceId).toBe(4);
  });
});
