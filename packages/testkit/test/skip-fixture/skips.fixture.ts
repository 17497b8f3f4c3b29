// Each way the repository skips, for skip-reporter.test.ts; run by that test only.
import { describe, it } from 'vitest';

describe.skip('a conformance-style suite [skipped: set FIXTURE_URL (e.g. x://127.0.0.1:1)]', () => {
  it('is skipped', () => {});
});

describe.skipIf(true)('a skipIf suite [skipped: no container runtime]', () => {
  it('one', () => {});
  it('two', () => {});
  describe('nested', () => {
    it('three', () => {});
  });
});

describe('servers', () => {
  it.skip('pg: skipped, set FIXTURE_PG_URL', () => {});
  it('decides at run time', (context) => {
    context.skip('nothing answers at 127.0.0.1:1');
  });
  it.skip('a skip without a reason', () => {});
  it.todo('a test still to write');
  it('runs', () => {});
});
