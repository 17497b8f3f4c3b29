import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidPersistArgumentError, SQL_SERVER_CONFIG_FIELDS, readPersisterConfig, readSqlServerConfig } from '@burr/core';

const schema = {
  dbPath: { type: 'string', required: true },
  tableName: { type: 'string' },
  poolSize: { type: 'number' },
  options: { type: 'object' },
} as const;

function errorOf(body: () => unknown): InvalidPersistArgumentError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPersistArgumentError);
    return error as InvalidPersistArgumentError;
  }
  throw new Error('expected an error');
}

describe('readPersisterConfig', () => {
  it('returns the known options, leaving absent optional ones out', () => {
    const values = readPersisterConfig('P', { dbPath: 'a.db', tableName: undefined, options: { x: 1 } }, schema);
    expect(values).toEqual({ dbPath: 'a.db', options: { x: 1 } });
    expect('tableName' in values).toBe(false);
  });

  it('rejects a missing required option, naming it', () => {
    expect(errorOf(() => readPersisterConfig('P', { tableName: 't' }, schema)).message).toBe('P.fromConfig(): option "dbPath" is required');
  });

  it('rejects an option of the wrong type', () => {
    expect(errorOf(() => readPersisterConfig('P', { dbPath: 3 }, schema)).message).toMatch(/"dbPath" must be a string, got number/);
    expect(errorOf(() => readPersisterConfig('P', { dbPath: 'a', options: [] }, schema)).message).toMatch(/"options" must be an object, got an array/);
    expect(errorOf(() => readPersisterConfig('P', { dbPath: 'a', options: new Date() }, schema)).message).toMatch(/got Date/);
  });

  it('rejects unknown options such as Python snake_case keys, listing the known ones', () => {
    const message = errorOf(() => readPersisterConfig('P', { db_path: 'a.db' }, schema)).message;
    expect(message).toContain('unknown option "db_path"');
    expect(message).toContain('dbPath, tableName, poolSize, options');
  });

  it('rejects a config that is not a plain object', () => {
    expect(errorOf(() => readPersisterConfig('P', null, schema)).message).toMatch(/takes a config object, got null/);
    expect(errorOf(() => readPersisterConfig('P', 'a.db', schema)).message).toMatch(/got string/);
  });
});

describe('readSqlServerConfig', () => {
  const serverSchema = { ...SQL_SERVER_CONFIG_FIELDS, schema: { type: 'string' } } as const;

  it('splits a url from the other options', () => {
    expect(readSqlServerConfig('P', { url: 'x://h/db', tableName: 't', schema: 's' }, serverSchema)).toEqual({ url: 'x://h/db', options: { tableName: 't', schema: 's' } });
  });

  it("splits Python's from_values connection values from the other options", () => {
    const read = readSqlServerConfig('P', { dbName: 'db', user: 'u', host: 'h', port: 1, operationTimeoutMs: 5 }, serverSchema);
    expect(read).toEqual({ values: { dbName: 'db', user: 'u', host: 'h', port: 1, password: undefined }, options: { operationTimeoutMs: 5 } });
  });

  it('types and checks an option that is one of a few words', () => {
    const read = readSqlServerConfig('P', { url: 'x://h/db', storage: 'incremental' }, serverSchema);
    expectTypeOf(read.options.storage).toEqualTypeOf<'full' | 'incremental' | undefined>();
    expect(read.options.storage).toBe('incremental');
    expect(errorOf(() => readSqlServerConfig('P', { url: 'x://h/db', storage: 'Full' }, serverSchema)).message).toBe(
      'P.fromConfig(): option "storage" must be "full" or "incremental", got "Full"',
    );
  });

  it('refuses a url together with connection values, and neither', () => {
    expect(errorOf(() => readSqlServerConfig('P', { url: 'x://h/db', host: 'h' }, serverSchema)).message).toBe(
      'P.fromConfig(): give either "url" or dbName/user/password/host/port, not both',
    );
    expect(errorOf(() => readSqlServerConfig('P', { dbName: 'db', user: 'u' }, serverSchema)).message).toBe(
      'P.fromConfig(): options "dbName", "user" and "host" are required (or give "url")',
    );
  });
});
