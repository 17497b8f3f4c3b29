import { describe, expect, it } from 'vitest';
import {
  DeserializationError,
  InvalidIdentifierError,
  InvalidPersistArgumentError,
  State,
  assertAppId,
  assertKeyComponent,
  assertSequenceId,
  burrSqlStatements,
  isPersistStatus,
  normalizePartitionKey,
  parseTimestamp,
  quoteSqlIdentifier,
  toIsoTimestamp,
  toSqlTimestamp,
  validateSaveArgs,
  type SaveStateArgs,
} from '@burr/core';

/** The error `run` throws (fails the test when it throws nothing). */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('normalizePartitionKey', () => {
  it("maps null and undefined to '' and keeps strings", () => {
    expect(normalizePartitionKey(null)).toBe('');
    expect(normalizePartitionKey(undefined)).toBe('');
    expect(normalizePartitionKey('')).toBe('');
    expect(normalizePartitionKey('user1')).toBe('user1');
  });

  it('refuses other types', () => {
    expect(() => normalizePartitionKey(5 as unknown as string)).toThrow(InvalidPersistArgumentError);
    expect(() => normalizePartitionKey({} as unknown as string)).toThrow(/partitionKey must be a string/);
  });
});

describe('assertAppId, assertSequenceId, isPersistStatus', () => {
  it('accepts non-empty app ids only', () => {
    expect(() => assertAppId('app-1')).not.toThrow();
    for (const bad of ['', null, undefined, 42]) expect(() => assertAppId(bad)).toThrow(InvalidIdentifierError);
  });

  it('accepts non-negative safe integers only', () => {
    for (const good of [0, 1, Number.MAX_SAFE_INTEGER]) expect(() => assertSequenceId(good)).not.toThrow();
    for (const bad of [-1, 1.5, Number.NaN, Infinity, '1', 2 ** 53, 1n, null]) expect(() => assertSequenceId(bad)).toThrow(InvalidPersistArgumentError);
  });

  it('knows the two statuses', () => {
    expect(isPersistStatus('completed')).toBe(true);
    expect(isPersistStatus('failed')).toBe(true);
    for (const bad of ['COMPLETED', 'done', '', null, 1]) expect(isPersistStatus(bad)).toBe(false);
  });
});

describe('assertKeyComponent', () => {
  it('accepts ordinary ids, unicode and the empty partition', () => {
    for (const good of ['user-1', 'app_2.b', 'é中😀', '', 'with space', 'a/b']) expect(() => assertKeyComponent(good, 'app id')).not.toThrow();
  });

  it('refuses separators, glob characters and control characters, naming the kind', () => {
    for (const bad of ['a:b', ':', 'a*', 'a?', '[a]', 'a]', 'back\\slash', 'new\nline', 'nul\u0000', 'tab\t', '\u001f']) {
      const error = thrownBy(() => assertKeyComponent(bad, 'partition key'));
      expect(error, JSON.stringify(bad)).toBeInstanceOf(InvalidIdentifierError);
      expect((error as InvalidIdentifierError).kind).toBe('partition key');
      expect((error as InvalidIdentifierError).value).toBe(bad);
      expect((error as InvalidIdentifierError).code).toBe('BURR_INVALID_IDENTIFIER');
    }
  });
});

describe('quoteSqlIdentifier', () => {
  it('double-quotes plain lower-case names up to 63 characters', () => {
    expect(quoteSqlIdentifier('burr_state')).toBe('"burr_state"');
    expect(quoteSqlIdentifier('_t1')).toBe('"_t1"');
    expect(quoteSqlIdentifier('a'.repeat(63))).toBe(`"${'a'.repeat(63)}"`);
  });

  it('refuses injection attempts and anything that is not a plain lower-case identifier', () => {
    const bad = [
      'x"; DROP TABLE y; --',
      'burr_state; DROP TABLE burr_state',
      'x" OR "1"="1',
      'Burr_State',
      'BURR',
      '',
      'a'.repeat(64),
      '1table',
      'my-table',
      'my table',
      'schema.table',
      'état',
      'burr_state\n',
      5,
      null,
    ];
    for (const name of bad) {
      const error = thrownBy(() => quoteSqlIdentifier(name));
      expect(error, JSON.stringify(name)).toBeInstanceOf(InvalidIdentifierError);
    }
  });

  it('names the kind of identifier in the error', () => {
    const error = thrownBy(() => quoteSqlIdentifier('Bad', 'schema name')) as InvalidIdentifierError;
    expect(error.kind).toBe('schema name');
    expect(error.message).toContain('schema name');
    expect(error.message).toContain('"Bad"');
  });
});

