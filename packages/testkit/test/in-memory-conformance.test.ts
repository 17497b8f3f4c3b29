import { InMemoryPersister, InMemoryStore } from '@burr/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runPersisterConformance, type PersisterOpenOptions } from '../src/index.js';

// The reference behaviour: the suite must pass against core's in-memory persister.
const stores = new WeakMap<object, InMemoryStore>();
const open = (store = new InMemoryStore(), options: PersisterOpenOptions = {}) => {
  const persister = new InMemoryPersister({ store, ...options.storage });
  stores.set(persister, store);
  return persister;
};

runPersisterConformance(
  { describe, it, beforeAll, afterAll },
  {
    name: 'in-memory',
    capabilities: { readsBeforeInitialize: 'empty', storageModes: ['full', 'incremental'] },
    create: async (options) => {
      const persister = open(undefined, options);
      if (options?.serdeKwargs) persister.setSerdeKwargs(options.serdeKwargs);
      return persister;
    },
    connectAgain: async (persister, options) => open(stores.get(persister), options),
    withCallerClient: async (options) => {
      const store = new InMemoryStore();
      return {
        persister: new InMemoryPersister({ store, ...options?.storage }),
        clientStillWorks: async () => {
          const probe = new InMemoryPersister({ store, ...options?.storage });
          return (await probe.load(null, 'own')) !== null;
        },
        closeClient: async () => {},
      };
    },
  },
);
