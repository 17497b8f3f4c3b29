/**
 * Incremental storage (issue #14) beside full mode and the LangGraph peer:
 * the chatbot run and a tool-calling agent on SQLite, PostgreSQL and Redis, with
 * step-1 vs step-N save times, the whole run, load of the latest step and the
 * bytes each store holds afterwards. Written to `incremental.md` and
 * `incremental.json` beside the main report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_PAGE_SIZE, type BaseStatePersister, type StorageModeOptions } from '@burr/core';
import { formatMs } from '../report.js';
import { collectGarbage, nextUnique, summarize, type Stats } from '../timing.js';
import { postgresStores, redisStores, sqliteStores, type IncrementalStores, type MeasuredStore } from './incremental-stores.js';
import { agentWorkload, chatWorkload, continueFrom, type Workload, type WorkloadStep } from './incremental-workloads.js';

const PARTITION = 'bench';
/** Burr incremental with a load before each save (its state built on the loaded one). */
const RESUMED = 'Burr incremental, resumed each step';
/** Steps on each side of a named step whose save times make its cell. */
const WINDOW = 5;
const WARMUP_STEPS = 50;
const LOAD_SAMPLES = 25;

/** One contender of a run: saves each step, loads the latest, reports its bytes. */
export interface Contender {
  name: string;
  /** Saves only the last step (to time a full-mode load where saving every step would store gigabytes). */
  lastStepOnly?: boolean;
  /** Untimed, before each save: what to save instead of the workload's step (a state rebuilt on a load). */
  prepare?(step: number, data: WorkloadStep): Promise<WorkloadStep>;
  save(step: number, data: WorkloadStep): Promise<unknown>;
  loadLatest(): Promise<unknown>;
  /**
   * Burr incremental on a store whose table the bench reads: the step whose
   * load replays the most deltas (the one before the latest snapshot), and a
   * load of it. `null` when the run wrote one snapshot only.
   */
  longestChain?(): Promise<{ step: number; deltas: number; load(): Promise<unknown> } | null>;
  bytes(): Promise<number>;
  /** The database's own upkeep of the store (see `MeasuredStore.maintain`), untimed every `MAINTAIN_EVERY` steps. */
  maintain?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Steps between two runs of a store's upkeep: autovacuum would vacuum a
 * chat's table more often (after 50 deleted rows plus a fifth of the table,
 * and a chat's steps come seconds apart, its naptime a minute).
 */
export const MAINTAIN_EVERY = 100;

/**
 * A Burr persister on a store of its own, as a contender. `resumed`: before
 * each save it loads the latest step and rebuilds the step's state on the
 * loaded one, as a new application per request does (a web server, a
 * serverless function).
 */
export async function burrContender(
  stores: IncrementalStores,
  name: string,
  storage: StorageModeOptions,
  options: { lastStepOnly?: boolean; resumed?: boolean } = {},
): Promise<Contender> {
  const store: MeasuredStore<BaseStatePersister> = await stores.burr(`${name.replace(/\W+/g, '_').toLowerCase()}_${nextUnique()}`, storage);
  const appId = `chat-${nextUnique()}`;
  let previous: WorkloadStep | undefined;
  const prepare = async (_: number, data: WorkloadStep): Promise<WorkloadStep> => {
    const loaded = previous && (await store.contender.load(PARTITION, appId));
    const state = loaded && previous ? continueFrom(loaded.state, previous.state, data.state) : data.state;
    previous = data;
    return { ...data, state };
  };
  return {
    name,
    lastStepOnly: options.lastStepOnly ?? false,
    prepare: options.resumed ? prepare : undefined,
    save: (sequenceId, { state }) => store.contender.save({ partitionKey: PARTITION, appId, sequenceId, position: 'respond', state, status: 'completed' }),
    loadLatest: () => store.contender.load(PARTITION, appId),
    longestChain: storage.storage === 'incremental' ? () => longestChain(store.contender, appId) : undefined,
    bytes: () => store.bytes(),
    maintain: store.maintain && (() => store.maintain!()),
    close: () => store.close(),
  };
}

/** The step before the latest snapshot, whose chain (back to the snapshot before) is the longest of the run; `null` with one snapshot. */
async function longestChain(persister: BaseStatePersister, appId: string): Promise<{ step: number; deltas: number; load(): Promise<unknown> } | null> {
  const snapshots = await snapshotSequenceIds(persister, appId);
  if (snapshots.length < 2) return null;
  const [previous, latest] = snapshots.slice(-2) as [number, number];
  const step = latest - 1;
  return { step, deltas: step - previous, load: () => persister.load(PARTITION, appId, step) };
}

/** The sequence ids of an app's snapshots, in order, as `listSteps` reports them (`storedAs`), on any backend. */
async function snapshotSequenceIds(persister: BaseStatePersister, appId: string): Promise<number[]> {
  const snapshots: number[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await persister.listSteps(PARTITION, appId, { order: 'oldest-first', limit: MAX_PAGE_SIZE, after });
    for (const step of page.steps) if (step.storedAs === 'snapshot') snapshots.push(step.sequenceId);
    if (page.nextCursor === null) return snapshots;
    after = page.nextCursor;
  }
}

async function peerContender(openPeer: NonNullable<IncrementalStores['peer']>): Promise<Contender> {
  const store = await openPeer(`langgraph_${nextUnique()}`);
  const thread = `chat-${nextUnique()}`;
  return {
    name: `LangGraph ${store.contender.name}`,
    save: (_, { values }) => store.contender.put(thread, values),
    loadLatest: () => store.contender.getLatest(thread),
    bytes: () => store.bytes(),
    maintain: store.maintain && (() => store.maintain!()),
    close: () => store.close(),
  };
}

/** What one contender measured in one run. */
export interface ContenderRun {
  name: string;
  /** Milliseconds of each step's save, index 0 = step 1. */
  saveMs: number[];
  load: Stats;
  bytes: number;
}

export interface WorkloadRun {
  backend: string;
  workload: string;
  steps: number;
  /** JSON bytes the steps changed (the messages, plus the rewritten keys of the agent): what a store must keep at the least. */
  changedBytes: number;
  contenders: ContenderRun[];
  /** Burr incremental's load of the step with the longest chain, beside the loads of the latest step. */
  longestChain?: { step: number; deltas: number; load: Stats };
}

/**
 * Runs `steps` steps of `workload` on each contender, one contender after the
 * other (a full-mode save of a long chat makes megabytes of garbage, whose
 * collection would land on whichever contender saves next), then times loads
 * of the latest step, taking turns, and measures the stores.
 */
export async function runWorkload(backend: string, workload: Workload, steps: number, contenders: Contender[]): Promise<WorkloadRun> {
  const times = contenders.map(() => [] as number[]);
  let changedBytes = 0;
  for (const [i, contender] of contenders.entries()) {
    collectGarbage();
    const next = workload.start();
    changedBytes = 0;
    for (let step = 1; step <= steps; step++) {
      const data = next(step);
      changedBytes += data.changedBytes;
      if (contender.lastStepOnly && step < steps) continue;
      const saved = contender.prepare ? await contender.prepare(step, data) : data;
      const t0 = performance.now();
      await contender.save(step, saved);
      times[i]!.push(performance.now() - t0);
      if (contender.maintain && step % MAINTAIN_EVERY === 0) await contender.maintain();
    }
  }
  collectGarbage();
  const chain = await contenders.find((contender) => contender.longestChain)?.longestChain?.();
  // Loads of the latest step of each contender, and of the longest chain, taking turns.
  const loaders = [...contenders.map((contender) => () => contender.loadLatest()), ...(chain ? [chain.load] : [])];
  const loads = loaders.map(() => [] as number[]);
  for (let sample = 0; sample < LOAD_SAMPLES; sample++) {
    for (let k = 0; k < loaders.length; k++) {
      const i = (sample + k) % loaders.length;
      const t0 = performance.now();
      await loaders[i]!();
      loads[i]!.push(performance.now() - t0);
    }
  }
  const runs: ContenderRun[] = [];
  for (const [i, contender] of contenders.entries()) {
    runs.push({ name: contender.name, saveMs: times[i]!, load: summarize(loads[i]!), bytes: await contender.bytes() });
  }
  const longest = chain ? { step: chain.step, deltas: chain.deltas, load: summarize(loads[loaders.length - 1]!) } : undefined;
  return { backend, workload: workload.name, steps, changedBytes, contenders: runs, longestChain: longest };
}

/** What to run: each workload with its step count and whether full mode and the peer take part (both store quadratically). */
interface Plan {
  workload: Workload;
  steps: number;
  withFullAndPeer: boolean;
  reported: number[];
}

function plans(quick: boolean, veryLongChat: boolean): Plan[] {
  const chat: Plan = { workload: chatWorkload, steps: 1000, withFullAndPeer: true, reported: [1, 100, 500, 1000] };
  const agent: Plan = { workload: agentWorkload, steps: quick ? 200 : 500, withFullAndPeer: true, reported: quick ? [1, 100, 200] : [1, 100, 250, 500] };
  // Full mode and the peer would store ~10 GB each at 10,000 steps (every step rewrites every message).
  const long: Plan = { workload: chatWorkload, steps: 10_000, withFullAndPeer: false, reported: [1, 1000, 5000, 10_000] };
  // Past MIN_CHAIN_STEPS, where a chain's length follows its snapshot's (snapshots at doubling lengths). Opt-in: building
  // 50,000 states (each step copies the growing message list) takes most of its 12 minutes.
  const veryLong: Plan = { workload: chatWorkload, steps: 50_000, withFullAndPeer: false, reported: [1, 10_000, 25_000, 50_000] };
  // Full mode saves only the last step there, to time its load.
  if (quick) return [chat, agent];
  return veryLongChat ? [chat, long, veryLong, agent] : [chat, long, agent];
}

export interface IncrementalSectionResult {
  runs: WorkloadRun[];
  reported: Record<string, number[]>;
  skipped: string[];
}

/** Runs the section on SQLite, PostgreSQL and Redis (those of `only` when given); a backend that cannot open is listed as skipped. */
export async function incrementalSection(options: {
  quick: boolean;
  veryLongChat?: boolean;
  only?: ReadonlySet<string>;
  log: (message: string) => void;
}): Promise<IncrementalSectionResult> {
  const result: IncrementalSectionResult = { runs: [], reported: {}, skipped: [] };
  const backends: Array<[string, () => Promise<IncrementalStores | { skip: string }>]> = [
    ['sqlite', async () => sqliteStores()],
    ['pg', postgresStores],
    ['redis', redisStores],
  ];
  for (const [id, open] of backends) {
    if (options.only && !options.only.has(id)) continue;
    const stores = await open();
    if ('skip' in stores) {
      result.skipped.push(`${id}: ${stores.skip}`);
      continue;
    }
    if (!stores.peer && stores.noPeer) result.skipped.push(`${id}, the LangGraph peer: ${stores.noPeer}`);
    try {
      const warm = [await burrContender(stores, 'warm-up', { storage: 'incremental' }), await burrContender(stores, 'warm-up-full', {})];
      await runWorkload(stores.label, chatWorkload, WARMUP_STEPS, warm);
      for (const plan of plans(options.quick, options.veryLongChat ?? false)) {
        options.log(`incremental storage: ${stores.label}, ${plan.workload.name}, ${plan.steps} steps`);
        const contenders = [await burrContender(stores, 'Burr incremental', { storage: 'incremental' })];
        if (!plan.withFullAndPeer) contenders.push(await burrContender(stores, 'Burr full (last step only, for its load)', {}, { lastStepOnly: true }));
        else {
          contenders.push(await burrContender(stores, RESUMED, { storage: 'incremental' }, { resumed: true }));
          contenders.push(await burrContender(stores, 'Burr full', {}));
          if (stores.peer) contenders.push(await peerContender((name) => stores.peer!(name)));
        }
        try {
          result.runs.push(await runWorkload(stores.label, plan.workload, plan.steps, contenders));
          result.reported[`${stores.label}|${plan.workload.name}|${plan.steps}`] = plan.reported;
        } finally {
          for (const contender of contenders) await contender.close();
        }
      }
      for (const contender of warm) await contender.close();
    } finally {
      await stores.close();
    }
  }
  return result;
}

/** The median save time over the steps within ±WINDOW of `step`. */
export function saveAt(run: ContenderRun, step: number): Stats {
  return summarize(run.saveMs.slice(Math.max(0, step - 1 - WINDOW), Math.min(run.saveMs.length, step + WINDOW)));
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const kib = (bytes: number) =>
  bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;

/** Markdown of the section: one table per workload and step count. */
export function renderIncremental(result: IncrementalSectionResult): string {
  const lines = [
    '# Incremental storage beside full mode',
    '',
    "Burr with `storage: 'incremental'` (default `snapshotEvery`/`snapshotBytes`/`segmentSteps`), Burr in full mode and the LangGraph",
    'checkpointer, each on a store of its own (a SQLite file, a PostgreSQL schema), each running the whole workload in turn',
    "(interleaved, the garbage of a full-mode save of a long chat would be collected during the others' saves).",
    'A step cell is the median (p95) save time over the steps within ±5 of it; "whole run" is the sum of every save;',
    '"stored" is what the database uses afterwards (tables, indexes, TOAST); "changed" is the JSON bytes the steps',
    'changed (their messages, and the keys the agent rewrites), the least a store that keeps every step must hold.',
    `On PostgreSQL every store is vacuumed (plain VACUUM, untimed) every ${MAINTAIN_EVERY} steps, as autovacuum would vacuum a table`,
    'whose rows were deleted (incremental storage deletes the rows of the deltas it packs into segments).',
    `"${RESUMED}" loads the latest step before each save (untimed) and builds the step's state on the loaded one, as a`,
    'new application per request does (a web server, a serverless function). See docs/incremental-storage.md.',
    '',
  ];
  const groups = new Map<string, WorkloadRun[]>();
  for (const run of result.runs) {
    const key = `${run.workload}|${run.steps}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const runs of groups.values()) {
    const { workload, steps } = runs[0]!;
    const reported = result.reported[`${runs[0]!.backend}|${workload}|${steps}`] ?? [1, steps];
    lines.push(`## ${workload}, ${steps.toLocaleString('en-US')} steps`, '');
    const header = [
      'Backend',
      'Contender',
      ...reported.map((step) => `save at step ${step.toLocaleString('en-US')}`),
      'last/first',
      'whole run',
      'vs incremental',
      'load latest',
      'stored',
      'stored/changed',
    ];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const run of runs) {
      const incremental = run.contenders.find((contender) => contender.name === 'Burr incremental');
      for (const contender of run.contenders) {
        if (contender.saveMs.length < run.steps) {
          const blank = reported.map(() => '—');
          lines.push(
            `| ${[run.backend, contender.name, ...blank, '—', '—', '', `${formatMs(contender.load.medianMs)} (p95 ${formatMs(contender.load.p95Ms)})`, '—', '—'].join(' | ')} |`,
          );
          continue;
        }
        const cells = reported.map((step) => saveAt(contender, step));
        const first = cells[0]!;
        const last = cells[cells.length - 1]!;
        const whole = sum(contender.saveMs);
        lines.push(
          `| ${[
            run.backend,
            contender.name,
            ...cells.map((stats) => `${formatMs(stats.medianMs)} (p95 ${formatMs(stats.p95Ms)})`),
            `${(last.medianMs / first.medianMs).toFixed(2)}x`,
            whole >= 10_000 ? `${(whole / 1000).toFixed(1)} s` : formatMs(whole),
            incremental && contender !== incremental ? `${(whole / sum(incremental.saveMs)).toFixed(1)}x` : '',
            `${formatMs(contender.load.medianMs)} (p95 ${formatMs(contender.load.p95Ms)})`,
            kib(contender.bytes),
            `${(contender.bytes / run.changedBytes).toFixed(2)}x`,
          ].join(' | ')} |`,
        );
      }
      lines.push(`| ${run.backend} | changed by the steps | ${reported.map(() => '').join(' | ')} | | | | | ${kib(run.changedBytes)} | 1.00x |`);
    }
    lines.push('');
    for (const run of runs) {
      const chain = run.longestChain;
      const full = run.contenders.find((contender) => contender.name.startsWith('Burr full'));
      if (!chain || !full) continue;
      const ratio = (chain.load.medianMs / full.load.medianMs).toFixed(2);
      lines.push(
        `${run.backend}, Burr incremental: load of step ${chain.step.toLocaleString('en-US')} (the longest chain of the run: the step before the latest snapshot, ${chain.deltas.toLocaleString('en-US')} deltas to replay) ${formatMs(chain.load.medianMs)} (p95 ${formatMs(chain.load.p95Ms)}), ${ratio}x full mode's load of the latest step.`,
        '',
      );
    }
  }
  if (result.skipped.length > 0) lines.push('Skipped:', '', ...result.skipped.map((reason) => `- ${reason}`), '');
  return lines.join('\n');
}

/** Writes `incremental.md` and `incremental.json` to `dir`; returns the markdown. */
export function writeIncremental(result: IncrementalSectionResult, dir: string): string {
  const markdown = renderIncremental(result);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'incremental.md'), markdown);
  const json = result.runs.map((run) => ({
    ...run,
    contenders: run.contenders.map(({ saveMs, ...rest }) => ({ ...rest, wholeRunMs: sum(saveMs), saveMs: saveMs.map((ms) => Math.round(ms * 1000) / 1000) })),
  }));
  writeFileSync(join(dir, 'incremental.json'), `${JSON.stringify({ runs: json, reported: result.reported, skipped: result.skipped }, null, 2)}\n`);
  return markdown;
}
