// TestApi must take each runner's functions as they are, with no adapter: this file fails to typecheck otherwise.
import * as nodeTest from 'node:test';
import * as vitest from 'vitest';
import { describe, expect, it } from 'vitest';
import type { TestApi } from '../src/index.js';

describe('TestApi', () => {
  it("accepts node:test's describe/it/before/after and Vitest's describe/it/beforeAll/afterAll unchanged", () => {
    const fromNodeTest: TestApi = { describe: nodeTest.describe, it: nodeTest.it, beforeAll: nodeTest.before, afterAll: nodeTest.after };
    const fromVitest: TestApi = { describe: vitest.describe, it: vitest.it, beforeAll: vitest.beforeAll, afterAll: vitest.afterAll };
    expect(typeof fromNodeTest.it.skip).toBe('function');
    expect(typeof fromVitest.describe.skip).toBe('function');
  });
});
