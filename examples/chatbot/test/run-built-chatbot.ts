import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = join(exampleDir, '..', '..');
export const builtEntry = join(exampleDir, 'dist', 'main.js');

/**
 * Builds the example and the packages it uses, as `pnpm chatbot` does
 * (turbo's cache makes it quick when nothing changed), so the tests drive
 * the same dist/main.js a user runs.
 */
export function buildChatbot(): void {
  const turbo = join(repoRoot, 'node_modules', '.bin', 'turbo');
  const result = spawnSync(turbo, ['run', 'build', '--filter=@burr/example-chatbot...', '--output-logs=errors-only'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0 || !existsSync(builtEntry)) {
    throw new Error(`Building the chatbot failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

export interface ChatRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a run: no colours and, unless given, no OpenAI key (the offline bot answers). */
export function chatEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL']) if (!(name in extra)) delete env[name];
  return env;
}

/** A chatbot started by {@link startChatbot}: its output so far, and its end. */
export interface RunningChatbot {
  child: ChildProcessWithoutNullStreams;
  output: () => ChatRun;
  /** Resolves when stdout contains `text` (rejects if the chatbot ends first). */
  waitForOutput: (text: string) => Promise<void>;
  done: Promise<ChatRun>;
}

/** Starts dist/main.js with `args` and stdin left open, for tests that type later or send signals. */
export function startChatbot(args: readonly string[], env: NodeJS.ProcessEnv = chatEnv(), options: { uid?: number; gid?: number } = {}): RunningChatbot {
  const child = spawn(process.execPath, [builtEntry, ...args], { cwd: exampleDir, env, stdio: ['pipe', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of [...waiters]) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const output = () => ({ code: child.exitCode, stdout, stderr });
  const done = new Promise<ChatRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      for (const check of [...waiters]) check();
      resolve({ code, stdout, stderr });
    });
  });
  const waitForOutput = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve();
        else if (ended) reject(new Error(`The chatbot ended without printing ${JSON.stringify(text)}:\n${stdout}\n${stderr}`));
        else return;
        waiters.splice(waiters.indexOf(check), 1);
      };
      waiters.push(check);
      check();
    });
  return { child, output, waitForOutput, done };
}

/** Runs dist/main.js with `args`, `lines` piped on stdin (then end of input). */
export function runChatbot(
  args: readonly string[],
  lines: readonly string[] = [],
  env: NodeJS.ProcessEnv = chatEnv(),
  options: { uid?: number; gid?: number } = {},
): Promise<ChatRun> {
  const running = startChatbot(args, env, options);
  running.child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  return running.done;
}

/** The app id the chatbot printed on its first line (`New conversation <id> ...` or `... into a new conversation <id>.`). */
export function printedAppId(stdout: string): string {
  const match = /(?:New conversation|into a new conversation) ([0-9a-f-]{36})/.exec(stdout);
  if (!match?.[1]) throw new Error(`No app id in:\n${stdout}`);
  return match[1];
}

/** A localhost port nothing listens on (it was free a moment ago), for "unreachable server" cases. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether util-linux `script` is there to give the chatbot a real terminal (a pseudo-terminal) in tests. */
export const canRunOnTerminal = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Runs dist/main.js on a pseudo-terminal (through `script`), so its input is
 * a TTY, and types `keys` once the output shows `prompt`. Its output is the
 * terminal's: what was typed is echoed, escape sequences included.
 */
export function runChatbotOnTerminal(args: readonly string[], prompt: string, keys: string, env: NodeJS.ProcessEnv = chatEnv()): Promise<ChatRun> {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, builtEntry, ...args].map(quote).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd: exampleDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let typed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!typed && stdout.includes(prompt)) {
      typed = true;
      child.stdin.write(keys);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
