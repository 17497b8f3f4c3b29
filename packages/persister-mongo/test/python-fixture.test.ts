// The documents Python Burr 0.40.2's b_pymongo.MongoDBBasePersister writes, kept in
// packages/testkit/fixtures/python-burr-0.40.2-mongo/ with what Python's own load() and
// list_app_ids() returned for them. They were captured with mongomock, not a MongoDB server (see
// that folder's README.md). The first group needs no server; the second needs MongoDB:
// BURR_TEST_MONGO_URL, else a Testcontainers container, else a server on 127.0.0.1:27017; without
// any, it is registered as skipped with the reason.
import { readFileSync } from 'node:fs';
import { decodeState } from '@burr/core';
import { provideMongo, readPythonCompatFixture, runPythonCompatCases, unifyNoPartition } from '@burr/testkit';
import { BSON, Int32, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromDocument, MongoDBPersister } from '../src/index.js';
import { scratchDatabase } from './helpers.js';

const FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-mongo/', import.meta.url);
const DOCUMENTS_JSON = readFileSync(new URL('documents.json', FIXTURE_DIR), 'utf8');
/** The documents in MongoDB Extended JSON v2, canonical: each field with the BSON type pymongo gave it. */
const parseDocuments = (text: string) => (BSON.EJSON.parse(text, { relaxed: false }) as Array<Record<string, unknown>>).map((document) => ({ ...document }));

describe('documents Python Burr wrote, decoded without a server', () => {
  const documents = parseDocuments(DOCUMENTS_JSON);
  const fixture = unifyNoPartition(readPythonCompatFixture(FIXTURE_DIR, { dataFile: 'documents.json' }));

  it('have the fields and BSON types of MongoDBBasePersister.save(): Int32 sequence ids, null for no partition, state as JSON text', () => {
    expect(documents).toHaveLength(15);
    for (const document of documents) {
      expect(Object.keys(document)).toEqual(['partition_key', 'app_id', 'sequence_id', 'position', 'state', 'status', 'created_at']);
      expect(document.sequence_id).toBeInstanceOf(Int32);
      expect(typeof document.state).toBe('string');
      expect(document.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    }
    expect(documents.filter((document) => document.partition_key === null).map((document) => document.app_id)).toEqual(['app-N', 'app-N']);
    expect(documents.filter((document) => document.status === 'failed').map((document) => `${String(document.app_id)}:${Number(document.sequence_id)}`)).toEqual([
      'app-E:1',
      'app-B:1',
    ]);
  });

  it("each decodes to the step Python's load() returned for its key", () => {
    let compared = 0;
    for (const document of documents) {
      const record = fromDocument(document);
      const call = fixture.loads.find(
        (candidate) =>
          candidate.expected !== null &&
          candidate.sequenceId === Number(record.sequenceId) &&
          candidate.appId === record.appId &&
          candidate.expected.partitionKey === record.partitionKey,
      );
      expect(call, `${record.appId}:${String(record.sequenceId)}`).toBeDefined();
      const { state, ...key } = call!.expected!;
      expect({ partitionKey: record.partitionKey, appId: record.appId, sequenceId: Number(record.sequenceId), position: record.position, status: record.status }).toEqual(key);
      expect(decodeState(record.state, {}).getAll()).toEqual(state);
      compared++;
    }
    expect(compared).toBe(documents.length);
  });
});

const database = await provideMongo();
const TITLE = 'MongoDBPersister on documents Python Burr wrote';

if ('skip' in database) {
  describe.skip(`${TITLE} [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const scratch = scratchDatabase(url, 'burr_python_fixture');
  const client = new MongoClient(url);
  const persisters: MongoDBPersister[] = [];
  afterAll(async () => {
    await Promise.allSettled(persisters.map((persister) => persister.cleanup()));
    await scratch.drop();
    await client.close();
    await database.stop();
  });

  runPythonCompatCases(
    { describe, it, beforeAll, afterAll },
    {
      name: TITLE,
      fixtureDir: FIXTURE_DIR,
      dataFile: 'documents.json',
      // Python matches partition_key None and '' apart; for us they are one partition.
      unifyNoPartition: true,
      open: async (documentsJson) => {
        const collectionName = scratch.collection();
        await client.db(scratch.dbName).collection(collectionName).insertMany(parseDocuments(documentsJson));
        const persister = new MongoDBPersister(client, { dbName: scratch.dbName, collectionName });
        persisters.push(persister);
        return persister;
      },
    },
  );
}
