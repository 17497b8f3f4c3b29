import { spawn } from 'node:child_process';

/** What a child process printed, how it ended, and when each stdout line arrived. */
export interface ChildRun {
  /** Exit code, or `null` when it was killed (see `timedOut`). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each stdout line with the milliseconds since the child started. */
  lines: Array<{ text: string; atMs: number }>;
  /** Milliseconds from start to exit. */
  exitMs: number;
  /** Whether it was still running at `timeoutMs` and was killed. */
  timedOut: boolean;
}

/**
 * Runs `node <args>` in `cwd` and waits for it to exit by itself, killing it
 * (SIGKILL) after `timeoutMs`: for tests that a process does not hang on
 * handles a library left open, or that several processes race correctly.
 */
export function runNode(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: ChildRun['lines'] = [];
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ text, atMs: performance.now() - started });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    let exitMs = 0;
    child.on('exit', () => (exitMs = performance.now() - started));
    child.on('close', (code) => {
      clearTimeout(killer);
      if (partial) lines.push({ text: partial, atMs: exitMs });
      resolve({ code, stdout, stderr, lines, exitMs, timedOut });
    });
  });
}
