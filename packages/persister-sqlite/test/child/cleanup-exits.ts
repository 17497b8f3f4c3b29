// Child process: uses a persister on the file given, calls cleanup() and prints "cleaned"; the parent checks the
// process then exits by itself.
import { State } from '@burr/core';
import { SQLitePersister } from '../../src/index.js';

const [dbPath] = process.argv.slice(2) as [string];
const persister = SQLitePersister.fromValues({ dbPath });
await persister.initialize();
await persister.save({ partitionKey: null, appId: 'child', sequenceId: 0, position: 'a', state: new State({ n: 1 }), status: 'completed' });
await persister.cleanup();
console.log('cleaned');
