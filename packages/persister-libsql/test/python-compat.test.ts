import { runPythonCompatCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { PYTHON_FIXTURE_DIR, tempDir } from './helpers.js';

const dir = tempDir('libsql-compat');
afterAll(() => dir.remove());

// On a `:memory:` database (which lives on one connection) and on a file.
for (const where of ['memory', 'file'] as const) {
  runPythonCompatCases(
    { describe, it, beforeAll, afterAll },
    {
      name: `LibSQLPersister (${where})`,
      fixtureDir: PYTHON_FIXTURE_DIR,
      open: async (sql) => {
        const persister = LibSQLPersister.fromValues({ url: where === 'memory' ? ':memory:' : dir.url('python.db') });
        await persister.client.executeMultiple(sql);
        return persister;
      },
    },
  );
}
