/**
 * Median latency of PostgreSQLPersister.save / load (latest) against the same
 * statement sent straight through postgres.js, ~1 KB state, one connection.
 * Not a test: `BURR_TEST_POSTGRES_URL=... npx tsx scripts/latency.ts [rounds]`.
 */
import { State, burrSqlStatements, encodeState } from '@burr/core';
import { PostgreSQLPersister } from '../src/index.js';

const url = process.env.BURR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rounds = Number(process.argv[2] ?? 2000);
const tableName = `burr_latency_${process.pid}`;
const persister = PostgreSQLPersister.fromUrl(url, { tableName, connectionOptions: { max: 1 } });
const sql = persister.sql;
const statements = burrSqlStatements('postgres', tableName);

const state = (i: number) =>
  new State({ messages: Array.from({ length: 8 }, (_, k) => ({ role: k % 2 ? 'assistant' : 'user', content: 'x'.repeat(90) })), i, __SEQUENCE_ID: i, __PRIOR_STEP: 'chat' });
console.log(`state size: ${encodeState(state(0)).length} bytes of JSON`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

try {
  await persister.initialize();
  const t = { save: [] as number[], rawInsert: [] as number[], load: [] as number[], rawSelect: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const s = state(i);
    t.save.push(await time(() => persister.save({ partitionKey: 'p', appId: 'persister', sequenceId: i, position: 'chat', state: s, status: 'completed' })));
    const json = encodeState(s);
    t.rawInsert.push(await time(() => sql.unsafe(statements.insert, ['p', 'raw', i, 'chat', 'completed', json, new Date()], { prepare: true })));
    t.load.push(await time(() => persister.load('p', 'persister')));
    t.rawSelect.push(await time(() => sql.unsafe(statements.selectLatest, ['p', 'raw'], { prepare: true })));
  }
  const warm = (xs: number[]) => xs.slice(Math.min(100, Math.floor(xs.length / 10)));
  console.log(`rounds: ${rounds} (first ${Math.min(100, Math.floor(rounds / 10))} dropped as warm-up)`);
  console.log(`save         median ${median(warm(t.save)).toFixed(3)} ms   raw INSERT  median ${median(warm(t.rawInsert)).toFixed(3)} ms`);
  console.log(`load latest  median ${median(warm(t.load)).toFixed(3)} ms   raw SELECT  median ${median(warm(t.rawSelect)).toFixed(3)} ms`);
} finally {
  await sql.unsafe(`DROP TABLE IF EXISTS "${tableName}"`);
  await persister.cleanup();
}
