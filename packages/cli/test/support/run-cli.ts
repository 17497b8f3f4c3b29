import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { State, type BaseStatePersister } from '@burr/core';
import { runBurr, type CliIo } from '../../src/index.js';

/** What a `burr` run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How an in-process run's terminal behaves. */
export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  stdinIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Answers to prompts, in order; each prompt is recorded in `prompts`. */
  answers?: string[];
  /** Called with every stderr write and the run's interrupt controller (e.g. to press Ctrl-C once progress shows). */
  onStderr?: (text: string, interrupt: AbortController) => void;
}

/** Runs `burr` in this process through `runBurr`, with captured streams and a scripted terminal. */
export async function burr(argv: readonly string[], options: InProcessOptions = {}): Promise<CliRun & { prompts: string[] }> {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const answers = [...(options.answers ?? [])];
  const interrupt = new AbortController();
  const io: CliIo = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
      options.onStderr?.(text, interrupt);
    },
    env: options.env ?? {},
    stdinIsTTY: options.stdinIsTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    ask: async (question) => {
      prompts.push(question);
      return answers.shift() ?? '';
    },
    interrupts: () => interrupt.signal,
  };
  const code = await runBurr(argv, io);
  return { code, stdout, stderr, prompts };
}

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
/** The built command, as npm links it. */
export const BIN = `${packageDir}dist/bin.js`;

/** Runs `node <bin> …args` to its end; `input` is written to stdin, which is a pipe (not a terminal). */
export function runBin(
  bin: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk, child);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** An app to save: `steps` steps, sequence ids 0…steps-1, positions alternating. */
export interface SeedApp {
  partitionKey?: string;
  appId: string;
  steps: number;
}

/** Saves each app's steps through the persister, oldest first; the state holds tagged values (a date, a set). */
export async function seed(persister: BaseStatePersister, apps: readonly SeedApp[]): Promise<void> {
  for (const app of apps) {
    for (let sequenceId = 0; sequenceId < app.steps; sequenceId++) {
      await persister.save({
        partitionKey: app.partitionKey,
        appId: app.appId,
        sequenceId,
        position: sequenceId % 2 === 0 ? 'ask' : 'respond',
        state: sampleState(sequenceId),
        status: 'completed',
      });
    }
  }
}

/** The state saved at `sequenceId` by {@link seed}. */
export function sampleState(sequenceId: number): State {
  return new State({ turn: sequenceId, at: new Date(Date.UTC(2025, 0, 1)), tags: new Set(['a', 'b']), history: [{ role: 'user', text: `hi ${sequenceId}` }] });
}