describe('burrSqlStatements', () => {
  it('builds the Python Burr table with quoted names and the dialect placeholders', () => {
    const sqlite = burrSqlStatements('sqlite', 'burr_state');
    expect(sqlite.createSchema[0]).toContain('CREATE TABLE IF NOT EXISTS "burr_state"');
    expect(sqlite.createSchema[0]).toContain('PRIMARY KEY (partition_key, app_id, sequence_id, position)');
    expect(sqlite.createSchema[0]).toContain('state TEXT NOT NULL');
    expect(sqlite.createSchema[1]).toBe('CREATE INDEX IF NOT EXISTS "burr_state_created_at_index" ON "burr_state" (created_at)');
    expect(sqlite.createSchema[sqlite.appIndexTableStep]).toContain('CREATE TABLE IF NOT EXISTS "burr_state_apps"');
    expect(sqlite.createSchema.at(-1)).toContain('CREATE TRIGGER IF NOT EXISTS "burr_state_apps_on_insert" AFTER INSERT ON "burr_state"');
    expect(sqlite.schemaObjectExists).toHaveLength(sqlite.createSchema.length);
    expect(sqlite.insert).toMatch(/VALUES \(\?, \?, \?, \?, \?, \?, \?\)$/);

    const pg = burrSqlStatements('postgres', 'burr_state', 'tenant_a');
    expect(pg.createSchema[0]).toContain('"tenant_a"."burr_state"');
    expect(pg.selectTableExists).toEqual({ sql: 'SELECT 1 WHERE to_regclass($1) IS NOT NULL', params: ['"tenant_a"."burr_state"'] });
    expect(sqlite.selectTableExists.params).toEqual(['table', 'burr_state']);
    expect(pg.selectAtKey).toContain('sequence_id = $3 AND position = $4');
    expect(pg.createSchema[0]).toContain('state JSONB NOT NULL');
    expect(pg.selectAtSequence).toContain('sequence_id = $3');
    expect(pg.selectLatest).toContain('state::text AS state');
  });

  it('refuses an unsafe table or schema name before building any SQL', () => {
    expect(() => burrSqlStatements('sqlite', 'x"; DROP TABLE y; --')).toThrow(InvalidIdentifierError);
    expect(() => burrSqlStatements('postgres', 'burr_state', 'Public')).toThrow(/schema name/);
    // Derived names (`<table>_apps_saved_at_index`) must stay within PostgreSQL's 63 characters, never be truncated.
    expect(() => burrSqlStatements('postgres', 'a'.repeat(44))).toThrow(/at most 43 characters/);
    expect(burrSqlStatements('postgres', 'a'.repeat(43)).appIndexTable).toBe(`"${'a'.repeat(43)}_apps"`);
  });
});

