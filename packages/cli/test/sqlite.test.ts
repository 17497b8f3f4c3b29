// Every command in-process (runBurr, the bin's own code path) against temporary SQLite files.
import { existsSync } from 'node:fs';
import { State } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { burr, seed, type SeedApp } from './support/run-cli.js';

const dir = temporaryDirectory('cli-sqlite');
afterAll(() => dir.remove());

let stores = 0;
/** A fresh SQLite file holding `apps`; resolves to its `sqlite:` URL. */
async function store(apps: readonly SeedApp[], tableName?: string): Promise<{ url: string; path: string }> {
  const path = dir.path(`store-${++stores}.db`);
  const persister = SQLitePersister.fromValues({ dbPath: path, tableName });
  await persister.initialize();
  await seed(persister, apps);
  await persister.cleanup();
  return { url: `sqlite:${path}`, path };
}

/** Steps an app has now, oldest first, read through the persister. */
async function sequenceIds(path: string, appId: string, partitionKey = ''): Promise<number[]> {
  await using persister = SQLitePersister.fromValues({ dbPath: path });
  const page = await persister.listSteps(partitionKey, appId, { order: 'oldest-first', limit: 1000 });
  return page.steps.map((step) => step.sequenceId);
}

/** The words of a printed "Next page: burr …" command, without `burr` (the paths here need no quoting). */
function nextPage(stdout: string): string[] | null {
  const line = stdout.split('\n').find((text) => text.startsWith('Next page: burr '));
  return line ? line.slice('Next page: burr '.length).split(' ') : null;
}

const THREE_APPS: SeedApp[] = [
  { appId: 'alpha', steps: 4 },
  { appId: 'beta', steps: 7 },
  { appId: 'gamma', steps: 2 },
  { partitionKey: 'tenant-7', appId: 'delta', steps: 5 },
];

describe('burr apps', () => {
  it('lists the apps of a partition, most recently saved first, as a table', async () => {
    const { url } = await store(THREE_APPS);
    const run = await burr(['apps', url]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^APP ID\s+LAST SEQ\s+POSITION\s+STATUS\s+LAST SAVED \(UTC\)$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([
      ['gamma', '1', 'respond', 'completed'],
      ['beta', '6', 'ask', 'completed'],
      ['alpha', '3', 'respond', 'completed'],
    ]);
    expect(run.stdout).not.toContain('Next page');
    const tenant = await burr(['apps', url, '--partition', 'tenant-7']);
    expect(tenant.stdout).toMatch(/^delta\s+4\s+ask/m);
  });

  it('pages with --limit, and the printed next-page command gives the next page', async () => {
    const { url } = await store(THREE_APPS);
    const first = await burr(['apps', url, '--limit', '2']);
    expect(first.stdout).toMatch(/^gamma/m);
    expect(first.stdout).toMatch(/^beta/m);
    const command = nextPage(first.stdout);
    expect(command).toEqual(['apps', url, '--limit', '2', '--cursor', expect.any(String)]);
    const second = await burr(command!);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^alpha/m);
    expect(second.stdout).not.toMatch(/^(gamma|beta)/m);
    expect(nextPage(second.stdout)).toBeNull();
  });

  it('--json: one document, and following nextCursor lists every app once', async () => {
    const { url } = await store(THREE_APPS);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const run = await burr(['apps', url, '--limit', '1', '--json', ...(cursor ? ['--cursor', cursor] : [])]);
      expect(run.code).toBe(0);
      const page = JSON.parse(run.stdout) as { partitionKey: string; apps: Array<{ appId: string; lastSequenceId: number; lastSavedAt: string }>; nextCursor: string | null };
      expect(page.partitionKey).toBe('');
      for (const app of page.apps) {
        seen.push(app.appId);
        expect(Number.isNaN(Date.parse(app.lastSavedAt))).toBe(false);
      }
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).toEqual(['gamma', 'beta', 'alpha']);
  });

  it('says so when a partition has no apps', async () => {
    const { url } = await store(THREE_APPS);
    const run = await burr(['apps', url, '--partition', 'nobody']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('No apps in partition "nobody".\n');
  });
});

