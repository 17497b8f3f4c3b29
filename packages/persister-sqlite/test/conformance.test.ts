import Database from 'better-sqlite3';
import type { SerdeKwargs, StorageModeOptions } from '@burr/core';
import { runPersisterConformance } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-conformance');
const dbPaths = new WeakMap<object, string>();
let databases = 0;

function open(dbPath: string, serdeKwargs?: SerdeKwargs, storage?: StorageModeOptions): SQLitePersister {
  const persister = SQLitePersister.fromValues({ dbPath, serdeKwargs, ...storage });
  dbPaths.set(persister, dbPath);
  return persister;
}

runPersisterConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'sqlite',
    // Deleted steps leave free pages in the file until VACUUM, which compact() runs.
    capabilities: { compactReclaimsSpace: true, storageModes: ['full', 'incremental'] },
    create: async (options) => open(dir.path(`db-${databases++}.sqlite`), options?.serdeKwargs, options?.storage),
    connectAgain: async (persister, options) => open(dbPaths.get(persister)!, undefined, options?.storage),
    withCallerClient: async (options) => {
      const db = new Database(dir.path(`caller-${databases++}.sqlite`));
      return {
        persister: new SQLitePersister(db, options?.storage),
        clientStillWorks: async () => db.open && db.prepare('SELECT 1 AS one').get() !== undefined,
        closeClient: async () => void db.close(),
      };
    },
    teardown: async () => dir.remove(),
  },
);
