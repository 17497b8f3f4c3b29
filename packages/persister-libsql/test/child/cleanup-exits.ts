// Child process: uses a persister on the URL given, calls cleanup() and prints "cleaned"; the parent checks the
// process then exits by itself. A remote URL nothing listens on exercises the failed-connection path.
import { State } from '@burr/core';
import { LibSQLPersister } from '../../src/index.js';

const [url] = process.argv.slice(2) as [string];
const persister = LibSQLPersister.fromValues({ url, connectTimeoutMs: 300, operationTimeoutMs: 300 });
try {
  await persister.initialize();
  await persister.save({ partitionKey: null, appId: 'child', sequenceId: 0, position: 'a', state: new State({ n: 1 }), status: 'completed' });
} catch (error) {
  console.log(`failed ${(error as { code?: string }).code}`);
}
await persister.cleanup();
console.log('cleaned');
