import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** A unique namespace, e.g. `burr_test_1a2b3c4d`. */
export function uniqueNamespace(prefix = 'burr_test'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A connected client for set-up and inspection. */
export async function testClient(url: string, options: Parameters<typeof createClient>[0] = {}) {
  const client = createClient({ ...options, url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Namespaces a test file used; `drop()` deletes their keys. SCAN is fine
 * here, in test teardown only; the persister itself never scans.
 */
export function scratch(url: string) {
  const namespaces: string[] = [];
  return {
    namespace(prefix?: string): string {
      const name = uniqueNamespace(prefix);
      namespaces.push(name);
      return name;
    },
    async drop(): Promise<void> {
      const client = await testClient(url);
      try {
        for (const namespace of namespaces) {
          for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) {
            if (keys.length > 0) await client.del(keys);
          }
        }
      } finally {
        await client.close();
      }
    },
  };
}
