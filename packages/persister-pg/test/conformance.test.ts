// Needs PostgreSQL: BURR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres),
// else a Testcontainers container; without either the suite is registered as skipped with the reason.
// The own-schema harness runs from conformance-own-schema.test.ts: another file, so another worker.
import { providePostgres, runConformanceOnServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { postgresHarness } from './harness.js';

const api = { describe, it, beforeAll, afterAll };
const database = await providePostgres();

runConformanceOnServer(api, database, { name: 'postgres' }, (url) => [postgresHarness('postgres', url, false)]);
