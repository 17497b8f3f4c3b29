import { describe, expect, it } from 'vitest';
import { NoHistoryBackend } from './no-history-backend.js';
import { DeserializationError, State, type RecordQuery, type StateRecord, type StoredStateRecord } from '@burr/core';

/**
 * A backend whose store is one row given up front, the way drivers hand rows
 * back (numbers as strings or bigints, times as text): it checks the decoding
 * every backend shares, and what the base class passes down.
 */
class OneRowBackend extends NoHistoryBackend {
  readonly queries: RecordQuery[] = [];
  readonly inserted: StateRecord[] = [];

  constructor(private readonly row: StoredStateRecord | null) {
    super();
  }

  protected describe(): string {
    return 'OneRowBackend';
  }
  protected async createSchema(): Promise<void> {}
  protected async schemaExists(): Promise<boolean> {
    return true;
  }
  protected async insertRecord(record: StateRecord): Promise<void> {
    this.inserted.push(record);
  }
  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    this.queries.push(query);
    return this.row;
  }
  protected async findAppIds(): Promise<string[]> {
    return [];
  }
  protected async closeClient(): Promise<void> {}
}

const row: StoredStateRecord = {
  partitionKey: 'user1',
  appId: 'app-B',
  sequenceId: '4',
  position: 'counter',
  status: 'completed',
  state: '{"count": 1, "big": 100000000000000000000}',
  createdAt: '2026-11-22 01:57:00',
};

describe('RecordStatePersister decoding stored rows', () => {
  it('reads sequence ids given as strings or bigints, and SQL or ISO times', async () => {
    for (const [sequenceId, createdAt] of [
      ['4', '2026-11-22 01:57:00'],
      [4n, '2026-11-22T01:57:00.000000+00:00'],
      [4, new Date('2026-11-22T01:57:00Z')],
    ] as const) {
      const loaded = await new OneRowBackend({ ...row, sequenceId, createdAt }).load('user1', 'app-B');
      expect(loaded?.sequenceId).toBe(4);
      expect(loaded?.createdAt.toISOString()).toBe('2026-11-22T01:57:00.000Z');
      expect(loaded?.state.get('big')).toBe(100000000000000000000n);
    }
  });

  it("reads a NULL partition key (a row Python wrote with None) as ''", async () => {
    const loaded = await new OneRowBackend({ ...row, partitionKey: null }).load(null, 'app-B');
    expect(loaded?.partitionKey).toBe('');
  });

  it('refuses a row with an unknown status or an unreadable sequence id or state', async () => {
    await expect(new OneRowBackend({ ...row, status: 'running' }).load('user1', 'app-B')).rejects.toThrow(DeserializationError);
    await expect(new OneRowBackend({ ...row, status: 'running' }).load('user1', 'app-B')).rejects.toThrow(/"running"/);
    for (const sequenceId of ['four', '', '-1', '1.5']) {
      await expect(new OneRowBackend({ ...row, sequenceId }).load('user1', 'app-B'), sequenceId).rejects.toThrow(DeserializationError);
    }
    await expect(new OneRowBackend({ ...row, state: '{"count": ' }).load('user1', 'app-B')).rejects.toThrow(DeserializationError);
    await expect(new OneRowBackend({ ...row, createdAt: 'later' }).load('user1', 'app-B')).rejects.toThrow(DeserializationError);
  });

  it('passes the normalized partition key and the sequence id down, and null when no id is given', async () => {
    const backend = new OneRowBackend(null);
    await backend.load(undefined, 'app', 3);
    await backend.load('p', 'app');
    expect(backend.queries).toEqual([
      { partitionKey: '', appId: 'app', sequenceId: 3 },
      { partitionKey: 'p', appId: 'app', sequenceId: null },
    ]);
  });

  it('hands the backend the encoded JSON text and a creation time', async () => {
    const backend = new OneRowBackend(null);
    await backend.save({ appId: 'app', sequenceId: 0, position: 'a', status: 'completed', state: new State({ n: Number.NaN }) });
    expect(backend.inserted).toHaveLength(1);
    expect(backend.inserted[0]).toMatchObject({ partitionKey: '', appId: 'app', sequenceId: 0, position: 'a', status: 'completed', state: '{"n":NaN}' });
    expect(backend.inserted[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('gives steps saved one after another strictly increasing creation times, even within one millisecond', async () => {
    const backend = new OneRowBackend(null);
    const before = Date.now();
    for (let i = 0; i < 50; i++) await backend.save({ appId: 'app', sequenceId: i, position: 'a', status: 'completed', state: new State() });
    const times = backend.inserted.map((record) => record.createdAt.getTime() * 1000 + record.createdAtMicros);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    expect(times[0]).toBeGreaterThanOrEqual(before * 1000);
    expect(backend.inserted.at(-1)?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
