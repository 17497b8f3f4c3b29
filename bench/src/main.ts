/**
 * `pnpm bench`: every available backend, floor vs Burr vs LangGraph peer, in
 * one process; prints the markdown report and writes latest.md / latest.json.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from './backends/index.js';
import type { BackendSession } from './backends/types.js';
import { parseArgs, type CliOptions, type SectionId } from './cli.js';
import { machineInfo, softwareVersions } from './environment.js';
import { makePayload, PAYLOAD_SIZES, type Payload } from './payload.js';
import { writeReport, type Report } from './report.js';
import { chatbotRows } from './scenarios/chatbot.js';
import { codecRows } from './scenarios/codec.js';
import { incrementalSection, writeIncremental, type IncrementalSectionResult } from './scenarios/incremental.js';
import { FULL_HISTORY_PLAN, historyRows, QUICK_HISTORY_PLAN, type HistoryPlan, type HistoryResult } from './scenarios/history.js';
import { listAppIdsRow, payloadRows } from './scenarios/payload-ops.js';
import { runnerResults } from './scenarios/runner.js';
import { storedStepsRows } from './scenarios/stored-steps.js';
import { FULL_BUDGET, QUICK_BUDGET, type Budget } from './timing.js';

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Plan {
  budget: Budget;
  chatRuns: number;
  storedTargets: readonly number[];
  history: HistoryPlan;
  runs: (section: SectionId) => boolean;
}

function plan(options: CliOptions): Plan {
  const runs = (section: SectionId) => (options.sections === undefined || options.sections.has(section)) && !(section === 'runner' && options.noRunner);
  return options.quick
    ? { budget: QUICK_BUDGET, chatRuns: 1, storedTargets: [1000, 100_000], history: QUICK_HISTORY_PLAN, runs }
    : { budget: FULL_BUDGET, chatRuns: 3, storedTargets: [1000, 1_000_000], history: FULL_HISTORY_PLAN, runs };
}

/** Pushes rows as they come, so a backend failing half-way keeps what it measured. */
async function benchBackend(label: string, session: BackendSession, payloads: Payload[], p: Plan, report: Report): Promise<void> {
  const rows = report.rows;
  if (p.runs('payload')) {
    for (const payload of payloads) {
      await session.settle?.();
      log(`${label}: payload ${payload.label}`);
      rows.push(...(await payloadRows(label, session, payload, p.budget)));
    }
    log(`${label}: listAppIds`);
    rows.push(await listAppIdsRow(label, session, p.budget));
  }
  if (p.runs('chatbot')) {
    await session.settle?.();
    log(`${label}: chatbot run x${p.chatRuns}`);
    rows.push(...(await chatbotRows(label, session, p.chatRuns)));
  }
  if (p.runs('stored')) {
    await session.settle?.();
    log(`${label}: stored steps ${p.storedTargets.join(', ')}`);
    rows.push(...(await storedStepsRows(label, session, p.storedTargets, p.budget)));
  }
  if (p.runs('history') && session.history) {
    await session.settle?.();
    const started = performance.now();
    const result: HistoryResult = { rows: [], plans: [], fills: [] };
    try {
      await historyRows(label, session.history, p.history, p.budget, log, result);
    } finally {
      rows.push(...result.rows);
      report.history.push({ backend: label, seconds: (performance.now() - started) / 1000, fills: result.fills, plans: result.plans });
    }
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseArgs(process.argv.slice(2));
  const p = plan(options);
  const report: Report = {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    durationSeconds: 0,
    machine: machineInfo(),
    versions: softwareVersions(),
    backends: [],
    rows: [],
    runner: { unavailable: 'not run' },
    history: [],
    notes: [],
  };
  const payloads = PAYLOAD_SIZES.map(([label, bytes]) => makePayload(label, bytes));
  report.notes.push(`Payloads (Burr JSON bytes): ${payloads.map((x) => `${x.label} = ${x.bytes} B, ${x.values.messages.length} messages`).join('; ')}.`);

  if (p.runs('codec')) {
    log('codec');
    for (const payload of payloads) report.rows.push(...(await codecRows(payload, p.budget)));
  }

  for (const entry of BACKENDS) {
    if (options.only && !options.only.has(entry.id)) continue;
    let session: BackendSession | undefined;
    try {
      const backend = await entry.load();
      const opened = await backend.open();
      if ('skip' in opened) {
        log(`${entry.label}: skipped (${opened.skip})`);
        report.backends.push({ id: entry.id, label: entry.label, status: 'skipped', detail: opened.skip });
        continue;
      }
      session = opened;
      report.backends.push({ id: entry.id, label: entry.label, status: 'ran', detail: session.driver });
      await benchBackend(entry.label, session, payloads, p, report);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      log(`${entry.label}: FAILED ${message}`);
      if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      const known = report.backends.find((b) => b.id === entry.id);
      if (known) report.notes.push(`${entry.label} stopped early: ${message}`);
      else report.backends.push({ id: entry.id, label: entry.label, status: 'skipped', detail: `failed to start: ${message}` });
    } finally {
      await session?.close().catch((error: unknown) => log(`${entry.label}: close failed: ${String(error)}`));
    }
  }

  // Incremental storage beside full mode (issue #14), on stores of its own; written to incremental.md / incremental.json.
  let incremental: IncrementalSectionResult | undefined;
  if (p.runs('chatbot')) {
    incremental = await incrementalSection({ quick: options.quick, veryLongChat: options.veryLongChat, only: options.only, log });
    report.notes.push('Incremental storage beside full mode and the LangGraph peer (chat and tool-calling agent, SQLite, PostgreSQL and Redis): incremental.md.');
  }

  if (p.runs('runner')) {
    log('runner alone');
    report.runner = await runnerResults(p.budget);
  }

  report.durationSeconds = (performance.now() - started) / 1000;
  const partial = options.quick || options.only !== undefined || options.sections !== undefined;
  const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = options.outDir ?? join(benchDir, 'results', partial ? 'partial.tmp' : '');
  const markdown = writeReport(report, outDir);
  if (incremental) writeIncremental(incremental, outDir);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${join(outDir, 'latest.md')} and latest.json in ${report.durationSeconds.toFixed(0)} s`);
}

main().then(
  // Peer libraries may keep sockets or timers alive after close; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
