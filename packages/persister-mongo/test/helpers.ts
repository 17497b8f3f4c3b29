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