describe('burr steps', () => {
  it("lists an app's steps newest first with size, and pages through the next-page command", async () => {
    const { url } = await store(THREE_APPS);
    const first = await burr(['steps', url, 'beta', '--limit', '3']);
    expect(first.code).toBe(0);
    const rows = first.stdout.split('\n').filter((line) => /^\s*\d+\s/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(['6', '5', '4']);
    expect(rows[0]).toMatch(/^\s*6\s+ask\s+completed\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+\d+ B$/);
    const command = nextPage(first.stdout)!;
    expect(command).toEqual(['steps', url, 'beta', '--limit', '3', '--before', '4']);
    const second = await burr(command);
    expect(
      second.stdout
        .split('\n')
        .filter((line) => /^\s*\d+\s/.test(line))
        .map((row) => row.trim().split(/\s+/)[0]),
    ).toEqual(['3', '2', '1']);
  });

  it('--oldest-first pages with --after; --before and --after bound the range', async () => {
    const { url } = await store(THREE_APPS);
    const first = await burr(['steps', url, 'beta', '--oldest-first', '--limit', '4', '--json']);
    const page = JSON.parse(first.stdout) as { order: string; steps: Array<{ sequenceId: number; sizeBytes: number; status: string }>; nextCursor: number | null };
    expect(page.order).toBe('oldest-first');
    expect(page.steps.map((step) => step.sequenceId)).toEqual([0, 1, 2, 3]);
    expect(page.steps.every((step) => step.sizeBytes > 0 && step.status === 'completed')).toBe(true);
    expect(page.nextCursor).toBe(3);
    const human = await burr(['steps', url, 'beta', '--oldest-first', '--limit', '4']);
    expect(nextPage(human.stdout)).toEqual(['steps', url, 'beta', '--limit', '4', '--after', '3', '--oldest-first']);
    const range = JSON.parse((await burr(['steps', url, 'beta', '--after', '1', '--before', '5', '--json'])).stdout) as { steps: Array<{ sequenceId: number }> };
    expect(range.steps.map((step) => step.sequenceId)).toEqual([4, 3, 2]);
  });

  it('an app with no steps lists nothing', async () => {
    const { url } = await store(THREE_APPS);
    const run = await burr(['steps', url, 'nope']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('No steps of app "nope" in partition "".\n');
  });
});

describe('burr show', () => {
  it("prints the latest step's state as stored JSON: tagged values stay tagged, NaN as Python writes it", async () => {
    const { url, path } = await store([{ appId: 'alpha', steps: 3 }]);
    {
      await using persister = SQLitePersister.fromValues({ dbPath: path });
      await persister.save({
        appId: 'alpha',
        sequenceId: 3,
        position: 'judge',
        status: 'failed',
        state: new State({ score: Number.NaN, seen: new Map([['k', 1]]), big: 2n ** 64n }),
      });
    }
    const latest = await burr(['show', url, 'alpha']);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toMatch(/^App "alpha", partition "": step 3 at "judge", failed, saved \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\n\{\n {2}"score": NaN,\n/);
    expect(latest.stdout).toContain('"seen": {\n    "__burr_serde__": "map",');
    // Bigints are stored tagged whatever their size.
    expect(latest.stdout).toContain('"big": {\n    "__burr_serde__": "bigint",\n    "value": "18446744073709551616"\n  }');

    const earlier = await burr(['show', url, 'alpha', '1', '--json']);
    expect(earlier.code).toBe(0);
    const document = JSON.parse(earlier.stdout) as { sequenceId: number; position: string; status: string; createdAt: string; state: Record<string, unknown> };
    expect(document).toMatchObject({ sequenceId: 1, position: 'respond', status: 'completed' });
    expect(document.state).toEqual({
      turn: 1,
      at: { __burr_serde__: 'date', value: '2025-01-01T00:00:00.000Z' },
      tags: { __burr_serde__: 'set', value: ['a', 'b'] },
      history: [{ role: 'user', text: 'hi 1' }],
    });
  });

  it('a step that is not there is exit code 1, with a JSON error document under --json', async () => {
    const { url } = await store([{ appId: 'alpha', steps: 3 }]);
    const missing = await burr(['show', url, 'alpha', '9']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('burr show: No step 9 of app "alpha" in partition ""\n');
    const json = await burr(['show', url, 'ghost', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'BURR_CLI_STEP_NOT_FOUND', message: 'No step of app "ghost" in partition ""' } });
  });
});

describe('burr delete', () => {
  it('refuses without --yes when stdin is not a terminal, and deletes nothing', async () => {
    const { url, path } = await store([{ appId: 'alpha', steps: 3 }]);
    const run = await burr(['delete', url, 'alpha'], { stdinIsTTY: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^burr delete: refusing to delete without --yes/);
    expect(await sequenceIds(path, 'alpha')).toEqual([0, 1, 2]);
  });

  it('asks on a terminal: "n" keeps the app (exit 1), "y" deletes it and says how many steps went', async () => {
    const { url, path } = await store([
      { appId: 'alpha', steps: 3 },
      { appId: 'beta', steps: 2 },
    ]);
    const no = await burr(['delete', url, 'alpha'], { stdinIsTTY: true, answers: ['n'] });
    expect(no.prompts).toEqual([expect.stringMatching(/^Delete every step of app "alpha" in partition "" \(latest: 2\) from SQLite .*\? \[y\/N\] $/)]);
    expect(no.code).toBe(1);
    expect(no.stderr).toBe('burr delete: Cancelled; nothing was deleted\n');
    expect(await sequenceIds(path, 'alpha')).toEqual([0, 1, 2]);

    const yes = await burr(['delete', url, 'alpha'], { stdinIsTTY: true, answers: ['yes'] });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toBe('Deleted 3 steps of app "alpha" in partition "".\n');
    expect(await sequenceIds(path, 'alpha')).toEqual([]);
    expect(await sequenceIds(path, 'beta')).toEqual([0, 1]);
  });

  it('--yes deletes without asking; --json reports the count; a second delete finds nothing', async () => {
    const { url } = await store([{ partitionKey: 'p', appId: 'alpha', steps: 4 }]);
    const run = await burr(['delete', url, 'alpha', '--partition', 'p', '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ partitionKey: 'p', appId: 'alpha', stepsDeleted: 4 });
    const again = await burr(['delete', url, 'alpha', '--partition', 'p', '-y']);
    expect(again.stdout).toBe('No steps of app "alpha" in partition "p"; nothing deleted.\n');
  });
});

describe('burr prune', () => {
  const apps: SeedApp[] = [
    { appId: 'alpha', steps: 10 },
    { appId: 'beta', steps: 2 },
    { partitionKey: 'tenant-7', appId: 'delta', steps: 6 },
  ];

  it('--dry-run counts what --keep-last would remove and removes nothing', async () => {
    const { url, path } = await store(apps);
    const run = await burr(['prune', url, '--keep-last', '3', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Store: SQLite .*, table burr_state; every app of partition ""\nRule: {2}keep each app's newest 3 steps\n/);
    expect(run.stdout).toMatch(/Dry run: it would remove 7 steps \(.+\) from 1 of 2 apps scanned\. Nothing was removed\.\n$/);
    expect(await sequenceIds(path, 'alpha')).toHaveLength(10);
  });

  it('--keep-last keeps each app its newest steps, in batches, and reports what went', async () => {
    const { url, path } = await store(apps);
    const run = await burr(['prune', url, '--keep-last', '3', '--batch-size', '2', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ dryRun: false, appsScanned: 2, appsPruned: 1, stepsRemoved: 7, interrupted: false, keepLast: 3, olderThan: null, target: { partitionKey: '' } });
    expect(report.bytesRemoved).toBeGreaterThan(0);
    expect(await sequenceIds(path, 'alpha')).toEqual([7, 8, 9]);
    expect(await sequenceIds(path, 'beta')).toEqual([0, 1]);
    expect(await sequenceIds(path, 'delta', 'tenant-7')).toHaveLength(6);
  });

  it('--all-partitions and --app choose whose steps', async () => {
    const { url, path } = await store(apps);
    const one = await burr(['prune', url, '--keep-last', '1', '--app', 'beta']);
    expect(one.stdout).toContain('Removed 1 step');
    expect(await sequenceIds(path, 'alpha')).toHaveLength(10);
    expect(await sequenceIds(path, 'beta')).toEqual([1]);
    const all = await burr(['prune', url, '--keep-last', '2', '--all-partitions']);
    expect(all.stdout).toMatch(/from 2 of 3 apps scanned\.\n$/);
    expect(await sequenceIds(path, 'alpha')).toEqual([8, 9]);
    expect(await sequenceIds(path, 'delta', 'tenant-7')).toEqual([4, 5]);
  });

  it('--older-than: only steps saved before the cut-off go, and never an app\u2019s latest', async () => {
    const { url, path } = await store(apps);
    const recent = await burr(['prune', url, '--older-than', '1h']);
    expect(recent.stdout).toContain('Removed 0 steps');
    expect(await sequenceIds(path, 'alpha')).toHaveLength(10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const run = await burr(['prune', url, '--older-than', tomorrow, '--keep-last', '4']);
    expect(run.stdout).toContain(`Rule:  keep each app's newest 4 steps, and any step saved since ${tomorrow} 00:00:00 UTC\n`);
    expect(await sequenceIds(path, 'alpha')).toEqual([6, 7, 8, 9]);
    const everything = await burr(['prune', url, '--older-than', tomorrow]);
    expect(everything.stdout).toContain(`Rule:  keep steps saved since ${tomorrow} 00:00:00 UTC, and each app's latest step\n`);
    expect(await sequenceIds(path, 'alpha')).toEqual([9]);
    expect(await sequenceIds(path, 'beta')).toEqual([1]);
  });

  it('shows throttled progress on a terminal, none elsewhere, lines with --progress', async () => {
    const { url } = await store([{ appId: 'alpha', steps: 30 }]);
    const quiet = await burr(['prune', url, '--keep-last', '25', '--dry-run']);
    expect(quiet.stderr).toBe('');
    const terminal = await burr(['prune', url, '--keep-last', '20', '--batch-size', '1', '--dry-run'], { stderrIsTTY: true });
    // The first update shows at once; within 250 ms the other 10 are skipped; the line is cleared before the summary.
    // Each "\r ESC[K" returns to the start of the line and clears it; shown here as "|".
    const rewrites = terminal.stderr.replaceAll('\r\u001b[K', '|');
    expect(rewrites).toMatch(/^\|prune: 1 app scanned, 0 pruned, would remove 1 step \(\d+ B\)(\|prune: [^|\n]*)*\|$/);
    expect(terminal.stderr.split('prune:').length - 1).toBeLessThan(11);
    const lines = await burr(['prune', url, '--keep-last', '20', '--progress']);
    expect(lines.stderr).toMatch(/^prune: 1 app scanned, 0 pruned, removed 10 steps \(.+\)\n/);
  });

  it('Ctrl-C stops between batches and reports what was removed so far (exit code 130)', async () => {
    const { url, path } = await store([{ appId: 'alpha', steps: 40 }]);
    const run = await burr(['prune', url, '--keep-last', '1', '--batch-size', '5', '--progress'], {
      onStderr: (text, interrupt) => {
        if (text.startsWith('prune:')) interrupt.abort(new Error('Ctrl-C'));
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/Interrupted: removed 5 steps \(.+\) from 0 of 1 app scanned before stopping; the rest is as it was\.\n$/);
    expect(await sequenceIds(path, 'alpha')).toHaveLength(35);

    const json = await burr(['prune', url, '--keep-last', '1', '--batch-size', '5', '--progress', '--json'], {
      onStderr: (text, interrupt) => {
        if (text.startsWith('prune:')) interrupt.abort(new Error('Ctrl-C'));
      },
    });
    expect(json.code).toBe(130);
    expect(JSON.parse(json.stdout)).toMatchObject({ interrupted: true, stepsRemoved: 5 });
    expect(await sequenceIds(path, 'alpha')).toHaveLength(30);
  });

  it('an app it cannot prune (a kept delta that does not rebuild) is listed, the others are pruned, exit code 1', async () => {
    const path = dir.path(`store-${++stores}.db`);
    {
      await using persister = SQLitePersister.fromValues({ dbPath: path, storage: 'incremental' });
      await persister.initialize();
      for (const appId of ['alpha', 'beta']) {
        for (const sequenceId of [0, 1, 2, 3]) await persister.save({ appId, sequenceId, position: 'step', state: new State({ n: sequenceId }), status: 'completed' });
      }
      // Step 3 of alpha is a delta on 2 that a prune keeping 1 must rebuild through 1: make 1 unreadable.
      persister.client.prepare(`UPDATE burr_state_incremental SET state = '{"n": ' WHERE app_id = 'alpha' AND sequence_id = 1`).run();
    }
    const url = `sqlite:${path}`;
    const run = await burr(['prune', url, '--keep-last', '1', '--storage', 'incremental']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /Removed 3 steps \(.+\) from 1 of 2 apps scanned\.\nCould not prune 1 app \(each keeps the steps from the batch that failed on\):\n {2}app "alpha" of partition "": .+ \[BURR_DESERIALIZATION\]\n$/,
    );
    const json = await burr(['prune', url, '--keep-last', '1', '--storage', 'incremental', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ appsScanned: 2, appsPruned: 0, appsFailed: 1, failures: [{ partitionKey: '', appId: 'alpha', code: 'BURR_DESERIALIZATION' }] });
    // Ctrl-C right after the failing app (the first): the failure is still listed.
    const stopped = await burr(['prune', url, '--keep-last', '1', '--storage', 'incremental', '--progress'], {
      onStderr: (text, interrupt) => {
        if (text.startsWith('prune:')) interrupt.abort(new Error('Ctrl-C'));
      },
    });
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/Interrupted: .+\nCould not prune 1 app .+\n {2}app "alpha" of partition "": .+ \[BURR_DESERIALIZATION\]\n$/);
    await using reader = SQLitePersister.fromValues({ dbPath: path, storage: 'incremental' });
    expect((await reader.listSteps(null, 'alpha')).steps).toHaveLength(4);
    expect((await reader.listSteps(null, 'beta')).steps.map((step) => step.sequenceId)).toEqual([3]);
  });
});

describe('burr compact', () => {
  it('reports sizes before and after and what it ran', async () => {
    const { url } = await store([{ appId: 'alpha', steps: 50 }]);
    await burr(['delete', url, 'alpha', '--yes']);
    const run = await burr(['compact', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SQLite .*, table burr_state\nSize: [\d.]+ KiB before, [\d.]+ KiB after \([\d.]+ (B|KiB) given back\)\nRan:\n {2}\S/);
    const json = JSON.parse((await burr(['compact', url, '--json'])).stdout) as { bytesBefore: number; bytesAfter: number; performed: string[]; advice: string[] };
    expect(json.bytesBefore).toBeGreaterThan(0);
    expect(json.bytesAfter).toBeLessThanOrEqual(json.bytesBefore);
    expect(json.performed.some((step) => /VACUUM/i.test(step))).toBe(true);
  });
});

describe('burr upgrade', () => {
  it('a table Python Burr made (no app index): apps says how to add it, upgrade adds it once, then apps lists', async () => {
    const path = dir.path('python-made.db');
    // Made with the driver, as Python Burr makes it: the table alone.
    const opened = SQLitePersister.fromValues({ dbPath: path });
    const db = opened.client;
    db.exec(`CREATE TABLE burr_state (partition_key TEXT DEFAULT '', app_id TEXT NOT NULL, sequence_id INTEGER NOT NULL, position TEXT NOT NULL,
      status TEXT NOT NULL, state TEXT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (partition_key, app_id, sequence_id, position))`);
    db.prepare("INSERT INTO burr_state (app_id, sequence_id, position, status, state) VALUES ('py-1', 0, 'a', 'completed', '{}'), ('py-1', 1, 'b', 'completed', '{}')").run();
    await opened.cleanup();
    const url = `sqlite:${path}`;
    const refused = await burr(['apps', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[BURR_PERSISTER_NOT_INITIALIZED\]\. If Python Burr or an earlier version made this table, add the index once with: burr upgrade URL\n$/);
    const upgraded = await burr(['upgrade', url]);
    expect([upgraded.code, upgraded.stdout]).toEqual([0, `Added the app index to SQLite ${path}, table burr_state; apps, prune and convert read it now.\n`]);
    expect((await burr(['apps', url])).stdout).toMatch(/^py-1 +1 +b +completed/m);
    expect((await burr(['upgrade', url, '--json'])).stdout).toBe('{\n  "upgraded": false\n}\n');
  });
});

describe('hostile app ids on the command line and in tables', () => {
  it('an id that looks like an option, after "--", is an id: delete removes it, and the next-page hint repeats it after "--"', async () => {
    const { url, path } = await store([
      { appId: '-h', steps: 3 },
      { appId: '--json', steps: 2 },
    ]);
    const deleted = await burr(['delete', url, '--yes', '--', '-h']);
    expect([deleted.code, deleted.stdout]).toEqual([0, 'Deleted 3 steps of app "-h" in partition "".\n']);
    expect(await sequenceIds(path, '-h')).toEqual([]);
    // A table, not JSON: "--json" after "--" is the app id.
    const first = await burr(['steps', url, '--limit', '1', '--', '--json']);
    expect(first.stdout).toMatch(/^SEQ /);
    const words = nextPage(first.stdout)!;
    expect(words.slice(-2)).toEqual(['--', '--json']);
    const second = await burr(words);
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n')[1]).toMatch(/^\s*0 /);
  });

  it('writes out control and format characters of ids in tables, so an id cannot redraw the table', async () => {
    const { url } = await store([
      { appId: 'victim', steps: 1 },
      { appId: 'x\r\u001b[2Kvictim\u202e', steps: 1 },
    ]);
    const run = await burr(['apps', url]);
    expect(run.stdout).toContain('x\\u{D}\\u{1B}[2Kvictim\\u{202E}');
    for (const raw of ['\r', '\u001b', '\u202e']) expect(run.stdout.includes(raw), JSON.stringify(raw)).toBe(false);
  });
});

describe('the store and the command line', () => {
  it('takes the URL from BURR_URL when the first argument is not one', async () => {
    const { url } = await store(THREE_APPS);
    const run = await burr(['steps', 'alpha', '--limit', '1'], { env: { BURR_URL: url } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s*3\s+respond/m);
    // The next page relies on BURR_URL too, so it does not repeat the URL.
    expect(nextPage(run.stdout)).toEqual(['steps', 'alpha', '--limit', '1', '--before', '3']);
    const explicit = await burr(['apps', url, '--limit', '1'], { env: { BURR_URL: 'sqlite:/nonexistent.db' } });
    expect(explicit.code).toBe(0);
  });

  it('never creates a store: a missing file is exit code 2, and stays missing', async () => {
    const path = dir.path('absent.db');
    const run = await burr(['apps', `sqlite:${path}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`burr apps: no database file at ${path} (from sqlite:${path}); the CLI never creates a store\n`);
    expect(existsSync(path)).toBe(false);
  });

  it('a database without the Burr table is exit code 1, naming --table', async () => {
    const path = dir.path('other.db');
    // Opened but never initialized: a database file with no Burr table.
    await SQLitePersister.fromValues({ dbPath: path }).cleanup();
    const run = await burr(['apps', `sqlite:${path}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('holds no Burr state: nothing was saved there yet, or the steps are under another --table');
    const { url } = await store([{ appId: 'alpha', steps: 2 }], 'my_steps');
    expect((await burr(['apps', url])).code).toBe(1);
    expect((await burr(['apps', url, '--table', 'my_steps'])).stdout).toMatch(/^alpha\s+1/m);
  });

  it('a database whose steps are all in the other storage mode is exit code 1, naming --storage', async () => {
    const incrementalOnly = dir.path('incremental-only.db');
    await initialized(SQLitePersister.fromValues({ dbPath: incrementalOnly, storage: 'incremental' }));
    const full = await burr(['apps', `sqlite:${incrementalOnly}`]);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('holds no Burr state: its steps are in incremental storage: add --storage incremental');
    expect((await burr(['apps', `sqlite:${incrementalOnly}`, '--storage', 'incremental'])).code).toBe(0);

    const fullOnly = dir.path('full-only.db');
    await initialized(SQLitePersister.fromValues({ dbPath: fullOnly }));
    const incremental = await burr(['apps', `sqlite:${fullOnly}`, '--storage', 'incremental']);
    expect(incremental.code).toBe(1);
    expect(incremental.stderr).toContain('(incremental storage) holds no Burr state: its steps are in full storage: leave out --storage incremental');
  });

  it("a persister's refusal of an argument is exit code 2 with its message and code", async () => {
    const { url } = await store([{ appId: 'alpha', steps: 2 }]);
    const run = await burr(['apps', url, '--table', 'Bad-Name']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^burr apps: Invalid .*"Bad-Name".* \[BURR_INVALID_IDENTIFIER\]\n$/);
    const json = await burr(['apps', url, '--table', 'Bad-Name', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'BURR_INVALID_IDENTIFIER' } });
  });

  it('bad arguments are exit code 2 with one line saying what is wrong', async () => {
    const { url } = await store([{ appId: 'alpha', steps: 2 }]);
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /^burr: unknown command "frobnicate"; the commands are apps, steps, show, delete, prune, compact, convert, upgrade$/],
      [['apps'], /^burr apps: give the store URL as the first argument or in BURR_URL/],
      [['apps', 'nonsense'], /^burr apps: "nonsense" is not a store URL/],
      [['steps', url], /^burr steps: missing APP_ID$/],
      [['show', url, 'alpha', '1', 'extra'], /^burr show: unexpected argument "extra"$/],
      [['show', url, 'alpha', 'one'], /^burr show: SEQUENCE_ID must be a whole number of at least 0, got "one"$/],
      [['apps', url, '--limit', '0'], /^burr apps: --limit must be a whole number from 1 to 1000, got "0"$/],
      [['apps', url, '--bogus'], /^burr apps: Unknown option '--bogus'$/],
      [['apps', url, '--namespace', 'x'], /^burr apps: --namespace does not apply to sqlite stores \(it is for redis\)$/],
      [['prune', url], /^burr prune: give --keep-last N, --older-than AGE or both/],
      [['prune', url, '--keep-last', '0'], /^burr prune: --keep-last must be a whole number of at least 1, got "0"$/],
      [['prune', url, '--older-than', 'soon'], /^burr prune: --older-than takes a duration/],
      [['prune', url, '--keep-last', '1', '--all-partitions', '--app', 'a'], /^burr prune: --app names an app of one partition/],
      [['prune', url, '--keep-last', '1', '--batch-size', '20000'], /^burr prune: --batch-size must be a whole number from 1 to 10000/],
      [['prune', url, '--older-than', '9999999d'], /^burr prune: --older-than "9999999d" reaches back before 1970$/],
      // Values the persister refuses before it reads the store.
      [['steps', url, ''], /^burr steps: Invalid app id "": must be a non-empty string \[BURR_INVALID_IDENTIFIER\]$/],
      [['delete', url, '', '--yes'], /^burr delete: Invalid app id "".* \[BURR_INVALID_IDENTIFIER\]$/],
      [['apps', url, '--table', ''], /^burr apps: Invalid table name "".* \[BURR_INVALID_IDENTIFIER\]$/],
      [['apps', url, '--cursor', 'garbage'], /^burr apps: cursor "garbage" is not a cursor returned by listApps \[BURR_INVALID_PERSIST_ARGUMENT\]$/],
    ];
    for (const [argv, message] of cases) {
      const run = await burr(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr.trimEnd(), argv.join(' ')).toMatch(message);
      expect(run.stderr.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });

  it('--help per command, and the command list', async () => {
    const help = await burr(['prune', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: burr prune URL \(--keep-last N \| --older-than AGE \| both\)/);
    expect((await burr(['help', 'steps'])).stdout).toMatch(/^Usage: burr steps URL APP_ID/);
    const list = await burr(['--help']);
    expect(list.code).toBe(0);
    for (const name of ['apps', 'steps', 'show', 'delete', 'prune', 'compact', 'convert']) expect(list.stdout).toMatch(new RegExp(`^ {2}${name}\\s`, 'm'));
    const bare = await burr([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: burr <command>');
  });
});

/** Creates the persister's table, then closes it. */
async function initialized(persister: SQLitePersister): Promise<void> {
  await persister.initialize();
  await persister.cleanup();
}
