/**
 * Load latest / by sequence id / listAppIds with 1k and then 1M steps already
 * in the table (spread over apps and partitions), filled in bulk by the raw
 * driver in Burr's format.
 */
import { encodeState } from '@burr/core';
import { FILL_STEPS_PER_APP, fillApp, fillPartition, type BackendSession } from '../backends/types.js';
import { burrState, chatState } from '../payload.js';
import type { Row } from '../rows.js';
import { measureTogether, timeOnce, type Budget, type Operation } from '../timing.js';

/** The Burr JSON of a one-message state, split around its `__SEQUENCE_ID` value. */
function fillStateParts(): [prefix: string, suffix: string] {
  const marker = 987654321;
  const json = encodeState(burrState(chatState(1), marker));
  const at = json.indexOf(String(marker));
  return [json.slice(0, at), json.slice(at + String(marker).length)];
}

const label = (rows: number) => (rows >= 1_000_000 ? `${rows / 1_000_000}M rows` : rows >= 1000 ? `${rows / 1000}k rows` : `${rows} rows`);

/** Rows for each stored-row count in `targets` (the table only grows). */
export async function storedStepsRows(backend: string, session: BackendSession, targets: readonly number[], budget: Budget): Promise<Row[]> {
  if (!session.storedSteps) return [];
  const table = await session.storedSteps();
  const [prefix, suffix] = fillStateParts();
  const rows: Row[] = [];
  let stored = 0;
  for (const wanted of targets) {
    const target = table.maxRows ? Math.min(wanted, table.maxRows.rows) : wanted;
    if (target <= stored) continue;
    const fillMs = await timeOnce(() => table.fill(stored, target, prefix, suffix));
    await session.settle?.();
    stored = target;
    const apps = stored / FILL_STEPS_PER_APP;
    // Spread reads over every app, in a scattered order, so caches do not flatter large tables.
    const appAt = (n: number) => fillApp(((n * 7919) % apps) * FILL_STEPS_PER_APP);
    const partitionAt = (n: number) => fillPartition(((n * 7919) % apps) * FILL_STEPS_PER_APP);
    const loaded = await table.persister.load(partitionAt(1), appAt(1));
    if (loaded?.sequenceId !== FILL_STEPS_PER_APP - 1) throw new Error(`${backend}: latest of a filled app is ${String(loaded?.sequenceId)}, expected ${FILL_STEPS_PER_APP - 1}`);
    const capNote = target < wanted && table.maxRows ? `; capped below ${label(wanted)}: ${table.maxRows.reason}` : '';
    const note = `filled in ${(fillMs / 1000).toFixed(1)} s${capNote}`;
    const size = label(stored);
    const row = (operation: string, cells: Pick<Row, 'floor' | 'burr'>, rowNote?: string): Row => ({
      section: 'stored-steps',
      backend,
      operation,
      size,
      ...cells,
      peer: { unavailable: 'not filled (own table format)' },
      ...(rowNote ? { note: rowNote } : {}),
    });
    const pair = async (floorOp: Operation, burrOp: Operation) => {
      const [floor, burr] = await measureTogether([floorOp, burrOp], budget);
      return { floor, burr };
    };
    rows.push(
      row(
        'load latest',
        await pair(
          (n) => table.floor.selectLatest(partitionAt(n), appAt(n)),
          (n) => table.persister.load(partitionAt(n), appAt(n)),
        ),
        note,
      ),
      row(
        'load by sequence id',
        await pair(
          (n) => table.floor.selectAtSequence(partitionAt(n), appAt(n), n % FILL_STEPS_PER_APP),
          (n) => table.persister.load(partitionAt(n), appAt(n), n % FILL_STEPS_PER_APP),
        ),
      ),
      row(
        'listAppIds (10 apps)',
        await pair(
          (n) => table.floor.selectAppIds(partitionAt(n)),
          (n) => table.persister.listAppIds(partitionAt(n)),
        ),
      ),
    );
  }
  return rows;
}
