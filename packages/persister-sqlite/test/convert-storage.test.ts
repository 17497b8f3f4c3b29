// convertStorage on SQLite files, checked on the rows themselves: a round trip gives back every row of the Python
// table byte for byte (state text and created_at text), a conversion killed by SIGKILL midway loses nothing and a
// re-run completes it, and a table Python Burr wrote converts both ways with Python's load() results intact.
// Prints the sizes of the measured example in docs/incremental-storage.md ("Converting between modes").
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { ApplicationBuilder, action, convertStorage, packedRecords, parsePythonJson, State, type SerdeKwargs, type StoredIncrementalRecord } from '@burr/core';
import { readPythonCompatFixture, runNode } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { PYTHON_FIXTURE_DIR, tempDir } from './helpers.js';

const dir = tempDir('sqlite-convert');
// Long enough that full mode's rows dwarf the deltas (quadratic against linear); the bench measures 1,000 and 10,000 steps.
const CHAT_STEPS = 300;
afterAll(() => dir.remove());
let files = 0;

/** Both modes of one fresh SQLite file. */
function bothModes(dbPath = dir.path(`convert-${++files}.db`), serdeKwargs?: SerdeKwargs) {
  return {
    dbPath,
    full: SQLitePersister.fromValues({ dbPath, serdeKwargs }),
    incremental: SQLitePersister.fromValues({ dbPath, storage: 'incremental' }),
  };
}

type RawRow = { partition_key: string; app_id: string; sequence_id: number; position: string; status: string; state: string; created_at: string };

/** Every step of a table as stored, in key order: its rows, and for the incremental table the deltas packed in its segments. */
function rawRows(dbPath: string, table: string): RawRow[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    if (!exists) return [];
    const rows = db
      .prepare(`SELECT partition_key, app_id, sequence_id, position, status, state, created_at FROM ${table} ORDER BY partition_key, app_id, sequence_id, position`)
      .all() as RawRow[];
    if (!table.endsWith('_incremental')) return rows;
    const segments = db.prepare(`SELECT partition_key, app_id, records FROM ${table}_segments`).all() as Array<{ partition_key: string; app_id: string; records: string }>;
    for (const segment of segments) {
      const records: StoredIncrementalRecord[] = [];
      packedRecords(segment.records, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, records);
      for (const { sequenceId, position, status, state, createdAt } of records) {
        rows.push({
          partition_key: segment.partition_key,
          app_id: segment.app_id,
          sequence_id: Number(sequenceId),
          position,
          status: String(status),
          state,
          created_at: String(createdAt),
        });
      }
    }
    const key = (row: RawRow) => [row.partition_key, row.app_id, String(row.sequence_id).padStart(12, '0'), row.position].join('\u0000');
    return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  } finally {
    db.close();
  }
}

/** Steps, JSON bytes of their states (a packed delta's included), and pages (the table, its indexes, its app index and segments) of a table. */
function measure(dbPath: string, table: string): { rows: number; stateBytes: number; storedBytes: number } {
  const steps = rawRows(dbPath, table);
  const db = new Database(dbPath, { readonly: true });
  try {
    const pages = 'SELECT coalesce(sum(d.pgsize), 0) AS bytes FROM dbstat d JOIN sqlite_master m ON m.name = d.name WHERE m.tbl_name IN (?, ?, ?)';
    const { bytes } = db.prepare(pages).get(table, `${table}_apps`, `${table}_segments`) as { bytes: number };
    return { rows: steps.length, stateBytes: steps.reduce((sum, row) => sum + Buffer.byteLength(row.state), 0), storedBytes: bytes };
  } finally {
    db.close();
  }
}

/** The bench's chat: each step appends a ~200-byte message (random text, so nothing compresses it away). */
async function saveChat(persister: SQLitePersister, appId: string, steps: number): Promise<void> {
  await persister.initialize();
  let state: State = new State({ messages: [] as unknown[] });
  for (let n = 0; n < steps; n++) {
    const content = randomBytes(120).toString('base64').slice(0, 160);
    state = state.append({ messages: { role: n % 2 ? 'assistant' : 'user', content } }).update({ __SEQUENCE_ID: n, __PRIOR_STEP: n % 2 ? 'respond' : 'ask' });
    await persister.save({ appId, sequenceId: n, position: n % 2 ? 'respond' : 'ask', state, status: n % 25 === 24 ? 'failed' : 'completed' });
  }
}

