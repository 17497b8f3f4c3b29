// Needs no server: the driver's own error classes, built the way the driver
// builds them from a server reply.
import { Int32, MongoServerError, MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isCommandNotFoundError, isDuplicateKeyError, isIndexConflictError, isIndexRaceError, isNamespaceNotFoundError, isTransactionUnusable } from '../src/mongo-errors.js';

const serverError = (code: number | Int32) => new MongoServerError({ ok: 0, code, errmsg: `error ${String(code)}` });

describe('server error classification', () => {
  it('recognises a duplicate key (E11000), also with the code as a BSON Int32 (promoteValues: false)', () => {
    expect(isDuplicateKeyError(serverError(11000))).toBe(true);
    expect(isDuplicateKeyError(serverError(new Int32(11000)))).toBe(true);
    expect(isDuplicateKeyError(serverError(11001))).toBe(false);
  });

  it('does not mistake other errors for a duplicate key', () => {
    expect(isDuplicateKeyError(new MongoNetworkError('connection reset'))).toBe(false);
    expect(isDuplicateKeyError(new Error('E11000 in the message only'))).toBe(false);
    expect(isDuplicateKeyError({ code: '11000' })).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });

  it('recognises a missing collection and index-build races', () => {
    expect(isNamespaceNotFoundError(serverError(26))).toBe(true);
    expect(isNamespaceNotFoundError(serverError(11000))).toBe(false);
    expect(isIndexRaceError(serverError(276))).toBe(true);
    expect(isIndexRaceError(serverError(48))).toBe(true);
    expect(isIndexRaceError(serverError(85))).toBe(false);
  });

  it('recognises TTL index conflicts (another expireAfterSeconds), a missing command, and transactions the server will not run', () => {
    expect(isIndexConflictError(serverError(85))).toBe(true);
    expect(isIndexConflictError(serverError(86))).toBe(true);
    expect(isIndexConflictError(serverError(11000))).toBe(false);
    expect(isCommandNotFoundError(serverError(59))).toBe(true);
    expect(isCommandNotFoundError(serverError(26))).toBe(false);
    for (const code of [20, 257, 290, 334]) expect(isTransactionUnusable(serverError(code)), String(code)).toBe(true);
    expect(isTransactionUnusable(serverError(112 /* WriteConflict: withTransaction retries it */))).toBe(false);
    expect(isTransactionUnusable(new MongoNetworkError('connection reset'))).toBe(false);
  });
});
