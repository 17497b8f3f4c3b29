import { describe, expect, it } from 'vitest';
import { InvalidPersistArgumentError, readPersisterConfig } from '@burr/core';

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
