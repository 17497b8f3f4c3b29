import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidPersistArgumentError } from '@burr/core';
import Database from 'better-sqlite3';

/** How long a connection waits for another one's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a better-sqlite3 connection tuned for a state store: the parent
 * directory is created when missing, WAL lets readers and one writer (also
 * in other processes) work at once, and `synchronous = NORMAL` is durable
 * across application crashes in WAL mode while skipping an fsync per commit.
 */
export function openDatabase(dbPath: string, connectOptions: Database.Options = {}): Database.Database {
  if (typeof dbPath !== 'string') throw new InvalidPersistArgumentError(`dbPath must be a string (a file path or ":memory:"), got ${typeof dbPath}`);
  if (isFilePath(dbPath) && !connectOptions.readonly) mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  const db = new Database(dbPath, { timeout: DEFAULT_BUSY_TIMEOUT_MS, ...connectOptions });
  try {
    if (!db.readonly && !db.memory) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** `':memory:'` and `''` (a private temporary database) are not files. */
function isFilePath(dbPath: string): boolean {
  return dbPath !== ':memory:' && dbPath !== '';
}
