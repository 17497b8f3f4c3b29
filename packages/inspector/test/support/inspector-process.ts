import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '@burr/testkit';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
/** The built `burr-inspect`, as npm links it. */
export const BIN = `${packageDir}dist/bin.js`;

/** Builds dist/ with the package's own build script when it is missing or older than the sources. */
export function ensureBuilt(): void {
  buildIfStale(packageDir, BIN);
}

/** A `burr-inspect` process that printed its address. */
export interface InspectorProcess {
  child: ChildProcess;
  /** The printed address (with `?token=…` when it has one). */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/bin.js …args --port 0` and waits for the `Open <url>` line. */
export function startInspectorProcess(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<InspectorProcess> {
  const child = spawn(process.execPath, [BIN, ...args, '--port', '0'], { cwd: options.cwd ?? packageDir, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`burr-inspect printed no address in 20 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 20_000);
    const check = (): void => {
      const match = /^Open (http:\/\/\S+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const url = match[1]!;
      resolve({
        child,
        url,
        origin: new URL(url).origin,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', check);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`burr-inspect exited with ${code} before printing its address; stderr: ${stderr}`));
    });
  });
}

/** Runs `node dist/bin.js …args` to its end (for command lines that must be refused). */
export function runInspectorToEnd(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? packageDir, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
