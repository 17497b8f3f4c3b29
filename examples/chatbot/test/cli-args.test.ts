import { describe, expect, it } from 'vitest';
import { UsageError, parseCommandLine } from '../src/cli-args.js';

describe('parseCommandLine', () => {
  it('defaults to SQLite, a new conversation, and the given partition key', () => {
    expect(parseCommandLine([], 'me')).toEqual({
      kind: 'chat',
      options: { backend: 'sqlite', url: undefined, dbPath: undefined, appId: undefined, partitionKey: 'me', list: false, forkFrom: undefined, forkAt: undefined },
    });
  });

  it('reads every option, in --flag value and --flag=value forms', () => {
    const parsed = parseCommandLine(['--backend=libsql', '--db', 'x.db', '--partition-key=ada', '--fork-from', 'abc', '--at=4'], 'me');
    expect(parsed).toMatchObject({ kind: 'chat', options: { backend: 'libsql', dbPath: 'x.db', partitionKey: 'ada', forkFrom: 'abc', forkAt: 4 } });
    expect(parseCommandLine(['-h'], 'me')).toEqual({ kind: 'help' });
  });

  it('rejects what cannot work with a UsageError naming the problem', () => {
    expect(() => parseCommandLine(['--backend', 'oracle'], 'me')).toThrow(new UsageError('Unknown backend "oracle"; choose one of: sqlite, libsql, pg, mysql, redis, mongo.'));
    expect(() => parseCommandLine(['--url', 'file:x.db'], 'me')).toThrow(/--url is for server backends/);
    expect(() => parseCommandLine(['--fork-from', 'a', '--app-id', 'a'], 'me')).toThrow(/name the same conversation/);
    expect(() => parseCommandLine(['--fork-from', 'a', '--at', '-1'], 'me')).toThrow(UsageError);
    expect(() => parseCommandLine(['extra'], 'me')).toThrow(UsageError);
  });
});
