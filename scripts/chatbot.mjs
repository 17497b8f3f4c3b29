#!/usr/bin/env node
// `pnpm chatbot [options]`: builds the chatbot example and the packages it
// uses (quietly; turbo's cache makes a rebuild near-instant), then runs it
// with your arguments and terminal. Exits with the chatbot's exit code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'examples', 'chatbot', 'dist', 'main.js');
const isWindows = process.platform === 'win32';

function build() {
  const turbo = join(root, 'node_modules', '.bin', isWindows ? 'turbo.cmd' : 'turbo');
  if (!existsSync(turbo)) {
    process.stderr.write('chatbot: turbo is not installed; run `pnpm install` at the repository root first.\n');
    process.exit(1);
  }
  const result = spawnSync(turbo, ['run', 'build', '--filter=@burr/example-chatbot...', '--output-logs=errors-only'], {
    cwd: root,
    encoding: 'utf8',
    shell: isWindows,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.stderr.write(`chatbot: building the example failed${result.error ? ` (${result.error.message})` : ''}; see the output above.\n`);
    process.exit(1);
  }
}

build();

// pnpm runs scripts from the repository root; INIT_CWD is where the user typed
// the command, so a relative --db path means what they think it means.
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.env.INIT_CWD && existsSync(process.env.INIT_CWD) ? process.env.INIT_CWD : process.cwd(),
});
// Ctrl+C reaches the chatbot too (same terminal process group); let it end the chat itself.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (signal !== 'SIGINT') child.kill(signal);
  });
}
child.on('error', (error) => {
  process.stderr.write(`chatbot: could not start node: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
