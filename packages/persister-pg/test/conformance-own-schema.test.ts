// Needs PostgreSQL: BURR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// else a Testcontainers container; without either the suite is registered as skipped with the reason.
// PostgreSQLPersister with `schema` set: every case on a schema of its own (the default schema: conformance.test.ts).
import { providePostgres, runConformanceOnServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { postgresHarness } from './harness.js';

const api = { describe, it, beforeAll, afterAll };
const database = await providePostgres();

// Cases that never touch the table by name (value encoding, the runner, connection faults) run in conformance.test.ts.
runConformanceOnServer(api, database, { name: 'postgres (own schema)' }, (url) => [postgresHarness('postgres (own schema)', url, true)], {
  skipGroups: { groups: ['values', 'value-fuzz', 'application', 'connection-cuts'], reason: 'independent of the schema; they run on the default schema in conformance.test.ts' },
});
