import { uniqueName, type ProvidedDatabase } from '@burr/testkit';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisPersister } from '../src/index.js';

export { serverAddress, urlAt } from '@burr/testkit';

/** A unique namespace, e.g. `burr_test_1a2b3c4d`. */
export function uniqueNamespace(prefix = 'burr_test'): string {
  return uniqueName(prefix);
}

/** A connected client for set-up and inspection. */
export async function testClient(url: string, options: Parameters<typeof createClient>[0] = {}) {
  const client = createClient({ ...options, url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * What a suite of server tests shares, registered inside its `describe`: a
 * scratch store, an admin client (`admin`, connected before the first test)
 * and the persisters the tests opened (push them to `opened`). After the
 * suite, the persisters are cleaned up, the namespaces dropped, the client
 * closed and the provided server stopped.
 */
export function redisSuite(url: string, database: ProvidedDatabase) {
  const store = scratch(url);
  const opened: RedisPersister[] = [];
  const suite = { store, opened, admin: undefined as unknown as Awaited<ReturnType<typeof testClient>> };
  beforeAll(async () => {
    suite.admin = await testClient(url);
  });
  afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
    await store.drop();
    await suite.admin?.close();
    if ('stop' in database) await database.stop();
  });
  return suite;
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

/**
 * Cuts persisters' connections from the server side, for the conformance
 * suite's connection-cut cases. Each client opened through `open()` gets its
 * own client name (node-redis sets it again on every reconnect); `cut()`
 * finds that name in `CLIENT LIST` and runs `CLIENT KILL ID` on exactly
 * those connections, so other tests' clients live on.
 */
export function connectionCutter(url: string) {
  const names = new WeakMap<object, string>();
  let admin: Awaited<ReturnType<typeof testClient>> | undefined;
  return {
    /** Calls `create` with client options carrying a fresh client name, and remembers it for the persister. */
    async open<P extends object>(create: (clientOptions: { name: string }) => Promise<P>): Promise<P> {
      const name = uniqueNamespace('burr_cut');
      const persister = await create({ name });
      names.set(persister, name);
      return persister;
    },
    /** Kills every connection of `persister`'s client; resolves to how many there were. */
    async cut(persister: object): Promise<number> {
      const name = names.get(persister);
      if (name === undefined) throw new Error('cut(): this persister was not opened through the cutter');
      admin ??= await testClient(url);
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      const ids = list
        .split('\n')
        .filter((line) => line.split(' ').includes(`name=${name}`))
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      let cut = 0;
      for (const id of ids) cut += Number(await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]));
      return cut;
    },
    async close(): Promise<void> {
      await admin?.close();
    },
  };
}

/** What {@link monitorCommands} saw: the commands one connection sent, and those scripts ran on the persister's keys. */
export interface MonitoredCommands {
  fromClient: string[];
  /** Each with the length of its MONITOR line (the size of its arguments). */
  fromScripts: Array<{ command: string; length: number }>;
}

/**
 * The commands `persister`'s connection sent while `work` ran, and the ones
 * scripts ran on keys of its namespace, read from MONITOR. After `work`, a
 * marker command goes through `admin`: MONITOR reports commands in the
 * order the server ran them, so seeing the marker means nothing is still on
 * its way, however slow the machine.
 */
export async function monitorCommands(
  url: string,
  admin: Awaited<ReturnType<typeof testClient>>,
  persister: RedisPersister,
  work: () => Promise<unknown>,
): Promise<MonitoredCommands> {
  const client = persister.client as unknown as { sendCommand(args: string[]): Promise<unknown> };
  const id = String(await client.sendCommand(['CLIENT', 'ID']));
  const address = /\baddr=(\S+)/.exec(String(await admin.sendCommand(['CLIENT', 'LIST', 'ID', id])))![1]!;
  const marker = uniqueName('burr_monitor_end');
  const seen: MonitoredCommands = { fromClient: [], fromScripts: [] };
  let markerSeen!: () => void;
  const ended = new Promise<void>((resolve) => (markerSeen = resolve));
  const monitor = await testClient(url);
  await monitor.monitor((line: string) => {
    // `<time> [<db> <addr>] "command" "arg"...`; commands a script runs show `lua` as their address.
    const command = /\] "([^"]+)"/.exec(line)?.[1]?.toUpperCase();
    if (!command) return;
    if (line.includes(`"${marker}"`)) markerSeen();
    else if (line.includes(` ${address}]`)) seen.fromClient.push(command);
    else if (line.includes(' lua]') && line.includes(`${persister.namespace}:`)) seen.fromScripts.push({ command, length: line.length });
  });
  try {
    await work();
    await admin.sendCommand(['ECHO', marker]);
    await ended;
  } finally {
    monitor.destroy();
  }
  return seen;
}
