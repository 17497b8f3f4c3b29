/**
 * History and retention: listSteps, listApps, deleteApp, prune and compact
 * on bulk-filled stores, against the raw driver running the persister's own
 * statements (see backends/history-*.ts); and what the app index costs each save.
 */
import { encodeState } from '@burr/core';
import type { FillLayout, FloorAppCursor, HistoryBench, HistoryStore } from '../backends/history-types.js';
import { burrState, chatState, makePayload, type Payload } from '../payload.js';
import type { Row } from '../rows.js';
import { measureTogether, summarize, timeOnce, type Budget, type Stats } from '../timing.js';

/** Sizes of one run: the full bench, or `--quick`. */
export interface HistoryPlan {
  longAppSteps: number;
  wideApps: number;
  deleteAppSteps: number;
  /** Apps each of floor and Burr delete (each a sample). */
  deletesEach: number;
  /** Rows before the prune: `pruneRows / PRUNE_STEPS_PER_APP` apps. */
  pruneRows: number;
  /** How long the writer runs without a prune, for its baseline. */
  writerBaselineMs: number;
}

export const FULL_HISTORY_PLAN: HistoryPlan = { longAppSteps: 100_000, wideApps: 100_000, deleteAppSteps: 10_000, deletesEach: 5, pruneRows: 1_000_000, writerBaselineMs: 2000 };
export const QUICK_HISTORY_PLAN: HistoryPlan = { longAppSteps: 100_000, wideApps: 100_000, deleteAppSteps: 10_000, deletesEach: 3, pruneRows: 100_000, writerBaselineMs: 1000 };

const PRUNE_STEPS_PER_APP = 100;
const PRUNE_APPS_PER_PARTITION = 1000;
const PAGE = 50;
/** listApps page timed: reached through the cursors of pages 1..99. */
const DEEP_PAGE = 100;
/** Steps per prune batch: the persister's default (DEFAULT_PRUNE_BATCH_SIZE). */
const PRUNE_BATCH = 500;

const LONG: FillLayout = { partitionPrefix: 'long', appPrefix: 'long-a', stepsPerApp: 0, appsPerPartition: 1 };
const SHORT: FillLayout = { partitionPrefix: 'short', appPrefix: 'short-a', stepsPerApp: 100, appsPerPartition: 1 };
const WIDE: FillLayout = { partitionPrefix: 'wide', appPrefix: 'wide-a', stepsPerApp: 1, appsPerPartition: 0 };
const DELETE: FillLayout = { partitionPrefix: 'del', appPrefix: 'del-a', stepsPerApp: 0, appsPerPartition: 1000 };
const PRUNE: FillLayout = { partitionPrefix: 'prune-p', appPrefix: 'prune-a', stepsPerApp: PRUNE_STEPS_PER_APP, appsPerPartition: PRUNE_APPS_PER_PARTITION };

/** The Burr JSON of a one-message state, split around its `__SEQUENCE_ID` value (as the stored-steps fill). */
function fillStateParts(): [prefix: string, suffix: string] {
  const marker = 987654321;
  const json = encodeState(burrState(chatState(1), marker));
  const at = json.indexOf(String(marker));
  return [json.slice(0, at), json.slice(at + String(marker).length)];
}

