import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SEQUENCE_ID_KEY } from '@burr/core';
import { openPersister, type BackendSpec } from './backend-spec.js';
import { TRIAL_APP_ID, TRIAL_PARTITION, expectedLog } from './counter-app.js';

/** The built child program (tsup puts it beside main.js; sources are one folder up from dist). */
const CHILD_PROGRAM = fileURLToPath(new URL('../dist/crash-child.js', import.meta.url));

/** What a check of the stored chain found. */
export interface StoredChainReport {
  /** Reported-saved steps that are missing from the store, or stored with other content. */
  lost: number;
  /** Stored steps whose state shows an action applied twice or skipped (`count !== sequenceId + 1`). */
  duplicated: number;
  /** Sequence ids missing between 0 and the latest stored one. */
  gaps: number;
  /**
   * Stored steps that do not load, or whose `log` does not match their count
   * (wrong length or entries: the state was rebuilt from the wrong steps).
   */
  inconsistent: number;
  /** The first few problems, for the log. */
  problems: string[];
}

/** What a run of trials found on one backend. */
export interface CrashTrialReport extends StoredChainReport {
  trials: number;
  /** Steps the children reported as saved (their save had returned). */
  stepsSaved: number;
  /** Children that died before they resumed (they must not: a kill can land anywhere, a restart must work). */
  startupFailures: number;
}

/** Options of {@link runCrashTrials}. */
export interface CrashTrialOptions {
  trials: number;
  /** Each child is killed at a random moment up to this long after it resumed. */
  maxLifeMs?: number;
  /** Gives up on a child that has not resumed after this long. */
  startupTimeoutMs?: number;
}

interface ChildLife {
  resumedAt: number | null;
  saved: Map<number, number>;
  startupFailure: string | null;
}

/**
 * Runs `trials` lives of the counter app against one store, each killed with
 * SIGKILL at a random moment, each resuming where the previous one stopped;
 * then checks, through the public loader API, that every step a child saw
 * saved is stored once and the stored chain is gap-free and consistent.
 */
export async function runCrashTrials(spec: BackendSpec, options: CrashTrialOptions): Promise<CrashTrialReport> {
  const maxLifeMs = options.maxLifeMs ?? 300;
  const report: CrashTrialReport = { trials: options.trials, stepsSaved: 0, lost: 0, duplicated: 0, gaps: 0, inconsistent: 0, startupFailures: 0, problems: [] };
  const acknowledged = new Map<number, number>();
  let lastAcknowledged = -1;
  const startupTimeoutMs = options.startupTimeoutMs ?? 20_000;
  let next: PendingLife | null = startLife(spec);
  try {
    for (let trial = 0; trial < options.trials; trial++) {
      const current: PendingLife = next ?? startLife(spec);
      // The next life loads its modules while this one runs; it opens the store only once this one is dead.
      next = trial + 1 < options.trials ? startLife(spec) : null;
      const life = await current.live(Math.random() * maxLifeMs, startupTimeoutMs);
      if (life.startupFailure !== null) {
        report.startupFailures++;
        note(report, `trial ${trial}: ${life.startupFailure}`);
        continue;
      }
      if (life.resumedAt !== null && life.resumedAt < lastAcknowledged) {
        note(report, `trial ${trial} resumed at ${life.resumedAt}, but ${lastAcknowledged} had been saved`);
      }
      for (const [sequenceId, count] of life.saved) {
        acknowledged.set(sequenceId, count);
        lastAcknowledged = Math.max(lastAcknowledged, sequenceId);
      }
    }
  } finally {
    next?.discard();
  }
  report.stepsSaved = acknowledged.size;
  await checkStoredChain(spec, acknowledged, report);
  return report;
}

function note(report: StoredChainReport, problem: string): void {
  if (report.problems.length < 10) report.problems.push(problem);
}

/** A child started ahead of its turn: it loads its modules, then waits for `go` before it touches the store. */
interface PendingLife {
  /** Lets it resume, kills it `lifeMs` after it did, and reports what it saw saved. */
  live(lifeMs: number, startupTimeoutMs: number): Promise<ChildLife>;
  /** Kills it unused. */
  discard(): void;
}

