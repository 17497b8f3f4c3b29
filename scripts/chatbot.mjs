#!/usr/bin/env node
// `pnpm chatbot [options]`, from any folder of the repository: builds the
// chatbot example and the packages it uses, then runs it with your arguments
// and terminal. Exits with the chatbot's exit code.
//
// The build goes through turbo, whose cache makes it near-instant once done.
// When something does need building (the first run takes about a minute), one
// line per package says so, so the wait is never silent.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'examples', 'chatbot', 'dist', 'main.js');
const isWindows = process.platform === 'win32';

function say(line) {
  process.stderr.write(`chatbot: ${line}\n`);
}

/** Resolves when the example is built; exits the process with turbo's output if the build fails. */
function build() {
  const turbo = join(root, 'node_modules', '.bin', isWindows ? 'turbo.cmd' : 'turbo');
  if (!existsSync(turbo)) {
    say('turbo is not installed; run `pnpm install` in the repository first.');
    process.exit(1);
  }
  // --json: one event per line, so task starts can be told from task output.
  const child = spawn(turbo, ['run', 'build', '--filter=@burr/example-chatbot...', '--json'], {
    cwd: root,
    shell: isWindows,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  });
  const started = Date.now();
  // Every line, with its task ('turbo' for turbo's own), to show a failed task's output.
  const transcript = [];
  const built = [];
  const onEvent = (line) => {
    const event = parseEvent(line) ?? { source: 'turbo', text: line };
    transcript.push(event);
    if (event.text.startsWith('cache miss')) {
      if (built.length === 0) say('building the example and the packages it uses (once; about a minute the first time)');
      built.push(event.source.replace(/#build$/, ''));
      say(`  building ${built.at(-1)}`);
    }
  };
  createInterface({ input: child.stdout }).on('line', onEvent);
  createInterface({ input: child.stderr }).on('line', (line) => transcript.push({ source: 'turbo', text: line }));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      say(`could not start turbo: ${error.message}`);
      process.exit(1);
    });
    child.on('close', (code) => {
      if (code !== 0) {
        process.stderr.write(`${failureReport(transcript)}\n`);
        say('building the example failed; see the output above.');
        process.exit(1);
      }
      if (built.length > 0) say(`built ${built.length} package(s) in ${Math.round((Date.now() - started) / 1000)} s`);
      resolve();
    });
  });
}

/** Turbo's own lines plus the output of the tasks it names as failed (all output if it names none). */
function failureReport(transcript) {
  const failed = new Set(
    transcript
      .filter((event) => event.source === 'turbo' && /^\s*Failed:/.test(event.text))
      .flatMap((event) =>
        event.text
          .replace(/^\s*Failed:/, '')
          .split(',')
          .map((task) => task.trim()),
      ),
  );
  return transcript
    .filter((event) => failed.size === 0 || event.source === 'turbo' || failed.has(event.source))
    .map((event) => (event.source === 'turbo' ? event.text : `${event.source}: ${event.text}`))
    .join('\n');
}

/** A turbo `--json` line as `{ source, text }`, or undefined if the line is not one. */
function parseEvent(line) {
  try {
    const event = JSON.parse(line);
    return typeof event?.source === 'string' && typeof event?.text === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

await build();

// Run from the folder the user typed the command in (pnpm runs root scripts at
// the root and records that folder in INIT_CWD), so a relative --db path means
// what they think it means.
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
  say(`could not start node: ${error.message}`);
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
