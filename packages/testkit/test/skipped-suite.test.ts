// A skipped conformance suite registers each of its real cases as skipped, so skip counts are honest.
import { InMemoryPersister } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { runPersisterConformance, type PersisterCapabilities, type TestApi } from '../src/index.js';

interface Registered {
  path: string;
  skipped: boolean;
}

/** A TestApi that runs nothing and records every case's title path, and whether it was registered as skipped. */
function recordingApi(): { api: TestApi; cases: Registered[] } {
  const cases: Registered[] = [];
  const path: string[] = [];
  let skipDepth = 0;
  const suite = (skipped: boolean) => (name: string, body: () => void) => {
    path.push(name);
    if (skipped) skipDepth++;
    body();
    if (skipped) skipDepth--;
    path.pop();
  };
  const test = (skipped: boolean) => (name: string) =>
    cases.push({ path: [...path.slice(1), name].join(' > ').replace(/ \[skipped: [^\]]*\]/g, ''), skipped: skipped || skipDepth > 0 });
  return {
    api: {
      describe: Object.assign(suite(false), { skip: suite(true) }),
      it: Object.assign(test(false), { skip: test(true) }),
      beforeAll: () => {},
      afterAll: () => {},
    },
    cases,
  };
}

function liveCases(capabilities: PersisterCapabilities): Registered[] {
  const { api, cases } = recordingApi();
  const open = async () => new InMemoryPersister();
  runPersisterConformance(api, {
    name: 'live',
    capabilities,
    create: open,
    connectAgain: open,
    withCallerClient: async () => ({ persister: new InMemoryPersister(), clientStillWorks: async () => true, closeClient: async () => {} }),
    cutConnections: async () => 0,
    viaProxy: { target: { host: '127.0.0.1', port: 1 }, create: open },
  });
  return cases;
}

describe('runPersisterConformance with { skip }', () => {
  for (const capabilities of [
    { storageModes: ['full', 'incremental'] },
    { needsInitialize: false, positionsPerSequence: 'one', storageModes: ['full', 'incremental'] },
  ] satisfies PersisterCapabilities[]) {
    it(`registers every case the live suite has, each as skipped (capabilities ${JSON.stringify(capabilities)})`, () => {
      const live = liveCases(capabilities);
      const { api, cases } = recordingApi();
      runPersisterConformance(api, { name: 'offline', skip: 'no server in this test', capabilities });
      expect(live.length).toBeGreaterThan(30);
      expect(live.every((registered) => !registered.skipped)).toBe(true);
      expect(cases.map((registered) => registered.path)).toEqual(live.map((registered) => registered.path));
      expect(cases.every((registered) => registered.skipped)).toBe(true);
    });
  }

  it('puts the reason in the title of the skipped suite', () => {
    const titles: string[] = [];
    const { api } = recordingApi();
    const skip = Object.assign(
      (name: string, body: () => void) => {
        titles.push(name);
        api.describe(name, body);
      },
      {
        skip: (name: string, body: () => void) => {
          titles.push(name);
          api.describe.skip!(name, body);
        },
      },
    );
    runPersisterConformance({ ...api, describe: skip }, { name: 'offline', skip: 'set BURR_TEST_X_URL' });
    expect(titles[0]).toBe('offline persister conformance [skipped: set BURR_TEST_X_URL]');
  });
});

describe('runPersisterConformance without an incremental storage mode', () => {
  it('registers the incremental run as skipped, with the reason in its title, and runs the full-mode cases', () => {
    const titles: string[] = [];
    const { api, cases } = recordingApi();
    const describeRecording = Object.assign(
      (name: string, body: () => void) => {
        titles.push(name);
        api.describe(name, body);
      },
      {
        skip: (name: string, body: () => void) => {
          titles.push(name);
          api.describe.skip!(name, body);
        },
      },
    );
    const open = async () => new InMemoryPersister();
    runPersisterConformance(
      { ...api, describe: describeRecording },
      {
        name: 'full-only',
        create: open,
        connectAgain: open,
        withCallerClient: async () => ({ persister: new InMemoryPersister(), clientStillWorks: async () => true, closeClient: async () => {} }),
      },
    );
    expect(titles[0]).toBe('full-only persister conformance');
    const incrementalTitle = titles.find((title) => title.startsWith('full-only persister conformance (incremental storage) [skipped: '));
    expect(incrementalTitle).toContain("storageModes do not list 'incremental'");
    const live = cases.filter((registered) => !registered.skipped);
    const skipped = cases.filter((registered) => registered.skipped);
    expect(live.length).toBeGreaterThan(30);
    // The skipped run has every case of the full run (modulo the embedded-backend skips both share), plus the incremental ones.
    expect(skipped.some((registered) => registered.path.includes('incremental storage > mixing storage modes'))).toBe(true);
  });
});