function startLife(spec: BackendSpec): PendingLife {
  const life: ChildLife = { resumedAt: null, saved: new Map(), startupFailure: null };
  const child = spawn(process.execPath, [CHILD_PROGRAM, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
  // 'close', not 'exit': the lines a child printed just before its kill may still be in the pipe at 'exit'.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  let pending = '';
  let onResumed = () => {};
  // A child that died before its `go` makes the write fail: its exit tells why.
  child.stdin.on('error', () => {});
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, sequenceText, countText] = line.split(' ');
      if (kind === 'resumed' && life.resumedAt === null) {
        life.resumedAt = sequenceText === 'none' ? -1 : Number(sequenceText);
        onResumed();
      } else if (kind === 'saved') {
        life.saved.set(Number(sequenceText), Number(countText));
      }
    }
  });
  return {
    async live(lifeMs, startupTimeoutMs) {
      const startupTimer = setTimeout(() => {
        life.startupFailure = `no resume within ${startupTimeoutMs} ms`;
        child.kill('SIGKILL');
      }, startupTimeoutMs);
      onResumed = () => {
        clearTimeout(startupTimer);
        setTimeout(() => child.kill('SIGKILL'), lifeMs);
      };
      child.stdin.write('go\n');
      const { code, signal } = await closed;
      clearTimeout(startupTimer);
      if (life.resumedAt === null && life.startupFailure === null) {
        life.startupFailure = `exited with ${signal ?? code} before resuming: ${firstErrorLine(stderr)}`;
      } else if (life.resumedAt !== null && signal !== 'SIGKILL') {
        life.startupFailure = `exited with ${signal ?? code} while stepping: ${firstErrorLine(stderr)}`;
      }
      return life;
    },
    discard() {
      child.kill('SIGKILL');
    },
  };
}

/**
 * Checks the stored chain of the trial app: every sequence id up to the
 * latest is stored (else a gap) and loads (else it is inconsistent), holds
 * `count === sequenceId + 1` (else a step was applied twice or skipped) and
 * the `log` that count implies (else the state was rebuilt from the wrong
 * steps, e.g. a delta on the wrong base, and is inconsistent), and every
 * acknowledged step is stored with the count its writer saw (else it was lost).
 */
export async function checkStoredChain(spec: BackendSpec, acknowledged: ReadonlyMap<number, number>, report: StoredChainReport): Promise<void> {
  const persister = await openPersister(spec);
  try {
    let lastStored: number;
    try {
      lastStored = (await persister.load(TRIAL_PARTITION, TRIAL_APP_ID))?.sequenceId ?? -1;
    } catch (error) {
      report.inconsistent++;
      note(report, `the latest step does not load: ${describeError(error)}`);
      // Check every step a child saw saved, at least.
      lastStored = -1;
      for (const sequenceId of acknowledged.keys()) lastStored = Math.max(lastStored, sequenceId);
    }
    /** The count of each stored step that loads, by sequence id. */
    const storedCounts = new Map<number, unknown>();
    for (let sequenceId = 0; sequenceId <= lastStored; sequenceId++) {
      let step: Awaited<ReturnType<typeof persister.load>>;
      try {
        step = await persister.load(TRIAL_PARTITION, TRIAL_APP_ID, sequenceId);
      } catch (error) {
        report.inconsistent++;
        note(report, `sequence id ${sequenceId} does not load: ${describeError(error)}`);
        continue;
      }
      if (step === null) {
        report.gaps++;
        note(report, `sequence id ${sequenceId} is missing`);
        continue;
      }
      const count = step.state.get('count');
      storedCounts.set(sequenceId, count);
      if (count !== sequenceId + 1 || step.state.get(SEQUENCE_ID_KEY) !== sequenceId) {
        report.duplicated++;
        note(report, `sequence id ${sequenceId} holds count ${String(count)}`);
      }
      const log = step.state.get('log');
      const expected = typeof count === 'number' ? expectedLog(count) : [];
      if (!Array.isArray(log) || log.length !== expected.length || log.some((entry, i) => entry !== expected[i])) {
        report.inconsistent++;
        note(report, `sequence id ${sequenceId} (count ${String(count)}) holds log ${describeLog(log)}, expected ${describeLog(expected)}`);
      }
    }
    for (const [sequenceId, count] of acknowledged) {
      if (storedCounts.get(sequenceId) !== count) {
        report.lost++;
        note(report, `saved step ${sequenceId} (count ${count}) is not stored as saved`);
      }
    }
  } finally {
    await persister.cleanup();
  }
}

/** A log in a problem line: its length and last entries. */
function describeLog(log: unknown): string {
  if (!Array.isArray(log)) return JSON.stringify(log) ?? String(log);
  return `[${log.length} entries${log.length > 0 ? `, ending ${JSON.stringify(log.slice(-3))}` : ''}]`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The line of a child's stderr that names its error (Node prints the source line and a caret first). */
function firstErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.find((line) => /^\w*Error\b|^\w+Error:|Error \[|code:/.test(line.trim())) ?? lines.slice(-3).join(' | ');
}
