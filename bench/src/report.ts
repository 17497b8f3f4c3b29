/** Renders result rows as markdown tables and writes latest.md / latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './environment.js';
import { isStats, ratio, type Cell, type Row, type Section } from './rows.js';

export interface RunnerResult {
  app: string;
  persister: string;
  stepsPerSecond: number;
  medianStepMs: number;
  p95StepMs: number;
  steps: number;
}

/** Per backend: how long the history section took, how long its fills took, and the plans of its SQL statements. */
export interface HistoryRun {
  backend: string;
  seconds: number;
  fills: string[];
  /** `statement: plan / plan`, from EXPLAIN (QUERY PLAN, or ANALYZE where the dialect has it) on the filled tables. */
  plans: string[];
}

export interface Report {
  generatedAt: string;
  mode: 'full' | 'quick';
  durationSeconds: number;
  machine: MachineInfo;
  versions: Record<string, string>;
  backends: Array<{ id: string; label: string; status: 'ran' | 'skipped'; detail: string }>;
  rows: Row[];
  runner: RunnerResult[] | { unavailable: string };
  history: HistoryRun[];
  notes: string[];
}

export function formatMs(ms: number): string {
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

function cell(value: Cell): string {
  if (value === undefined) return '—';
  if (!isStats(value)) return `n/a: ${value.unavailable}`;
  // A single timing (a whole prune) has no spread to show.
  if (value.n === 1) return value.medianMs >= 10_000 ? `${(value.medianMs / 1000).toFixed(1)} s` : formatMs(value.medianMs);
  return `${formatMs(value.medianMs)} (p95 ${formatMs(value.p95Ms)})`;
}

/** `1.07x`, bold when Burr is slower than the threshold. */
function ratioCell(value: number | undefined, threshold: number): string {
  if (value === undefined) return '—';
  const text = `${value.toFixed(2)}x`;
  return value > threshold ? `**${text}**` : text;
}

const table = (header: string[], lines: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');

const FLOOR_THRESHOLD = 1.15;
/** Issue #14's target for a save or load against the driver doing plain JSON: within 1.3x. */
const FLOOR_JSON_THRESHOLD = 1.3;
const PEER_THRESHOLD = 1.0;

function sectionTable(section: Section, rows: Row[]): string {
  const pick = rows.filter((r) => r.section === section);
  if (pick.length === 0) return '_No rows (see skipped backends)._';
  switch (section) {
    case 'codec':
      return table(
        ['Operation', 'Payload', 'Plain JSON', 'Burr codec', 'Burr/JSON'],
        pick.map((r) => [r.operation, r.size, cell(r.floor), cell(r.burr), ratioCell(ratio(r.burr, r.floor), FLOOR_THRESHOLD)]),
      );
    case 'stored-steps':
    case 'history':
      return table(
        ['Backend', 'Operation', section === 'history' ? 'Data' : 'Stored', 'Floor (raw driver)', 'Burr', 'Burr/floor', 'Note'],
        pick.map((r) => [r.backend, r.operation, r.size, cell(r.floor), cell(r.burr), ratioCell(ratio(r.burr, r.floor), FLOOR_THRESHOLD), r.note ?? '']),
      );
    case 'payload':
      return table(
        [
          'Backend',
          'Operation',
          'Payload',
          'Floor (raw driver)',
          'Driver + JSON.stringify / JSON.parse',
          'Burr',
          'LangGraph peer',
          'Burr/floor',
          'Burr/(driver+JSON)',
          'Burr/peer',
        ],
        pick.map((r) => [
          r.backend,
          r.operation,
          r.size,
          cell(r.floor),
          cell(r.floorJson),
          cell(r.burr),
          cell(r.peer),
          ratioCell(ratio(r.burr, r.floor), FLOOR_THRESHOLD),
          ratioCell(ratio(r.burr, r.floorJson), FLOOR_JSON_THRESHOLD),
          ratioCell(ratio(r.burr, r.peer), PEER_THRESHOLD),
        ]),
      );
    default:
      return table(
        ['Backend', 'Operation', section === 'chatbot' ? 'Step' : 'Payload', 'Floor (raw driver)', 'Burr', 'LangGraph peer', 'Burr/floor', 'Burr/peer'],
        pick.map((r) => [
          r.backend,
          r.operation,
          r.size,
          cell(r.floor),
          cell(r.burr),
          cell(r.peer),
          ratioCell(ratio(r.burr, r.floor), FLOOR_THRESHOLD),
          ratioCell(ratio(r.burr, r.peer), PEER_THRESHOLD),
        ]),
      );
  }
}

/**
 * For each payload row: how much of Burr's extra time over the floor the
 * state codec alone explains (encode for saves, decode for loads).
 */
function gapTable(rows: Row[]): string {
  const codec = new Map<string, number>();
  for (const r of rows) if (r.section === 'codec' && isStats(r.burr)) codec.set(`${r.operation.startsWith('encode') ? 'save' : 'load'}|${r.size}`, r.burr.medianMs);
  const lines: string[][] = [];
  for (const r of rows) {
    if (r.section !== 'payload' || !isStats(r.burr) || !isStats(r.floor)) continue;
    const kind = r.operation === 'save' ? 'save' : r.operation.startsWith('load') ? 'load' : undefined;
    const codecMs = kind ? codec.get(`${kind}|${r.size}`) : undefined;
    if (codecMs === undefined) continue;
    const gap = r.burr.medianMs - r.floor.medianMs;
    const beyondJson = isStats(r.floorJson) ? formatSigned(r.burr.medianMs - r.floorJson.medianMs) : '—';
    lines.push([
      r.backend,
      r.operation,
      r.size,
      formatSigned(gap),
      `${kind === 'save' ? 'encodeState' : 'decodeState'} ${formatMs(codecMs)}`,
      formatSigned(gap - codecMs),
      beyondJson,
    ]);
  }
  if (lines.length === 0) return '_No rows._';
  return table(['Backend', 'Operation', 'Payload', 'Burr − floor', 'Codec alone', 'Rest (validation, driver call shape, GC)', 'Burr − (driver+JSON)'], lines);
}

const formatSigned = (ms: number) => (ms < 0 ? `−${formatMs(-ms)}` : formatMs(ms));

function runnerTable(runner: Report['runner']): string {
  if (!Array.isArray(runner)) return `_Not run: ${runner.unavailable}._`;
  return table(
    ['App', 'Persister', 'Steps/s', 'Median step', 'p95 step', 'Steps timed'],
    runner.map((r) => [r.app, r.persister, r.stepsPerSecond.toFixed(0), formatMs(r.medianStepMs), formatMs(r.p95StepMs), String(r.steps)]),
  );
}

function historyRunsText(runs: HistoryRun[]): string {
  if (runs.length === 0) return '';
  const lines = ['Fills and time per backend:', ''];
  for (const run of runs) lines.push(`- ${run.backend}: section took ${run.seconds.toFixed(0)} s; ${run.fills.join('; ')}.`);
  lines.push('');
  const planned = runs.filter((run) => run.plans.length > 0);
  if (planned.length > 0) {
    lines.push('<details><summary>Query plans of the history statements on the filled tables</summary>', '');
    for (const run of planned) lines.push(`**${run.backend}**`, '', ...run.plans.map((plan) => `- ${plan.replace(/\|/g, '\\|')}`), '');
    lines.push('</details>', '');
  }
  return lines.join('\n');
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const lines = [
    '# Burr persister benchmark',
    '',
    `Generated ${report.generatedAt} by \`pnpm bench${report.mode === 'quick' ? ' --quick' : ''}\` in ${report.durationSeconds.toFixed(0)} s.`,
    '',
    `**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}. **Node** ${m.node}.`,
    '',
    `**Versions:** ${Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    '**Backends:**',
    ...report.backends.map((b) => `- ${b.label}: ${b.status === 'ran' ? `ran (${b.detail})` : `skipped: ${b.detail}`}`),
    '',
    'Cells are median (p95) latency of one call. Floor = the raw driver doing the same storage work on the same connection',
    '(no encoding, no validation, no decoding). Ratios compare medians; bold marks Burr slower than 1.15x the floor or',
    'slower than the peer. See bench/README.md for what each row measures.',
    '',
    '## Payload operations',
    '',
    'Driver + JSON = the floor’s driver call plus plain `JSON.stringify` of the same state in each call (saves), or plus',
    '`JSON.parse` of the text it read (loads): the lower bound of any persister storing JSON. Bold marks Burr above 1.3x of it.',
    '',
    sectionTable('payload', report.rows),
    '',
    '### Where the gap to the floor goes',
    '',
    "Burr's median minus the floor's, next to the state codec's median for that payload (section \"State codec alone\").",
    'A rest near zero means the persister adds nothing but encoding/decoding; noise makes small rests jitter either way.',
    'The last column is what Burr costs beyond the driver doing plain JSON.',
    '',
    gapTable(report.rows),
    '',
    '## Chatbot run: save cost as the history grows',
    '',
    'Each step appends a ~200-byte message and saves the whole state; a cell is the median over steps within ±5 of',
    'the named step, across all runs. "Whole run" is the sum of the 1,000 save times (median over runs).',
    '',
    sectionTable('chatbot', report.rows),
    '',
    '## Loading with many stored steps',
    '',
    "The table is filled in bulk by the raw driver in Burr's format (100 steps per app, 10 apps per partition);",
    'reads go to scattered apps.',
    '',
    sectionTable('stored-steps', report.rows),
    '',
    '## History and retention',
    '',
    'Stores filled in bulk by the raw driver (SQL: plain inserts, then the app index backfill and trigger; Redis: every key the',
    'save script writes). The floor runs the persister’s own statements (`burrSqlStatements(...).history`, the app index',
    'statements) or Redis commands directly. Prune and compact are timed once each, Burr and the floor on stores of their own;',
    'the concurrent writer saves another app in a loop during the prune (Burr `save()`, or the floor’s raw insert).',
    '',
    sectionTable('history', report.rows),
    '',
    historyRunsText(report.history),
    '## Runner alone',
    '',
    runnerTable(report.runner),
    '',
    '## State codec alone (no I/O)',
    '',
    sectionTable('codec', report.rows),
    '',
  ];
  if (report.notes.length > 0) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** Writes `latest.md` and `latest.json` to `dir`; returns the markdown. */
export function writeReport(report: Report, dir: string): string {
  const markdown = renderMarkdown(report);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), markdown);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  return markdown;
}
