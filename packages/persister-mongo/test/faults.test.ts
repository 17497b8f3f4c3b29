// Connection faults without a MongoDB server, through the shared cases of @burr/testkit: a refused port and a server
// that accepts and never answers (neither needs a real MongoDB). On a live server the conformance suite loses a save's
// reply through a proxy; MongoDB has no command that ends one client's connections, so the server-side cut cases of
// the other backends are skipped there, saying so.
import { runConnectionFaultCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MongoDBPersister } from '../src/index.js';

runConnectionFaultCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'MongoDBPersister',
    backend: 'MongoDB',
    // The driver's server selection retries a refused port until serverSelectionTimeoutMS (our connectTimeoutMs).
    refusalWaitsForTimeout: true,
    openers: {
      fromValues: ({ address, secret, timeouts }) => MongoDBPersister.fromValues({ url: `mongodb://burr:${secret}@${address}/?directConnection=true`, ...timeouts }),
      fromConfig: ({ address, secret, timeouts }) => MongoDBPersister.fromConfig({ url: `mongodb://burr:${secret}@${address}/?directConnection=true`, ...timeouts }),
    },
  },
);
