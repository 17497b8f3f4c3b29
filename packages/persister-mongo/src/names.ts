import { InvalidIdentifierError } from '@burr/core';

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing NUL is what this pattern is for.
const DATABASE_FORBIDDEN = /[/\\. "$*<>:|?\u0000]/;

/** Throws unless `name` is a database name MongoDB accepts on every platform. */
export function assertDatabaseName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) >= 64 || DATABASE_FORBIDDEN.test(name)) {
    throw new InvalidIdentifierError('MongoDB database name', name, 'use 1-63 bytes without / \\ . space " $ * < > : | ? or NUL');
  }
}

/** Throws unless `name` is an ordinary (non-system) collection name. */
export function assertCollectionName(name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    Buffer.byteLength(name) > 200 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing NUL is what this pattern is for.
    /[$\u0000]/.test(name) ||
    name.startsWith('system.') ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..')
  ) {
    throw new InvalidIdentifierError('MongoDB collection name', name, 'use 1-200 bytes without "$", NUL, ".." or a leading "system."');
  }
}
