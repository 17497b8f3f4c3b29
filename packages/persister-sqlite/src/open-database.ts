import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_BUSY_TIMEOUT_MS, InvalidPersistArgumentError } from '@burr/core';
import Database from 'better-sqlite3';
import { nativeAddonError } from './native-addon.js';

/**
 * Opens a better-sqlite3 connection tuned for a state store: the parent
 * directory is created when missing, WAL lets readers and one writer (also
 * in other processes) work at once, and `synchronous = NORMAL` is durable
 * across application crashes in WAL mode while skipping an fsync per commit.
 */
export function openDatabase(dbPath: string, clientOptions: Database.Options = {}): Database.Database {
  if (typeof dbPath !== 'string') throw new InvalidPersistArgumentError(`dbPath must be a string (a file path or ":memory:"), got ${typeof dbPath}`);
  if (isFilePath(dbPath) && !clientOptions.readonly) mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(dbPath, { timeout: DEFAULT_BUSY_TIMEOUT_MS, ...clientOptions });
  } catch (error) {
    // better-sqlite3 loads its addon with the first connection: an install that skipped its build fails only here.
    throw nativeAddonError(error) ?? error;
  }
  try {
    if (!db.readonly && !db.memory) {
      // Switching a fresh file to WAL needs an exclusive lock; processes opening it at once can get SQLITE_BUSY here.
      retryWhileBusy(db, () => db.pragma('journal_mode = WAL'));
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

/**
 * Runs `work`, again and again while it fails with SQLITE_BUSY, for up to the
 * connection's busy timeout. SQLite skips its busy handler where waiting could
 * deadlock (a reader upgrading to writer, a journal-mode change), so several
 * processes initializing one fresh file can see SQLITE_BUSY despite the
 * timeout; the retry, after the others' short transactions end, succeeds.
 */
export function retryWhileBusy<T>(db: Database.Database, work: () => T): T {
  const budgetMs = Number(db.pragma('busy_timeout', { simple: true })) || DEFAULT_BUSY_TIMEOUT_MS;
  const giveUpAt = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED');
      if (!busy || Date.now() >= giveUpAt) throw error;
      // Synchronous like the rest of better-sqlite3: a short sleep without the event loop, 1 ms growing to 50 ms.
      Atomics.wait(SLEEPER, 0, 0, Math.min(50, 2 ** attempt));
    }
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
