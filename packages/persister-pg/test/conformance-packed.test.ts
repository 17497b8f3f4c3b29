// The suite's incremental half with deltas packed two sequence ids to a segment, so that nearly every case reads,
// lists, prunes and converts packed steps. Needs PostgreSQL as conformance.test.ts does.
import { providePostgres, runConformanceOnServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { postgresHarness } from './harness.js';

const api = { describe, it, beforeAll, afterAll };
const database = await providePostgres();

runConformanceOnServer(api, database, { name: 'postgres, two sequence ids a segment' }, (url) => [postgresHarness('postgres, two sequence ids a segment', url, false, 2)]);
