import { convertStorage, packedRecords, type StoredIncrementalRecord } from '@burr/core';
import { provideMysql, saveChatSteps } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { mysqlSuite } from './helpers.js';
import type mysql from 'mysql2/promise';

// Long enough that full mode's rows dwarf the deltas (quadratic against linear); the bench measures 1,000 and 10,000 steps.
const CHAT_STEPS = 300;
const database = await provideMysql();
const skipReason = 'skip' in database ? database.skip : undefined;

describe.skipIf(skipReason !== undefined)(`MySQL: convertStorage on the stored rows${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  const url = 'url' in database ? database.url : '';
  const suite = mysqlSuite(url, database);
  const { store } = suite;

  /** Every row of a table as stored, created_at to the microsecond. */
  const rawRows = async (table: string): Promise<string[]> => {
    const [rows] = await suite.admin.query<mysql.RowDataPacket[]>(
      `SELECT CAST(partition_key AS CHAR) AS partition_key, CAST(app_id AS CHAR) AS app_id, sequence_id, CAST(position AS CHAR) AS position, status, state,
              DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS created_at
       FROM \`${table}\` ORDER BY partition_key, app_id, sequence_id, position`,
    );
    return rows.map((row) => JSON.stringify(row));
  };

  /** The deltas packed in the segments of an incremental table. */
  const packedSteps = async (table: string): Promise<StoredIncrementalRecord[]> => {
    const [segments] = await suite.admin.query<mysql.RowDataPacket[]>(`SELECT records FROM \`${table}_segments\``);
    const records: StoredIncrementalRecord[] = [];
    for (const segment of segments) packedRecords(String(segment.records), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, records);
    return records;
  };

  /** Steps and the bytes of their states: a table's rows, and for the incremental table the deltas packed in its segments. */
  const measure = async (table: string) => {
    const [[row]] = (await suite.admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(state)), 0) AS bytes FROM \`${table}\``)) as unknown as [
      mysql.RowDataPacket[],
    ];
    const packed = table.endsWith('_incremental') ? await packedSteps(table) : [];
    return { rows: Number(row!.n) + packed.length, stateBytes: Number(row!.bytes) + packed.reduce((sum, step) => sum + Buffer.byteLength(step.state), 0) };
  };

  it(`a ${CHAT_STEPS}-step chat: full → incremental stores append deltas; back to full, every row is what it was, created_at to the microsecond`, async () => {
    const tableName = store.table('burr_conv');
    await using full = MySQLPersister.fromUrl(url, { tableName, clientOptions: { connectionLimit: 2 } });
    await using incremental = MySQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { connectionLimit: 2 } });
    await full.initialize();
    await saveChatSteps(full, { appId: 'chat', steps: CHAT_STEPS, messageLength: 160, failedEvery: 25 });
    const before = await rawRows(tableName);
    const fullSize = await measure(tableName);
    const started = performance.now();
    const there = await convertStorage({ from: full, to: incremental });
    const thereMs = performance.now() - started;
    const incrementalSize = await measure(`${tableName}_incremental`);
    expect(there).toMatchObject({ appsConverted: 1, stepsConverted: CHAT_STEPS, bytesBefore: fullSize.stateBytes, bytesAfter: incrementalSize.stateBytes });
    expect(incrementalSize.rows).toBe(CHAT_STEPS);
    const [[appends]] = (await suite.admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${tableName}_incremental\` WHERE state LIKE '%"+messages":%'`)) as unknown as [
      mysql.RowDataPacket[],
    ];
    const packedAppends = (await packedSteps(`${tableName}_incremental`)).filter((step) => step.state.includes('"+messages":')).length;
    expect(Number(appends!.n) + packedAppends).toBeGreaterThan(CHAT_STEPS * 0.95);
    const backStarted = performance.now();
    await convertStorage({ from: incremental, to: full });
    const backMs = performance.now() - backStarted;
    const after = await rawRows(tableName);
    expect(after.length).toBe(CHAT_STEPS);
    expect(after.every((row, i) => row === before[i])).toBe(true);
    expect((await measure(`${tableName}_incremental`)).rows).toBe(0);
    console.log(
      `[measured] MySQL ${CHAT_STEPS}-step chat: full ${fullSize.rows} rows, ${fullSize.stateBytes} state bytes; incremental ${incrementalSize.rows} rows, ${incrementalSize.stateBytes} state bytes; ` +
        `full → incremental ${Math.round(thereMs)} ms, back ${Math.round(backMs)} ms`,
    );
  }, 300_000);
});
