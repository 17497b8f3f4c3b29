import Database from 'better-sqlite3';
import type { SerdeKwargs, StorageModeOptions } from '@burr/core';
import { runPersisterConformance } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SQLitePersister, type SQLitePersisterOptions } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-conformance');
const dbPaths = new WeakMap<object, string>();
let databases = 0;

type SegmentOptions = Pick<SQLitePersisterOptions, 'segmentSteps'>;

function open(dbPath: string, serdeKwargs?: SerdeKwargs, storage?: StorageModeOptions & SegmentOptions): SQLitePersister {
  const persister = SQLitePersister.fromValues({ dbPath, serdeKwargs, ...storage });
  dbPaths.set(persister, dbPath);
  return persister;
}

/**
 * The suite on SQLite; `segmentSteps` given, in incremental mode only, with
 * deltas packed that many sequence ids to a segment (the default, 64, packs
 * none in the suite's short histories).
 */
function conformance(name: string, segmentSteps?: number): void {
  const packed = (storage?: StorageModeOptions): (StorageModeOptions & SegmentOptions) | undefined =>
    segmentSteps && storage?.storage === 'incremental' ? { ...storage, segmentSteps } : storage;
  runPersisterConformance(
    { describe, it, beforeAll, afterAll },
    {
      name,
      // Deleted steps leave free pages in the file until VACUUM, which compact() runs.
      capabilities: { compactReclaimsSpace: true, storageModes: segmentSteps ? ['incremental'] : ['full', 'incremental'] },
      create: async (options) => open(dir.path(`db-${databases++}.sqlite`), options?.serdeKwargs, packed(options?.storage)),
      connectAgain: async (persister, options) => open(dbPaths.get(persister)!, undefined, packed(options?.storage)),
      withCallerClient: async (options) => {
        const db = new Database(dir.path(`caller-${databases++}.sqlite`));
        return {
          persister: new SQLitePersister(db, packed(options?.storage)),
          clientStillWorks: async () => db.open && db.prepare('SELECT 1 AS one').get() !== undefined,
          closeClient: async () => void db.close(),
        };
      },
      // The last suite of the file removes the folder.
      teardown: segmentSteps ? async () => dir.remove() : undefined,
    },
  );
}

conformance('sqlite');
conformance('sqlite, two sequence ids a segment', 2);
