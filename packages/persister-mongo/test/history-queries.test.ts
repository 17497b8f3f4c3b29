// Needs no server: the history queries as the plain objects sent to MongoDB. These check their shape (which index
// prefix they start with, what they project, how cursors and cutoffs are written); whether a server answers them as
// intended is for the conformance suite, which needs MongoDB.
import { describe, expect, it } from 'vitest';
import { InvalidPersistArgumentError, type StepQuery } from '@burr/core';
import {
  appScanCursor,
  appSeeks,
  appsPipeline,
  isoCutoff,
  readAppScanCursor,
  STATE_BYTES_EXPRESSION,
  stepRemovalFilter,
  stepsOlderThan,
  stepsPipeline,
} from '../src/history-queries.js';

const query: StepQuery = { partitionKey: 'alice', appId: 'chat-1', newestFirst: true, before: undefined, after: undefined, limit: 50, withState: false };

describe('stepsPipeline (listSteps, prune reads)', () => {
  it('matches one app under $eq, sorts by the step key newest first, limits, and projects the size but not the state', () => {
    expect(stepsPipeline(query)).toEqual([
      { $match: { partition_key: { $eq: 'alice' }, app_id: { $eq: 'chat-1' } } },
      { $sort: { sequence_id: -1, position: -1 } },
      { $limit: 50 },
      { $project: { _id: 0, sequence_id: 1, position: 1, status: 1, created_at: 1, size_bytes: STATE_BYTES_EXPRESSION, base_sequence_id: 1 } },
    ]);
  });

  it('measures the state as UTF-8 bytes on the server, and yields null for a state that is not text', () => {
    expect(STATE_BYTES_EXPRESSION).toEqual({ $cond: [{ $eq: [{ $type: '$state' }, 'string'] }, { $strLenBytes: '$state' }, null] });
  });

  it('oldest first sorts ascending (least position first at one sequence id); bounds are exclusive', () => {
    const [match, sort, limit] = stepsPipeline({ ...query, newestFirst: false, after: 2, before: 9, limit: 3 });
    expect(match).toEqual({ $match: { partition_key: { $eq: 'alice' }, app_id: { $eq: 'chat-1' }, sequence_id: { $lt: 9, $gt: 2 } } });
    expect(sort).toEqual({ $sort: { sequence_id: 1, position: 1 } });
    expect(limit).toEqual({ $limit: 3 });
    expect(stepsPipeline({ ...query, before: 0 })[0]).toEqual({ $match: { partition_key: { $eq: 'alice' }, app_id: { $eq: 'chat-1' }, sequence_id: { $lt: 0 } } });
  });

  it('projects the state only with includeState', () => {
    const project = (withState: boolean) => stepsPipeline({ ...query, withState }).at(-1)?.$project as Record<string, unknown>;
    expect(project(false)).not.toHaveProperty('state');
    expect(project(true)).toMatchObject({ state: 1, size_bytes: STATE_BYTES_EXPRESSION });
  });

  it("reads the empty partition as '', null or missing, as Python stores partition_key=None", () => {
    expect(stepsPipeline({ ...query, partitionKey: '' })[0]).toEqual({ $match: { partition_key: { $in: ['', null] }, app_id: { $eq: 'chat-1' } } });
  });

  it('refuses an app id that is not a string rather than building a query from it', () => {
    expect(() => stepsPipeline({ ...query, appId: { $ne: null } as unknown as string })).toThrow(InvalidPersistArgumentError);
  });
});

describe('appsPipeline (listApps, load of a partition)', () => {
  it("groups a partition's steps by app, latest step first, and orders apps by last save text then app id, newest first", () => {
    expect(appsPipeline({ partitionKey: 'tenant', limit: 2, after: undefined })).toEqual([
      { $match: { partition_key: { $eq: 'tenant' }, app_id: { $type: 'string' } } },
      { $sort: { app_id: -1, sequence_id: -1, position: -1 } },
      {
        $group: {
          _id: '$app_id',
          last_sequence_id: { $first: '$sequence_id' },
          last_position: { $first: '$position' },
          last_status: { $first: '$status' },
          last_saved_at: { $max: { $cond: [{ $eq: [{ $type: '$created_at' }, 'string'] }, '$created_at', null] } },
        },
      },
      { $addFields: { saved_at_key: { $ifNull: ['$last_saved_at', ''] } } },
      { $sort: { saved_at_key: -1, _id: -1 } },
      { $limit: 2 },
    ]);
  });

  it('continues strictly after the cursor: saved earlier, or at the same time with a smaller app id', () => {
    const pipeline = appsPipeline({ partitionKey: '', limit: 5, after: { savedAtKey: '2026-11-22T01:57:00.123456+00:00', appId: 'm' } });
    expect(pipeline[0]).toEqual({ $match: { partition_key: { $in: ['', null] }, app_id: { $type: 'string' } } });
    expect(pipeline.slice(-3)).toEqual([
      { $match: { $or: [{ saved_at_key: { $lt: '2026-11-22T01:57:00.123456+00:00' } }, { saved_at_key: { $eq: '2026-11-22T01:57:00.123456+00:00' }, _id: { $lt: 'm' } }] } },
      { $sort: { saved_at_key: -1, _id: -1 } },
      { $limit: 5 },
    ]);
  });
});

