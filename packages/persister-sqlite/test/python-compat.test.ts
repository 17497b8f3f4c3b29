import Database from 'better-sqlite3';
import { runPythonCompatCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { PYTHON_FIXTURE_DIR, tempDir } from './helpers.js';

const dir = tempDir('sqlite-compat');
afterAll(() => dir.remove());

runPythonCompatCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'SQLitePersister',
    fixtureDir: PYTHON_FIXTURE_DIR,
    open: async (sql) => {
      const dbPath = dir.path('python.db');
      const writer = new Database(dbPath);
      writer.exec(sql);
      writer.close();
      return SQLitePersister.fromValues({ dbPath });
    },
  },
);
