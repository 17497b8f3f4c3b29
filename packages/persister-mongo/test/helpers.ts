import { uniqueName } from '@burr/testkit';
import { MongoClient } from 'mongodb';

/**
 * A database of its own for one test file: `collection()` hands out fresh
 * collection names in it, `drop()` deletes the database at the end.
 */
export function scratchDatabase(url: string, prefix = 'burr_test') {
  const dbName = uniqueName(prefix);
  let collections = 0;
  return {
    dbName,
    collection(): string {
      return `steps_${++collections}`;
    },
    async drop(): Promise<void> {
      const client = new MongoClient(url);
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

/** Whether `client` still answers a ping. */
export function answersPing(client: MongoClient): Promise<boolean> {
  return client
    .db('admin')
    .command({ ping: 1 })
    .then(
      (reply) => reply.ok === 1,
      () => false,
    );
}

/** The host and port of the first server a MongoDB URL names (27017 when it names none). */
export function serverAddress(url: string): { host: string; port: number } {
  const hosts =
    url
      .replace(/^mongodb(\+srv)?:\/\//, '')
      .replace(/^[^@/]*@/, '')
      .split(/[/?]/)[0] ?? '';
  const [first = 'localhost'] = hosts.split(',');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(first);
  return { host: (match?.[1] ?? 'localhost').replace(/^\[|\]$/g, ''), port: Number(match?.[2] ?? 27017) };
}