describe('SQLite: convertStorage on the stored rows', () => {
  it(`a ${CHAT_STEPS}-step chat: full → incremental stores a snapshot and append deltas; back to full, every row is byte for byte what it was`, async () => {
    const { dbPath, full, incremental } = bothModes();
    await saveChat(full, 'chat', CHAT_STEPS);
    const before = rawRows(dbPath, 'burr_state');
    const fullSize = measure(dbPath, 'burr_state');

    const started = performance.now();
    const there = await convertStorage({ from: full, to: incremental });
    const thereMs = performance.now() - started;
    const incrementalSize = measure(dbPath, 'burr_state_incremental');
    expect(there).toMatchObject({ appsConverted: 1, stepsConverted: CHAT_STEPS, bytesBefore: fullSize.stateBytes, bytesAfter: incrementalSize.stateBytes });
    expect(measure(dbPath, 'burr_state').rows).toBe(0);
    expect(incrementalSize.rows).toBe(CHAT_STEPS);
    // Snapshots are rows; deltas are rows, or packed in segments.
    const kinds = new Database(dbPath, { readonly: true });
    const snapshots = (kinds.prepare('SELECT count(*) AS n FROM burr_state_incremental WHERE base_sequence_id IS NULL').get() as { n: number }).n;
    kinds.close();
    const appends = rawRows(dbPath, 'burr_state_incremental').filter((row) => row.state.includes('"+messages":')).length;
    expect(snapshots).toBeLessThan(15);
    expect(appends).toBeGreaterThan(CHAT_STEPS * 0.95);
    // The created_at of every row, to the microsecond.
    expect(rawRows(dbPath, 'burr_state_incremental').map((row) => `${row.sequence_id}|${row.position}|${row.status}|${row.created_at}`)).toEqual(
      before.map((row) => `${row.sequence_id}|${row.position}|${row.status}|${row.created_at}`),
    );

    const backStarted = performance.now();
    const back = await convertStorage({ from: incremental, to: full });
    const backMs = performance.now() - backStarted;
    expect(back).toMatchObject({ stepsConverted: CHAT_STEPS, bytesAfter: fullSize.stateBytes });
    const after = rawRows(dbPath, 'burr_state');
    expect(after.length).toBe(CHAT_STEPS);
    expect(after.every((row, i) => JSON.stringify(row) === JSON.stringify(before[i]))).toBe(true);
    expect(measure(dbPath, 'burr_state_incremental').rows).toBe(0);
    console.log(
      `[measured] SQLite ${CHAT_STEPS}-step chat: full ${fullSize.rows} rows, ${fullSize.stateBytes} state bytes, ${fullSize.storedBytes} bytes of pages; ` +
        `incremental ${incrementalSize.rows} rows (${snapshots} snapshots), ${incrementalSize.stateBytes} state bytes, ${incrementalSize.storedBytes} bytes of pages; ` +
        `full → incremental ${Math.round(thereMs)} ms, back ${Math.round(backMs)} ms`,
    );
    await full.cleanup();
    await incremental.cleanup();
  }, 120_000);

  it('an app converted to incremental is not started over by a full-mode application: building it refuses, no action runs', async () => {
    const { full, incremental } = bothModes();
    await full.initialize();
    await full.save({ appId: 'counter', sequenceId: 0, position: 'count', state: new State({ count: 1 }), status: 'completed' });
    await convertStorage({ from: full, to: incremental });
    let runs = 0;
    const count = action({
      reads: ['count'],
      writes: ['count'],
      run: (state: State) => {
        runs++;
        return state.update({ count: (state.get('count') as number) + 1 });
      },
    });
    const building = new ApplicationBuilder()
      .withActions({ count })
      .withTransitions(['count', 'count'])
      .initializeFrom(full, { resumeAtNextAction: true, defaultState: { count: 0 }, defaultEntrypoint: 'count' })
      .withStatePersister(full)
      .withIdentifiers({ appId: 'counter' })
      .build();
    await expect(building).rejects.toMatchObject({ code: 'BURR_STORAGE_MODE_MISMATCH', storedMode: 'incremental', persisterMode: 'full' });
    expect(runs).toBe(0);
    expect((await incremental.load('', 'counter'))?.state.get('count')).toBe(1);
    await full.cleanup();
    await incremental.cleanup();
  });

  it('a conversion killed (SIGKILL) midway loses no step; a re-run resumes it, and the way back gives every row back', async () => {
    const { dbPath, full, incremental } = bothModes();
    await saveChat(full, 'first', 150);
    await saveChat(full, 'second', 150);
    const before = rawRows(dbPath, 'burr_state');
    await full.cleanup();
    const child = await runNode(['--import', 'tsx', 'test/child/convert.ts', dbPath, '220'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
      timeoutMs: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).not.toContain('converted');
    expect(child.code).toBe(null);
    // Every step is stored in one mode or both; the second app is in both.
    const inFull = rawRows(dbPath, 'burr_state');
    const inIncremental = rawRows(dbPath, 'burr_state_incremental');
    const key = (row: RawRow) => `${row.app_id}|${row.sequence_id}|${row.position}`;
    const held = new Set([...inFull, ...inIncremental].map(key));
    expect(held.size).toBe(300);
    expect(inIncremental.length).toBeGreaterThanOrEqual(220);
    expect(inIncremental.length).toBeLessThan(300);
    expect(new Set(inFull.map((row) => row.app_id))).toEqual(new Set(['second']));

    const fresh = bothModes(dbPath);
    const resumed = await convertStorage({ from: fresh.full, to: fresh.incremental });
    expect(resumed).toMatchObject({ appsScanned: 1, appsConverted: 1, stepsConverted: 150 });
    expect(resumed.stepsResumed).toBe(inIncremental.length - 150);
    expect(rawRows(dbPath, 'burr_state')).toEqual([]);
    await convertStorage({ from: fresh.incremental, to: fresh.full });
    const after = rawRows(dbPath, 'burr_state');
    expect(after.map((row) => JSON.stringify(row))).toEqual(before.map((row) => JSON.stringify(row)));
    await fresh.full.cleanup();
    await fresh.incremental.cleanup();
    await incremental.cleanup();
  }, 120_000);

  it("a table Python Burr wrote converts to incremental and back; Python's load() results hold in both modes", async () => {
    const fixture = readPythonCompatFixture(PYTHON_FIXTURE_DIR);
    const dbPath = dir.path(`python-${++files}.db`);
    const writer = new Database(dbPath);
    writer.exec(fixture.data);
    writer.close();
    const before = rawRows(dbPath, 'burr_state');
    // Back in full mode for stock Python Burr: plain JSON (an integer beyond 2^53 bare, not tagged).
    const { full, incremental } = bothModes(dbPath, { valueEncoding: 'python-plain' });
    const check = async (persister: SQLitePersister, mode: string) => {
      for (const call of fixture.loads) {
        const loaded = await persister.load(call.partitionKey, call.appId, call.sequenceId);
        const what = `${mode}: load(${JSON.stringify(call.partitionKey)}, ${call.appId}, ${call.sequenceId})`;
        if (call.expected === null) expect(loaded, what).toBeNull();
        else {
          const { state, ...key } = call.expected;
          expect(
            loaded && { partitionKey: loaded.partitionKey, appId: loaded.appId, sequenceId: loaded.sequenceId, position: loaded.position, status: loaded.status },
            what,
          ).toEqual(key);
          expect(loaded?.state.getAll(), what).toEqual(state);
        }
      }
    };
    const there = await convertStorage({ from: full, to: incremental });
    expect(there.stepsConverted).toBe(before.length);
    await check(incremental, 'incremental');
    await convertStorage({ from: incremental, to: full });
    await check(full, 'full');
    const after = rawRows(dbPath, 'burr_state');
    // The same rows; Python's second-precision times come back with a fraction of zeros (the same instant), and the
    // state JSON without Python's spaces, with the same values as JavaScript reads them (Python's whole floats, 1.0,
    // are written back as integers: the difference docs/python-api-mapping.md lists for any state TypeScript saves).
    expect(after.map((row) => [row.partition_key, row.app_id, row.sequence_id, row.position, row.status, parsePythonJson(row.state)])).toEqual(
      before.map((row) => [row.partition_key, row.app_id, row.sequence_id, row.position, row.status, parsePythonJson(row.state)]),
    );
    expect(after.map((row) => row.created_at)).toEqual(before.map((row) => `${row.created_at}.000000`));
    await full.cleanup();
    await incremental.cleanup();
  });
});
