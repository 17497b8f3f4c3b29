import { describe, expect, it } from 'vitest';
import { UsageError, parseCommandLine } from '../src/cli-args.js';

describe('parseCommandLine', () => {
  it('defaults to SQLite, a new conversation, and the given partition key', () => {
    expect(parseCommandLine([], 'me')).toEqual({
      kind: 'chat',
      options: {
        backend: 'sqlite',
        url: undefined,
        dbPath: undefined,
        storage: 'full',
        appId: undefined,
        partitionKey: 'me',
        list: false,
        listLimit: 20,
        listCursor: undefined,
        deleteAppId: undefined,
        assumeYes: false,
        forkFrom: undefined,
        forkAt: undefined,
      },
    });
  });

  it('--storage incremental on every backend; other words are refused', () => {
    expect(parseCommandLine(['--storage', 'incremental'], 'me')).toMatchObject({ options: { backend: 'sqlite', storage: 'incremental' } });
    expect(parseCommandLine(['--backend', 'pg', '--storage=incremental'], 'me')).toMatchObject({ options: { backend: 'pg', storage: 'incremental' } });
    expect(() => parseCommandLine(['--storage', 'delta'], 'me')).toThrow(new UsageError('--storage takes full or incremental, not "delta".'));
    expect(parseCommandLine(['--backend', 'redis', '--storage', 'incremental'], 'me')).toMatchObject({ options: { backend: 'redis', storage: 'incremental' } });
    expect(parseCommandLine(['--backend', 'mongo', '--storage', 'incremental'], 'me')).toMatchObject({ options: { backend: 'mongo', storage: 'incremental' } });
  });

  it('reads every option, in --flag value and --flag=value forms', () => {
    const parsed = parseCommandLine(['--backend=libsql', '--db', 'x.db', '--partition-key=ada', '--fork-from', 'abc', '--at=4'], 'me');
    expect(parsed).toMatchObject({ kind: 'chat', options: { backend: 'libsql', dbPath: 'x.db', partitionKey: 'ada', forkFrom: 'abc', forkAt: 4 } });
    expect(parseCommandLine(['-h'], 'me')).toEqual({ kind: 'help' });
  });

  it('reads --list paging and --delete', () => {
    expect(parseCommandLine(['--list', '--limit', '5', '--more', 'abc'], 'me')).toMatchObject({ options: { list: true, listLimit: 5, listCursor: 'abc' } });
    expect(parseCommandLine(['--delete', 'x', '--yes'], 'me')).toMatchObject({ options: { deleteAppId: 'x', assumeYes: true, list: false } });
    expect(parseCommandLine(['--delete=x'], 'me')).toMatchObject({ options: { deleteAppId: 'x', assumeYes: false } });
  });

  it('rejects --limit, --more, --delete and --yes where they cannot work', () => {
    expect(() => parseCommandLine(['--limit', '5'], 'me')).toThrow('--limit and --more page through --list; add --list.');
    expect(() => parseCommandLine(['--more', 'abc'], 'me')).toThrow('--limit and --more page through --list; add --list.');
    for (const limit of ['0', '1001', 'ten', '-3', '2.5']) {
      expect(() => parseCommandLine(['--list', '--limit', limit], 'me')).toThrow(`--limit takes how many conversations per page, 1 to 1000, not "${limit}".`);
    }
    expect(() => parseCommandLine(['--delete', 'x', '--list'], 'me')).toThrow(/--delete ID deletes one conversation/);
    expect(() => parseCommandLine(['--delete', 'x', '--app-id', 'y'], 'me')).toThrow(/--delete ID deletes one conversation/);
    expect(() => parseCommandLine(['--yes'], 'me')).toThrow('--yes confirms --delete ID; it does nothing on its own.');
    expect(() => parseCommandLine(['--delete', ' '], 'me')).toThrow('--delete needs a value.');
  });

  it('rejects what cannot work with a UsageError naming the problem', () => {
    expect(() => parseCommandLine(['--backend', 'oracle'], 'me')).toThrow(new UsageError('Unknown backend "oracle"; choose one of: sqlite, libsql, pg, mysql, redis, mongo.'));
    expect(() => parseCommandLine(['--url', 'file:x.db'], 'me')).toThrow(/--url is for server backends/);
    expect(() => parseCommandLine(['--fork-from', 'a', '--app-id', 'a'], 'me')).toThrow(/name the same conversation/);
    expect(() => parseCommandLine(['--fork-from', 'a', '--at', '-1'], 'me')).toThrow(UsageError);
    expect(() => parseCommandLine(['extra'], 'me')).toThrow(UsageError);
  });
});