describe('appSeeks (the app scan behind prune)', () => {
  it('scans one partition by app id, from the start or strictly after the cursor', () => {
    expect(appSeeks('p', null)).toEqual([{ filter: { partition_key: { $eq: 'p' }, app_id: { $gte: '' } }, sort: { app_id: 1 } }]);
    expect(appSeeks('p', { partitionKey: 'p', appId: 'b' })).toEqual([{ filter: { partition_key: { $eq: 'p' }, app_id: { $gt: 'b' } }, sort: { app_id: 1 } }]);
    expect(appSeeks('', { partitionKey: '', appId: 'b' })).toEqual([{ filter: { partition_key: { $in: ['', null] }, app_id: { $gt: 'b' } }, sort: { app_id: 1 } }]);
  });

  it('scans every partition: the empty one first, by app id alone, then the others in partition order', () => {
    expect(appSeeks(null, null)).toEqual([
      { filter: { partition_key: { $in: ['', null] }, app_id: { $gte: '' } }, sort: { app_id: 1 } },
      { filter: { partition_key: { $gt: '' }, app_id: { $gte: '' } }, sort: { partition_key: 1, app_id: 1 } },
    ]);
    expect(appSeeks(null, { partitionKey: '', appId: 'z' })[0]).toEqual({ filter: { partition_key: { $in: ['', null] }, app_id: { $gt: 'z' } }, sort: { app_id: 1 } });
    expect(appSeeks(null, { partitionKey: 'q', appId: 'c' })).toEqual([
      { filter: { partition_key: { $eq: 'q' }, app_id: { $gt: 'c' } }, sort: { app_id: 1 } },
      { filter: { partition_key: { $gt: 'q' }, app_id: { $gte: '' } }, sort: { partition_key: 1, app_id: 1 } },
    ]);
  });

  it('cursors read back as the app they name; anything else is an InvalidPersistArgumentError', () => {
    for (const app of [
      { partitionKey: '', appId: 'a' },
      { partitionKey: 'tenant "x"', appId: 'é,]' },
    ]) {
      expect(readAppScanCursor(appScanCursor(app))).toEqual(app);
    }
    expect(readAppScanCursor(null)).toBeNull();
    for (const bad of ['', 'x', '["a"]', '["a",1]', '{"partitionKey":"a","appId":"b"}']) expect(() => readAppScanCursor(bad), bad).toThrow(InvalidPersistArgumentError);
  });
});

describe('removals', () => {
  it('a prune batch: one app, an inclusive sequence-id range, and a created_at cutoff only when given', () => {
    const removal = { partitionKey: 'p', appId: 'a', fromSequenceId: 3, toSequenceId: 7, createdBefore: undefined };
    expect(stepRemovalFilter(removal)).toEqual({ partition_key: { $eq: 'p' }, app_id: { $eq: 'a' }, sequence_id: { $gte: 3, $lte: 7 } });
    const createdBefore = { createdAt: new Date('2026-11-22T01:57:00.123Z'), createdAtMicros: 0 };
    expect(stepRemovalFilter({ ...removal, createdBefore })).toEqual({
      partition_key: { $eq: 'p' },
      app_id: { $eq: 'a' },
      sequence_id: { $gte: 3, $lte: 7 },
      created_at: { $lt: '2026-11-22T01:57:00.123000+00:00' },
    });
  });

  it('deleteApp without a transaction: first every step older than the latest (by sequence id, then position)', () => {
    expect(stepsOlderThan('', 'a', { sequence_id: 4, position: 'respond' })).toEqual({
      partition_key: { $in: ['', null] },
      app_id: { $eq: 'a' },
      $or: [{ sequence_id: { $lt: 4 } }, { sequence_id: { $eq: 4 }, position: { $lt: 'respond' } }],
    });
  });
});

describe('isoCutoff (olderThan against created_at text)', () => {
  /** Microseconds since the epoch of a stored created_at, in either Burr's form. */
  const micros = (text: string): number => {
    const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{6}))?\+00:00$/.exec(text);
    if (!match) throw new Error(`not a stored time: ${text}`);
    return Date.parse(`${match[1]}Z`) * 1000 + Number(match[2] ?? 0);
  };

  it('writes a whole second without a fraction (the least text of that second), any other time with six digits', () => {
    expect(isoCutoff({ createdAt: new Date('2026-11-22T01:57:05.000Z'), createdAtMicros: 0 })).toBe('2026-11-22T01:57:05+00:00');
    expect(isoCutoff({ createdAt: new Date('2026-11-22T01:57:05.000Z'), createdAtMicros: 1 })).toBe('2026-11-22T01:57:05.000001+00:00');
    expect(isoCutoff({ createdAt: new Date('2026-11-22T01:57:05.120Z'), createdAtMicros: 0 })).toBe('2026-11-22T01:57:05.120000+00:00');
  });

  it('text order agrees with time order for times stored by TypeScript (six digits) and by Python (no fraction when zero)', () => {
    const stored = [
      '2026-11-22T01:57:04.999999+00:00',
      '2026-11-22T01:57:05+00:00',
      '2026-11-22T01:57:05.000000+00:00',
      '2026-11-22T01:57:05.000001+00:00',
      '2026-11-22T01:57:05.120000+00:00',
      '2026-11-22T01:57:05.120001+00:00',
      '2026-11-22T01:57:06+00:00',
    ];
    const cutoffs = [
      { createdAt: new Date('2026-11-22T01:57:05.000Z'), createdAtMicros: 0 },
      { createdAt: new Date('2026-11-22T01:57:05.000Z'), createdAtMicros: 1 },
      { createdAt: new Date('2026-11-22T01:57:05.120Z'), createdAtMicros: 0 },
      { createdAt: new Date('2026-11-22T01:57:06.000Z'), createdAtMicros: 0 },
    ];
    for (const cutoff of cutoffs) {
      const text = isoCutoff(cutoff);
      const cutoffMicros = cutoff.createdAt.getTime() * 1000 + cutoff.createdAtMicros;
      // Every stored time: removed by the text filter ($lt) exactly when it is before the cutoff in time.
      for (const time of stored) expect(time < text, `${time} < ${text}`).toBe(micros(time) < cutoffMicros);
    }
  });
});
