// Child process: a persister on a MongoDB URL that cannot answer (a refused port), one failed call, cleanup(),
// then "cleaned"; the parent checks the process then exits by itself (no monitor or socket left).
import { MongoDBPersister } from '../../src/index.js';

const [url] = process.argv.slice(2) as [string];
const persister = MongoDBPersister.fromValues({ url, connectTimeoutMs: 300, operationTimeoutMs: 300 });
try {
  await persister.initialize();
} catch (error) {
  console.log(`failed ${(error as { code?: string }).code}`);
}
await persister.cleanup();
console.log('cleaned');
