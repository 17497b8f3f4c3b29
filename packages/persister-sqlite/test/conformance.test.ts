import Database from 'better-sqlite3';
import type { SerdeKwargs } from '@burr/core';
import { runPersisterConformance } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-conformance');
const dbPaths = new WeakMap<object, string>();
let databases = 0;

function open(dbPath: string, serdeKwargs?: SerdeKwargs): SQLitePersister {
  const persister = SQLitePersister.fromValues({ dbPath, serdeKwargs });
  dbPaths.set(persister, dbPath);
  return persister;
}

runPersisterConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'sqlite',
    // Deleted steps leave free pages in the file until VACUUM, which compact() runs.
    capabilities: { compactReclaimsSpace: true },
    create: async (options) => open(dir.path(`db-${databases++}.sqlite`), options?.serdeKwargs),
    connectAgain: async (persister) => open(dbPaths.get(persister)!),
    withCallerClient: async () => {
      const db = new Database(dir.path(`caller-${databases++}.sqlite`));
      return {
        persister: new SQLitePersister(db),
        clientStillWorks: async () => db.open && db.prepare('SELECT count(*) AS n FROM burr_state').get() !== undefined,
        closeClient: async () => void db.close(),
      };
    },
    teardown: async () => dir.remove(),
  },
);
