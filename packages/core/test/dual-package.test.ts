import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// An app may load core's ESM build and, through a dependency, its CJS build:
// both copies must accept each other's States and share one serde registry.
describe('ESM and CJS builds loaded together', () => {
  it('share State identity and the serde registry', async () => {
    const esm = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs') as typeof import('../src/index.js');
    expect(esm.State).not.toBe(cjs.State);

    const persister = new esm.InMemoryPersister();
    await persister.initialize();
    await persister.save({ appId: 'a', sequenceId: 0, position: 'p', state: new cjs.State({ n: 1 }), status: 'completed' });
    expect((await persister.load(null, 'a'))?.state.get('n')).toBe(1);
    expect(new esm.State() instanceof cjs.State).toBe(true);
    expect({} instanceof esm.State).toBe(false);

    class Money {
      constructor(readonly cents: number) {}
    }
    cjs.registerSerde<Money>({ tag: 'dual-money', matches: (v): v is Money => v instanceof Money, serialize: (m) => m.cents, deserialize: (c) => new Money(c as number) });
    try {
      expect(esm.encodeState(new esm.State({ m: new Money(3) }))).toBe('{"m":{"__burr_serde__":"dual-money","value":3}}');
    } finally {
      esm.unregisterSerde('dual-money');
    }
  });
});
