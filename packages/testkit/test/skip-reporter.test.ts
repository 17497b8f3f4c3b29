// The skip reporter (scripts/skip-reporter.ts, listed in vitest.shared.ts)
// and the summary `pnpm test` ends with: a real vitest run of a fixture that
// skips in every way the repository does, then what it recorded and printed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonInTitle } from '../../../scripts/skip-reporter.js';
import { formatFailureSummary, formatSkipSummary, readSkipRecords, type PackageSkips } from '../../../scripts/skip-summary.mjs';

const fixtureDir = fileURLToPath(new URL('./skip-fixture/', import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

async function runFixture(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [vitestBin, 'run'], {
    cwd: fixtureDir,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 120_000,
  });
  return stdout;
}

/** Runs the failing fixture; resolves with vitest's exit code. */
async function runFailingFixture(env: NodeJS.ProcessEnv): Promise<number> {
  try {
    await runFixture({ ...env, FIXTURE_INCLUDE: '*.failing.ts' });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('a vitest run under pnpm test (BURR_SKIP_REPORT_DIR set)', () => {
  let dir: string;
  let records: PackageSkips[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'burr-skips-'));
    await runFixture({ ...process.env, BURR_SKIP_REPORT_DIR: dir });
    records = readSkipRecords(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one record for the package, counting every test, with no failure', () => {
    expect(readdirSync(dir)).toHaveLength(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ package: 'skip-fixture', total: 9, skippedTests: 8, failed: [] });
    expect(formatFailureSummary(records)).toBe('');
  });

  it('records each skipped suite once, with its reason and the tests it skipped', () => {
    expect(records[0]!.skipped).toEqual([
      { file: 'skips.fixture.ts', title: 'a conformance-style suite', reason: 'set FIXTURE_URL (e.g. x://127.0.0.1:1)', tests: 1 },
      { file: 'skips.fixture.ts', title: 'a skipIf suite', reason: 'no container runtime', tests: 3 },
      { file: 'skips.fixture.ts', title: 'pg', reason: 'set FIXTURE_PG_URL', tests: 1 },
      { file: 'skips.fixture.ts', title: 'decides at run time', reason: 'nothing answers at 127.0.0.1:1', tests: 1 },
      { file: 'skips.fixture.ts', title: 'a skip without a reason', reason: expect.stringMatching(/^no reason given/), tests: 1 },
      { file: 'skips.fixture.ts', title: 'a test still to write', reason: 'todo', tests: 1 },
    ]);
  });

  it('prints nothing of its own: the summary comes after turbo', async () => {
    const stdout = await runFixture({ ...process.env, BURR_SKIP_REPORT_DIR: dir });
    expect(stdout).not.toContain('Skipped tests:');
  });
});

describe('a failing vitest run under pnpm test', () => {
  let dir: string;
  let exitCode: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'burr-failures-'));
    exitCode = await runFailingFixture({ ...process.env, BURR_SKIP_REPORT_DIR: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records each failed test with its title path and the start of its error', () => {
    expect(exitCode).toBe(1);
    const [record] = readSkipRecords(dir);
    expect(record!.failed.map((unit) => `${unit.file} > ${unit.title}`)).toEqual(['fails.failing.ts > a suite > compares', 'fails.failing.ts > throws']);
    expect(record!.failed[0]!.error).toContain('expected { steps: 3 } to deeply equal { steps: 4 }');
    expect(record!.failed[0]!.error).toMatch(/fails\.failing\.ts:6/);
    expect(record!.failed[1]!.error).toContain('TypeError: the persister is closed');
  });

  it('prints a failure block naming the package, each test and its error', () => {
    const summary = formatFailureSummary(readSkipRecords(dir));
    expect(summary.split('\n').slice(0, 3)).toEqual(['Failed tests: 2 in 1 of 1 packages.', '  skip-fixture', '    x fails.failing.ts > a suite > compares']);
    expect(summary).toContain('        TypeError: the persister is closed');
  });
});

describe('a vitest run on its own', () => {
  it('ends with the package block of the summary', async () => {
    const env = { ...process.env };
    delete env.BURR_SKIP_REPORT_DIR;
    const stdout = await runFixture(env);
    expect(stdout).toContain('Skipped tests: 8 in 1 of 1 packages; a skip is not a pass.');
    expect(stdout).toContain('    why: no container runtime\n      - skips.fixture.ts > a skipIf suite (3 tests)');
  });
});

describe('the summary', () => {
  const pg: PackageSkips = {
    package: '@burr/persister-pg',
    total: 84,
    skippedTests: 2,
    skipped: [
      { file: 'test/conformance.test.ts', title: 'postgres persister conformance', reason: 'set BURR_TEST_POSTGRES_URL', tests: 1 },
      { file: 'test/postgres-persister.test.ts', title: 'PostgreSQLPersister', reason: 'set BURR_TEST_POSTGRES_URL', tests: 1 },
    ],
    failed: [],
  };
  const core: PackageSkips = { package: '@burr/core', total: 300, skippedTests: 0, skipped: [], failed: [] };

  it('gives each reason once per package, with what it skipped, and names the packages that skipped nothing', () => {
    expect(formatSkipSummary([core, pg])).toBe(
      [
        'Skipped tests: 2 in 1 of 2 packages; a skip is not a pass.',
        '  @burr/persister-pg: 2 of 84 tests skipped',
        '    why: set BURR_TEST_POSTGRES_URL',
        '      - test/conformance.test.ts > postgres persister conformance',
        '      - test/postgres-persister.test.ts > PostgreSQLPersister',
        '  nothing skipped in: @burr/core',
      ].join('\n'),
    );
  });

  it('says so when nothing was skipped, and when no run recorded anything', () => {
    expect(formatSkipSummary([core])).toBe('Skipped tests: none (1 packages ran their tests).');
    expect(formatSkipSummary([])).toBe('Skipped tests: no test run recorded its results.');
  });

  it('reads the reason from each title style the repository uses', () => {
    expect(reasonInTitle('redis persister conformance [skipped: set BURR_TEST_REDIS_URL (e.g. redis://x)]')).toEqual({
      title: 'redis persister conformance',
      reason: 'set BURR_TEST_REDIS_URL (e.g. redis://x)',
    });
    expect(reasonInTitle('the Redis example (skipped: set BURR_TEST_REDIS_URL (e.g. redis://x))')).toEqual({
      title: 'the Redis example',
      reason: 'set BURR_TEST_REDIS_URL (e.g. redis://x)',
    });
    expect(reasonInTitle('mongo: skipped, set BURR_TEST_MONGO_URL')).toEqual({ title: 'mongo', reason: 'set BURR_TEST_MONGO_URL' });
    expect(reasonInTitle('skips exponent-like text inside strings')).toBeNull();
  });
});
