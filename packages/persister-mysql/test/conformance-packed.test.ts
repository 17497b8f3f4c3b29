// The suite's incremental half with deltas packed two sequence ids to a segment, so that nearly every case reads,
// lists, prunes and converts packed steps. Needs MySQL or MariaDB as conformance.test.ts does.
import { provideMysql, runConformanceOnServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { mysqlHarness } from './harness.js';

const api = { describe, it, beforeAll, afterAll };
const database = await provideMysql();

runConformanceOnServer(api, database, { name: 'mysql, two sequence ids a segment' }, (url) => mysqlHarness(url, 2));
