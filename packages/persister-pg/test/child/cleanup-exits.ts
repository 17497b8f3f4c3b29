// Child process: uses a persister, optionally cuts its connection (scenario "after-cut"), calls cleanup() and
// prints "cleaned"; the parent checks that the process then exits by itself, i.e. no handle of ours is left.
import { State } from '@burr/core';
import postgres from 'postgres';
import { PostgreSQLPersister } from '../../src/index.js';

const [url, tableName, scenario] = process.argv.slice(2) as [string, string, string];
const persister = PostgreSQLPersister.fromUrl(url, { tableName });
await persister.initialize();
await persister.save({ partitionKey: null, appId: 'child', sequenceId: 0, position: 'a', state: new State({ n: 1 }), status: 'completed' });
if (scenario === 'after-cut') {
  const [row] = await persister.client`SELECT pg_backend_pid() AS pid`;
  const pid = Number(row?.pid);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin`SELECT pg_terminate_backend(${pid})`;
  await admin.end();
}
await persister.cleanup();
console.log('cleaned');
