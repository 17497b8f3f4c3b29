// Child process: uses persisters, optionally kills their own clients (scenario "after-cut") so node-redis is
// reconnecting, calls cleanup() and prints "cleaned"; the parent checks the process then exits by itself.
import { State } from '@burr/core';
import { createClient } from 'redis';
import { RedisPersister } from '../../src/index.js';

const [url, namespace, scenario] = process.argv.slice(2) as [string, string, string];
const admin = createClient({ url });
await admin.connect();
// cleanup() a few moments into the reconnect: the case that used to keep the process alive, which is timing-bound.
for (const delayMs of scenario === 'after-cut' ? [0, 1, 2, 5, 10] : [0]) {
  const persister = await RedisPersister.fromUrl(url, { namespace });
  await persister.save({ partitionKey: null, appId: 'child', sequenceId: delayMs, position: 'a', state: new State({ n: 1 }), status: 'completed' });
  if (scenario === 'after-cut') {
    const id = String(await persister.client.sendCommand(['CLIENT', 'ID']));
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  await persister.cleanup();
}
await admin.close();
console.log('cleaned');
