// Ways a run fails, for skip-reporter.test.ts; run by that test only (FIXTURE_INCLUDE).
import { describe, expect, it } from 'vitest';

describe('a suite', () => {
  it('compares', () => {
    expect({ steps: 3 }).toEqual({ steps: 4 });
  });
  it('passes', () => {});
});

it('throws', () => {
  throw new TypeError('the persister is closed');
});