describe('timestamps', () => {
  const when = new Date('2026-11-22T01:57:00.123Z');

  it("toSqlTimestamp writes UTC with microseconds, sorting after Python's form of the same second", () => {
    expect(toSqlTimestamp(when)).toBe('2026-11-22 01:57:00.123000');
    expect(toSqlTimestamp(when, 45)).toBe('2026-11-22 01:57:00.123045');
    expect(toSqlTimestamp(when, 45) > toSqlTimestamp(when, 44)).toBe(true);
    const python = '2026-11-22 01:57:00';
    expect(toSqlTimestamp(when) > python).toBe(true);
    expect(toSqlTimestamp(new Date('2026-11-22T01:57:00.000Z')) > python).toBe(true);
    expect(toSqlTimestamp(when) < '2026-11-22 01:57:01').toBe(true);
    expect(toSqlTimestamp(new Date('2026-11-22T01:56:59.999Z')) < python).toBe(true);
  });

  it("toIsoTimestamp writes Python's isoformat() of an aware UTC datetime", () => {
    expect(toIsoTimestamp(when)).toBe('2026-11-22T01:57:00.123000+00:00');
    expect(toIsoTimestamp(when, 7)).toBe('2026-11-22T01:57:00.123007+00:00');
  });

  it("parseTimestamp reads Python's SQL form and ours as UTC", () => {
    expect(parseTimestamp('2026-11-22 01:57:00').toISOString()).toBe('2026-11-22T01:57:00.000Z');
    expect(parseTimestamp('2026-11-22 01:57:00.123').toISOString()).toBe('2026-11-22T01:57:00.123Z');
    expect(parseTimestamp(' 2026-11-22T01:57:00.123456 ').toISOString()).toBe('2026-11-22T01:57:00.123Z');
    expect(parseTimestamp('2026-11-22 01:57:00.5').toISOString()).toBe('2026-11-22T01:57:00.500Z');
  });

  it('parseTimestamp reads ISO 8601 with an offset and microseconds', () => {
    expect(parseTimestamp('2026-11-22T01:57:00.123456+00:00').toISOString()).toBe('2026-11-22T01:57:00.123Z');
    expect(parseTimestamp('2026-11-22T01:57:00+00:00').toISOString()).toBe('2026-11-22T01:57:00.000Z');
    expect(parseTimestamp('2026-11-22T03:57:00.999999+02:00').toISOString()).toBe('2026-11-22T01:57:00.999Z');
    expect(parseTimestamp('2026-11-22T01:57:00.123Z').toISOString()).toBe('2026-11-22T01:57:00.123Z');
  });

  it('parseTimestamp returns Dates as they are and reads numbers as epoch milliseconds', () => {
    expect(parseTimestamp(when)).toBe(when);
    expect(parseTimestamp(when.getTime()).toISOString()).toBe(when.toISOString());
  });

  it('round-trips both written forms', () => {
    expect(parseTimestamp(toSqlTimestamp(when)).getTime()).toBe(when.getTime());
    expect(parseTimestamp(toIsoTimestamp(when)).getTime()).toBe(when.getTime());
  });

  it('refuses text that is no time at all with a DeserializationError', () => {
    for (const bad of ['', 'yesterday', '2026-13-45 99:99:99', 'NaN']) expect(() => parseTimestamp(bad), bad).toThrow(DeserializationError);
    expect(() => parseTimestamp(Number.NaN)).toThrow(DeserializationError);
  });
});

describe('validateSaveArgs', () => {
  const good: SaveStateArgs = { partitionKey: null, appId: 'app', sequenceId: 0, position: 'counter', state: new State({ count: 1 }), status: 'completed' };

  it('returns the normalized key', () => {
    expect(validateSaveArgs(good)).toEqual({ partitionKey: '', appId: 'app', sequenceId: 0, position: 'counter' });
    expect(validateSaveArgs({ ...good, partitionKey: 'user1', status: 'failed' }).partitionKey).toBe('user1');
    const { partitionKey: _omitted, ...withoutPartition } = good;
    expect(validateSaveArgs(withoutPartition).partitionKey).toBe('');
  });

  it('names each broken argument with a typed error', () => {
    const cases: Array<[Partial<Record<keyof SaveStateArgs, unknown>>, RegExp, new (...args: never[]) => Error]> = [
      [{ appId: '' }, /app id/, InvalidIdentifierError],
      [{ appId: 7 }, /app id/, InvalidIdentifierError],
      [{ sequenceId: -1 }, /sequenceId/, InvalidPersistArgumentError],
      [{ sequenceId: 0.5 }, /sequenceId/, InvalidPersistArgumentError],
      [{ sequenceId: '3' }, /sequenceId/, InvalidPersistArgumentError],
      [{ position: '' }, /position/, InvalidPersistArgumentError],
      [{ position: 3 }, /position/, InvalidPersistArgumentError],
      [{ status: 'done' }, /status must be "completed" or "failed", got "done"/, InvalidPersistArgumentError],
      [{ status: undefined }, /status/, InvalidPersistArgumentError],
      [{ state: { count: 1 } }, /state must be a State/, InvalidPersistArgumentError],
      [{ partitionKey: 12 }, /partitionKey/, InvalidPersistArgumentError],
    ];
    for (const [patch, message, type] of cases) {
      const error = thrownBy(() => validateSaveArgs({ ...good, ...patch } as SaveStateArgs));
      expect(error, JSON.stringify(patch)).toBeInstanceOf(type);
      expect((error as Error).message, JSON.stringify(patch)).toMatch(message);
    }
    expect(() => validateSaveArgs(null as unknown as SaveStateArgs)).toThrow(InvalidPersistArgumentError);
  });
});