const count = (n: number) => n.toLocaleString('en-US');
const rowsLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M rows` : `${n / 1000}k rows`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const bytes = (n: number | null) => (n === null ? 'unknown' : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
const microseconds = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

/** Nearest-rank quantile of samples in ms. */
function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The section's rows for one backend, and the query plans of its SQL statements on the filled data (empty for Redis). */
export interface HistoryResult {
  rows: Row[];
  plans: string[];
  /** Seconds spent filling, per store. */
  fills: string[];
}

/** Runs the section on one backend; `log` reports progress. Rows already measured are kept in `result` if a later step fails. */
export async function historyRows(backend: string, bench: HistoryBench, plan: HistoryPlan, budget: Budget, log: (message: string) => void, result: HistoryResult): Promise<void> {
  const row = (operation: string, size: string, cells: Pick<Row, 'floor' | 'burr'>, note?: string): Row => ({
    section: 'history',
    backend,
    operation,
    size,
    ...cells,
    ...(note ? { note } : {}),
  });
  const payload = makePayload('1 KB', 1024);
  const [prefix, suffix] = fillStateParts();

  log(`${backend}: history: save with and without the app index`);
  result.rows.push(...(await saveRows(bench, payload, budget, row)));

  log(`${backend}: history: filling ${count(plan.longAppSteps + plan.wideApps + 2 * plan.deletesEach * plan.deleteAppSteps + 100)} rows`);
  const store = await bench.createStore('hist_main');
  try {
    const long = { ...LONG, stepsPerApp: plan.longAppSteps };
    const wide = { ...WIDE, appsPerPartition: plan.wideApps };
    const deleting = { ...DELETE, stepsPerApp: plan.deleteAppSteps };
    const deleteRows = 2 * plan.deletesEach * plan.deleteAppSteps;
    const fillMs = await timeOnce(async () => {
      await store.fill(long, 0, plan.longAppSteps, prefix, suffix);
      await store.fill(SHORT, 0, 100, prefix, suffix);
      await store.fill(wide, 0, plan.wideApps, prefix, suffix);
      await store.fill(deleting, 0, deleteRows, prefix, suffix);
    });
    const indexMs = await timeOnce(() => store.indexFilled());
    await store.settle?.();
    const fillNote = `filled ${count(plan.longAppSteps + plan.wideApps + deleteRows + 100)} rows in ${seconds(fillMs)}, app index built in ${seconds(indexMs)}`;
    result.fills.push(fillNote);
    const listing = await listingRows(store, plan, budget, row, fillNote);
    result.rows.push(...listing.rows);
    log(`${backend}: history: deleteApp`);
    if (store.explain) {
      result.plans.push(
        ...(await store.explain({
          longApp: { partitionKey: 'long0', appId: 'long-a0' },
          shortApp: { partitionKey: 'short0', appId: 'short-a0' },
          wideApps: { partitionKey: 'wide0', cursor: listing.deepCursor },
        })),
      );
    }
    result.rows.push(await deleteRow(store, plan, row));
  } finally {
    await store.drop();
  }

  for (const contender of ['burr', 'floor'] as const) {
    log(`${backend}: history: prune of ${rowsLabel(plan.pruneRows)} by ${contender}`);
    result.rows.push(...(await pruneRows(bench, contender, plan, payload, [prefix, suffix], row, result)));
  }
  mergePruneRows(result.rows, backend);
}

type RowMaker = (operation: string, size: string, cells: Pick<Row, 'floor' | 'burr'>, note?: string) => Row;

/** Save of a 1 KB state: raw insert into a table without the app index, raw insert with its trigger, Burr's save (interleaved). */
async function saveRows(bench: HistoryBench, payload: Payload, budget: Budget, row: RowMaker): Promise<Row[]> {
  const plain = await bench.plainTable('hist_plain');
  const store = await bench.createStore('hist_save');
  try {
    await store.indexFilled();
    const step = (appId: string, sequenceId: number) => ({ partitionKey: 'save', appId, sequenceId, position: 'respond', status: 'completed' as const });
    const [without, withIndex, burr] = await measureTogether(
      [
        (seq) => plain.insert({ ...step('plain', seq), state: payload.json }),
        (seq) => store.floor.insert({ ...step('floor', seq), state: payload.json }),
        (seq) => store.persister.save({ ...step('burr', seq), state: payload.state }),
      ],
      budget,
    );
    const overhead = withIndex!.medianMs - without!.medianMs;
    return [
      row('save, no app index (Python Burr’s table or keys)', payload.label, { floor: without, burr: { unavailable: 'Burr always keeps the app index' } }),
      row(
        'save, with the app index',
        payload.label,
        { floor: withIndex, burr },
        `the app index adds ${overhead < 0 ? '−' : ''}${microseconds(Math.abs(overhead))} per raw insert (${(withIndex!.medianMs / without!.medianMs).toFixed(2)}x)`,
      ),
    ];
  } finally {
    await store.drop();
    await plain.drop();
  }
}

/**
 * Where the floor resumes after Burr's cursor: the same saved-at key and app
 * id (Burr's cursor is base64url JSON of both, read here only to avoid walking
 * 99 pages a second time; the floor's page is then checked to end where Burr's does).
 */
function floorCursorOf(burrCursor: string): FloorAppCursor {
  const [savedAtKey, appId] = JSON.parse(Buffer.from(burrCursor, 'base64url').toString('utf8')) as [string, string];
  return { savedAtKey, appId };
}

async function listingRows(store: HistoryStore, plan: HistoryPlan, budget: Budget, row: RowMaker, fillNote: string): Promise<{ rows: Row[]; deepCursor: FloorAppCursor }> {
  const { persister, floor } = store;
  // A listing call may read a whole partition (100,000 apps): at least 5 samples instead of 30 keeps such rows to seconds.
  const listingBudget: Budget = { ...budget, minIterations: 5, warmupIterations: 1 };
  const pair = async (floorOp: () => unknown, burrOp: () => unknown, rowBudget = budget) => {
    const [f, b] = await measureTogether([floorOp, burrOp], rowBudget);
    return { floor: f, burr: b };
  };
  const newest = await persister.listSteps('long0', 'long-a0', { limit: PAGE });
  if (newest.steps.length !== PAGE || newest.steps[0]?.sequenceId !== plan.longAppSteps - 1) throw new Error(`listSteps of the long app starts at ${newest.steps[0]?.sequenceId}`);
  if ((await floor.stepsPage('long0', 'long-a0', PAGE)).length !== PAGE) throw new Error('the floor read a short page of steps');

  const rows = [
    row(
      `listSteps newest-first, ${PAGE} of ${count(plan.longAppSteps)} steps`,
      '1 app',
      await pair(
        () => floor.stepsPage('long0', 'long-a0', PAGE),
        () => persister.listSteps('long0', 'long-a0', { limit: PAGE }),
      ),
      fillNote,
    ),
    row(
      `listSteps newest-first, ${PAGE} of 100 steps`,
      '1 app',
      await pair(
        () => floor.stepsPage('short0', 'short-a0', PAGE),
        () => persister.listSteps('short0', 'short-a0', { limit: PAGE }),
      ),
    ),
  ];

  const apps = `${count(plan.wideApps)} apps`;
  rows.push(
    row(
      `listApps page 1 (${PAGE} per page)`,
      apps,
      await pair(
        () => floor.appsPage('wide0', PAGE, undefined),
        () => persister.listApps('wide0', { limit: PAGE }),
        listingBudget,
      ),
    ),
  );
  let burrCursor: string | null = null;
  const walkMs = await timeOnce(async () => {
    for (let page = 1; page < DEEP_PAGE; page++) burrCursor = (await persister.listApps('wide0', { limit: PAGE, cursor: burrCursor })).nextCursor;
  });
  if (burrCursor === null) throw new Error(`listApps found fewer than ${DEEP_PAGE} pages`);
  const floorCursor = floorCursorOf(burrCursor);
  const deep = await persister.listApps('wide0', { limit: PAGE, cursor: burrCursor });
  const expectedFirst = `wide-a${plan.wideApps - 1 - (DEEP_PAGE - 1) * PAGE}`;
  if (deep.apps[0]?.appId !== expectedFirst) throw new Error(`listApps page ${DEEP_PAGE} starts at ${deep.apps[0]?.appId}, expected ${expectedFirst}`);
  const floorDeep = await floor.appsPage('wide0', PAGE, floorCursor);
  if (floorDeep?.appId !== deep.apps[PAGE - 1]?.appId) throw new Error(`the floor's page ${DEEP_PAGE} ends at ${floorDeep?.appId}, Burr's at ${deep.apps[PAGE - 1]?.appId}`);
  rows.push(
    row(
      `listApps page ${DEEP_PAGE} (cursor of page ${DEEP_PAGE - 1})`,
      apps,
      await pair(
        () => floor.appsPage('wide0', PAGE, floorCursor),
        () => persister.listApps('wide0', { limit: PAGE, cursor: burrCursor }),
        listingBudget,
      ),
      `Burr reached page ${DEEP_PAGE} through ${DEEP_PAGE - 1} cursors in ${seconds(walkMs)}`,
    ),
  );
  const ids = await persister.listAppIds('wide0');
  if (ids.length !== plan.wideApps) throw new Error(`listAppIds found ${ids.length} apps`);
  rows.push(
    row(
      'listAppIds (every app, for reference)',
      apps,
      await pair(
        () => floor.appIds('wide0'),
        () => persister.listAppIds('wide0'),
        listingBudget,
      ),
    ),
  );
  return { rows, deepCursor: floorCursor };
}

/** deleteApp of apps of `deleteAppSteps` steps: floor and Burr alternate, each on apps of its own. */
async function deleteRow(store: HistoryStore, plan: HistoryPlan, row: RowMaker): Promise<Row> {
  const floorMs: number[] = [];
  const burrMs: number[] = [];
  for (let k = 0; k < plan.deletesEach; k++) {
    const contenders: Array<[samples: number[], remove: () => Promise<number>]> = [
      [floorMs, () => store.floor.deleteApp('del0', `del-a${2 * k}`)],
      [burrMs, () => store.persister.deleteApp('del0', `del-a${2 * k + 1}`)],
    ];
    if (k % 2 === 1) contenders.reverse();
    for (const [samples, remove] of contenders) {
      await store.settle?.();
      let removed = 0;
      samples.push(
        await timeOnce(async () => {
          removed = await remove();
        }),
      );
      if (removed !== plan.deleteAppSteps) throw new Error(`deleteApp removed ${removed} steps, expected ${plan.deleteAppSteps}`);
    }
  }
  return row(`deleteApp of a ${count(plan.deleteAppSteps)}-step app`, '1 app', { floor: summarize(floorMs), burr: summarize(burrMs) }, `${plan.deletesEach} apps each`);
}

/** Saves in a loop (yielding to the event loop before each, so a prune on the same thread gets its turns) until `done()`; each sample from asking to save to the save's end. */
async function writeUntil(
  write: (sequenceId: number) => Promise<unknown>,
  firstSequenceId: number,
  done: (samples: number) => boolean,
): Promise<{ samples: number[]; next: number }> {
  const samples: number[] = [];
  let sequenceId = firstSequenceId;
  while (!done(samples.length)) {
    const t0 = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    await write(sequenceId++);
    samples.push(performance.now() - t0);
  }
  return { samples, next: sequenceId };
}

/**
 * One contender's prune on a store of its own: fill, index, writer alone,
 * then the prune with the writer running, then compact. Burr prunes with
 * `prune({ keepLast: 1 })` while its writer saves with `save()`; the floor
 * runs the same statements with a raw-insert writer.
 */
async function pruneRows(
  bench: HistoryBench,
  contender: 'burr' | 'floor',
  plan: HistoryPlan,
  payload: Payload,
  [prefix, suffix]: [string, string],
  row: RowMaker,
  result: HistoryResult,
): Promise<Row[]> {
  const store = await bench.createStore(`hist_prune_${contender}`);
  try {
    const fillMs = await timeOnce(() => store.fill(PRUNE, 0, plan.pruneRows, prefix, suffix));
    const indexMs = await timeOnce(() => store.indexFilled());
    await store.settle?.();
    result.fills.push(`prune (${contender}): filled ${count(plan.pruneRows)} rows in ${seconds(fillMs)}, app index built in ${seconds(indexMs)}`);
    const write =
      contender === 'burr'
        ? (sequenceId: number) => store.persister.save({ partitionKey: 'writer', appId: 'writer-a', sequenceId, position: 'respond', status: 'completed', state: payload.state })
        : (sequenceId: number) => store.floor.insert({ partitionKey: 'writer', appId: 'writer-a', sequenceId, position: 'respond', status: 'completed', state: payload.json });
    // Warm-up, then at least the baseline's time and 100 saves: after a 1M-row fill one libSQL save took 2.1 s (twice, at the same point).
    for (let sequenceId = 0; sequenceId < 5; sequenceId++) await write(sequenceId);
    const baselineEnd = performance.now() + plan.writerBaselineMs;
    const baseline = await writeUntil(write, 5, (samples) => samples >= 100 && performance.now() >= baselineEnd);
    // The prune covers every app: the baseline's steps go first, so it prunes the fill plus what the writer saves meanwhile.
    await (contender === 'burr' ? store.persister.deleteApp('writer', 'writer-a') : store.floor.deleteApp('writer', 'writer-a'));
    await store.settle?.();

    let pruning = true;
    const writer = writeUntil(write, baseline.next, () => !pruning);
    let removed = 0;
    const pruneMs = await timeOnce(async () => {
      try {
        removed = contender === 'burr' ? (await store.persister.prune({ keepLast: 1, batchSize: PRUNE_BATCH })).stepsRemoved : await store.floor.prune(1, PRUNE_BATCH);
      } finally {
        pruning = false;
      }
    });
    const during = await writer;
    const apps = plan.pruneRows / PRUNE_STEPS_PER_APP;
    const filledRemoved = plan.pruneRows - apps;
    // The writer's app is pruned too when the prune reaches it.
    if (removed < filledRemoved) throw new Error(`${contender} prune removed ${removed} steps, expected at least ${filledRemoved}`);

    let compacted: { bytesBefore: number | null; bytesAfter: number | null } = { bytesBefore: null, bytesAfter: null };
    const compactMs = await timeOnce(async () => {
      compacted = contender === 'burr' ? await store.persister.compact() : await store.floor.compact();
    });
    const tag = (text: string) => `[${contender}] ${text}`;
    const writerNote = (samples: number[]) => `n ${samples.length}, p99 ${formatLatency(quantile(samples, 0.99))}, max ${formatLatency(Math.max(...samples))}`;
    const cells = (stats: Stats) => (contender === 'burr' ? { burr: stats } : { floor: stats });
    const size = rowsLabel(plan.pruneRows);
    return [
      row(
        `prune to keep-last-1 (${count(apps)} apps × ${PRUNE_STEPS_PER_APP} steps)`,
        size,
        cells(summarize([pruneMs])),
        tag(`removed ${count(filledRemoved)} + ${count(removed - filledRemoved)} of the writer's, ${count(Math.round(removed / (pruneMs / 1000)))} steps/s`),
      ),
      row('concurrent save, no prune (writer baseline)', size, cells(summarize(baseline.samples)), tag(writerNote(baseline.samples))),
      row('concurrent save during the prune', size, cells(summarize(during.samples)), tag(writerNote(during.samples))),
      row('compact after the prune', size, cells(summarize([compactMs])), tag(`${bytes(compacted.bytesBefore)} → ${bytes(compacted.bytesAfter)}`)),
    ];
  } finally {
    await store.drop();
  }
}

function formatLatency(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

/** Burr's and the floor's prune rows are measured on separate stores: merge each pair into one row, notes side by side. */
function mergePruneRows(rows: Row[], backend: string): void {
  const prune = rows.filter((r) => r.section === 'history' && r.backend === backend && (r.note?.startsWith('[burr]') || r.note?.startsWith('[floor]')));
  for (const burr of prune.filter((r) => r.note?.startsWith('[burr]'))) {
    const floor = prune.find((r) => r.operation === burr.operation && r.note?.startsWith('[floor]'));
    if (!floor) continue;
    burr.floor = floor.floor;
    burr.note = `Burr: ${burr.note!.slice('[burr] '.length)}; floor: ${floor.note!.slice('[floor] '.length)}`;
    rows.splice(rows.indexOf(floor), 1);
  }
}
