// Command lines burr-inspect refuses, with exit code 2 and one line saying why.
import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runInspectorToEnd } from './support/inspector-process.js';
import { seedChat } from './support/seed.js';

const dir = temporaryDirectory('inspector-bin');
beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => dir.remove());

describe('burr-inspect command line', () => {
  it('prints its usage for --help', async () => {
    const run = await runInspectorToEnd(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: burr-inspect <store URL \| tracking project folder> \[options\]/);
  });

  it('refuses a non-loopback address without a token, and a missing database file', async () => {
    const persister = SQLitePersister.fromValues({ dbPath: dir.path('chat.db') });
    await persister.initialize();
    await seedChat(persister, 'chat-1', 1);
    await persister.cleanup();
    const open = await runInspectorToEnd([`sqlite:${dir.path('chat.db')}`, '--host', '0.0.0.0', '--port', '0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toBe(
      'burr-inspect: binding to 0.0.0.0 makes the inspector reachable from other machines: give it a --token (or BURR_INSPECT_TOKEN), or bind to 127.0.0.1\n',
    );
    const missing = await runInspectorToEnd([`sqlite:${dir.path('none.db')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^burr-inspect: no database file at .*none\.db .*the CLI never creates a store\n$/);
  });

  it('refuses an unknown option, a bad port, and nothing to open', async () => {
    expect((await runInspectorToEnd(['--bogus'])).code).toBe(2);
    const port = await runInspectorToEnd(['sqlite:./x.db', '--port', '99999']);
    expect(port.stderr).toBe('burr-inspect: --port must be 0 to 65535, not "99999"\n');
    const nothing = await runInspectorToEnd([], { env: { ...process.env, BURR_URL: '' } });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^burr-inspect: give a store URL or a tracking folder/);
    const missing = await runInspectorToEnd([dir.path('not-here')]);
    expect(missing.stderr).toMatch(/is neither a store URL nor a folder/);
    const storage = await runInspectorToEnd(['sqlite:./x.db', '--storage', 'delta']);
    expect(storage.code).toBe(2);
    expect(storage.stderr).toBe('burr-inspect: --storage must be full or incremental, got "delta"\n');
  });

  it('names the storage mode that holds the steps when the one asked for has none', async () => {
    const dbPath = dir.path('incremental.db');
    const persister = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    await persister.initialize();
    await seedChat(persister, 'chat-1', 2);
    await persister.cleanup();
    const full = await runInspectorToEnd([`sqlite:${dbPath}`]);
    expect(full.code).toBe(1);
    expect(full.stderr).toBe(`burr-inspect: SQLite ${dbPath}, table burr_state holds no Burr state: its steps are in incremental storage: add --storage incremental\n`);

    const fullOnly = dir.path('full.db');
    const fullPersister = SQLitePersister.fromValues({ dbPath: fullOnly });
    await fullPersister.initialize();
    await fullPersister.cleanup();
    const incremental = await runInspectorToEnd([`sqlite:${fullOnly}`, '--storage', 'incremental']);
    expect(incremental.code).toBe(1);
    expect(incremental.stderr).toBe(
      `burr-inspect: SQLite ${fullOnly}, table burr_state (incremental storage) holds no Burr state: its steps are in full storage: leave out --storage incremental\n`,
    );
  });
});
