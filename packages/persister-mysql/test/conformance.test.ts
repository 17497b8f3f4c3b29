// Needs MySQL or MariaDB: BURR_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test), else a Testcontainers
// container, else a server answering on 127.0.0.1:3306; without any the suite is registered as skipped with the reason.
import { provideMysql, runConformanceOnServer } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { mysqlHarness } from './harness.js';

const api = { describe, it, beforeAll, afterAll };
const database = await provideMysql();

runConformanceOnServer(api, database, { name: 'mysql' }, (url) => mysqlHarness(url));
