// The fault, cleanup-exit and corrupt-row builders register, without a server, the same cases as with one, each
// skipped under a title carrying the reason, and never touch the hooks that would reach the server.
import { InMemoryPersister } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { runCleanupExitCases, runConnectionFaultCases, runCorruptRowCases, type ProvidedDatabase, type TestApi } from '../src/index.js';

/** A case as a runner would list it: its suites' titles and its own, and whether it would run. */
interface Registered {
  path: string;
  skipped: boolean;
}

/** Runs `register` with a TestApi that runs no case, and lists the cases it registered, and every suite title. */
function record(register: (api: TestApi) => void): { cases: Registered[]; suites: string[] } {
  const cases: Registered[] = [];
  const suites: string[] = [];
  const open: Array<{ title: string; skipped: boolean }> = [];
  const group = (skipped: boolean) => (title: string, body: () => void) => {
    suites.push(title);
    open.push({ title: title.replace(/ \[skipped: [^\]]*\]/g, ''), skipped });
    try {
      body();
    } finally {
      open.pop();
    }
  };
  const test = (skipped: boolean) => (title: string) => {
    cases.push({ path: [...open.map((suite) => suite.title), title].join(' > '), skipped: skipped || open.some((suite) => suite.skipped) });
  };
  const noHook = () => {};
  register({ describe: Object.assign(group(false), { skip: group(true) }), it: Object.assign(test(false), { skip: test(true) }), beforeAll: noHook, afterAll: noHook });
  return { cases, suites };
}

const unreachable = (): never => {
  throw new Error('a skipped case reached for the server');
};
const live: ProvidedDatabase = { url: 'memory://', source: 'env', stop: async () => {} };
const skipped: ProvidedDatabase = { skip: 'no server in this test' };

/** Registers with a live server and without one; returns what each registered. */
function registerBoth(register: (api: TestApi, server: ProvidedDatabase) => void): { live: Registered[]; skipped: Registered[]; skippedTitles: string[] } {
  const withServer = record((api) => register(api, live));
  const without = record((api) => register(api, skipped));
  return { live: withServer.cases, skipped: without.cases, skippedTitles: without.suites };
}

const builders: Record<string, (api: TestApi, server: ProvidedDatabase) => void> = {
  runConnectionFaultCases: (api, server) =>
    runConnectionFaultCases(api, { name: 'memory', backend: 'memory', openers: { only: async () => new InMemoryPersister() }, server, live: unreachable }),
  runCleanupExitCases: (api, server) => runCleanupExitCases(api, { name: 'memory', packageDir: new URL('..', import.meta.url), server, stores: unreachable }),
  runCorruptRowCases: (api, server) => runCorruptRowCases(api, { name: 'memory', server, stores: unreachable, open: unreachable, writeRaw: unreachable }),
};

describe('case builders without a server', () => {
  for (const [builder, register] of Object.entries(builders)) {
    it(`${builder}: registers every server case as skipped, saying why, and touches no hook`, () => {
      const { live: withServer, skipped: without, skippedTitles } = registerBoth(register);
      const serverCases = withServer.filter((registered) => !without.some((other) => other.path === registered.path && !other.skipped));
      expect(serverCases.length).toBeGreaterThan(1);
      expect(without.map((registered) => registered.path)).toEqual(withServer.map((registered) => registered.path));
      for (const registered of without) expect(registered.skipped).toBe(serverCases.some((serverCase) => serverCase.path === registered.path));
      expect(skippedTitles.some((title) => title.endsWith('[skipped: no server in this test]'))).toBe(true);
    });
  }
});
