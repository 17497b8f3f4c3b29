import { InMemoryPersister, InMemoryStore } from '@burr/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runPersisterConformance } from '../src/index.js';

// The reference behaviour: the suite must pass against core's in-memory persister.
const stores = new WeakMap<object, InMemoryStore>();
const open = (store = new InMemoryStore()) => {
  const persister = new InMemoryPersister({ store });
  stores.set(persister, store);
  return persister;
};

runPersisterConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'in-memory',
    capabilities: { readsBeforeInitialize: 'empty' },
    create: async (options) => {
      const persister = open();
      if (options?.serdeKwargs) persister.setSerdeKwargs(options.serdeKwargs);
      return persister;
    },
    connectAgain: async (persister) => open(stores.get(persister)),
    withCallerClient: async () => {
      const store = new InMemoryStore();
      return {
        persister: new InMemoryPersister({ store }),
        clientStillWorks: async () => {
          const probe = new InMemoryPersister({ store });
          return (await probe.load(null, 'own')) !== null;
        },
        closeClient: async () => {},
      };
    },
  },
);
