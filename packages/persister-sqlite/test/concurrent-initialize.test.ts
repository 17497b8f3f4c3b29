// Several processes run initialize() on one fresh file at the same moment: each must wait for the others'
// locks and succeed, never fail with SQLITE_BUSY.
import { fileURLToPath } from 'node:url';
import { runNode, temporaryDirectory } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';

const PROCESSES = 6;
const ROUNDS = 3;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dir = temporaryDirectory('sqlite-init');
afterAll(() => dir.remove());

describe('SQLitePersister.initialize() from several processes', () => {
  it(`${PROCESSES} processes on a fresh file, ${ROUNDS} rounds: every one succeeds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dbPath = dir.path(`round-${round}.db`);
      // Children load in ~1 s; they then start together at this moment.
      const startAt = Date.now() + 2500;
      const runs = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          runNode(['--import', 'tsx', 'test/child/initialize.ts', dbPath, String(startAt)], {
            cwd: packageDir,
            env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
            timeoutMs: 30_000,
          }),
        ),
      );
      expect(runs.map((run) => run.stdout.trim() || run.stderr.trim())).toEqual(Array(PROCESSES).fill('ok'));
      expect(runs.map((run) => run.code)).toEqual(Array(PROCESSES).fill(0));
      await using persister = SQLitePersister.fromValues({ dbPath });
      expect(await persister.isInitialized()).toBe(true);
    }
  }, 120_000);
});
