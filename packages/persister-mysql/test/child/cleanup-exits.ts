// Child process: uses a persister, optionally kills its connection (scenario "after-cut") or points it at a
// server that never answers ("silent", port in argv), calls cleanup() and prints "cleaned"; the parent checks
// that the process then exits by itself, i.e. no handle of ours is left.
import { State } from '@burr/core';
import mysql from 'mysql2/promise';
import { MySQLPersister } from '../../src/index.js';

const [url, tableName, scenario] = process.argv.slice(2) as [string, string, string];
if (scenario === 'silent') {
  const persister = MySQLPersister.fromUrl(url, { tableName, connectTimeoutMs: 200, operationTimeoutMs: 200 });
  await persister.initialize().catch((error: { code?: string }) => console.log(`failed ${error.code}`));
  await persister.cleanup();
} else {
  const persister = MySQLPersister.fromUrl(url, { tableName });
  await persister.initialize();
  await persister.save({ partitionKey: null, appId: 'child', sequenceId: 0, position: 'a', state: new State({ n: 1 }), status: 'completed' });
  if (scenario === 'after-cut') {
    // Calls ran one at a time, so the pool holds one connection: this one.
    const [rows] = await persister.client.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    const admin = await mysql.createConnection(url);
    await admin.query(`KILL ${Number(rows[0]?.id)}`);
    await admin.end();
  }
  await persister.cleanup();
}
console.log('cleaned');
