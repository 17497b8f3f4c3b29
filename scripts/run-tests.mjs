#!/usr/bin/env node
// `pnpm test`: turbo's typecheck, lint and test tasks (extra arguments go to
// turbo), then one summary of every skipped test with its reason, then
// turbo's exit code, so a failure still fails and a skip is never silent.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSkipSummary, readSkipRecords } from './skip-summary.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const reportDir = fileURLToPath(new URL(`../node_modules/.cache/burr-test-skips/${Date.now()}-${process.pid}`, import.meta.url));
mkdirSync(reportDir, { recursive: true });

const turbo = spawn('turbo', ['run', 'typecheck', 'lint', 'test', '--continue', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, BURR_SKIP_REPORT_DIR: reportDir },
  shell: process.platform === 'win32',
});

// Ctrl+C reaches turbo too; staying alive until it stops lets the summary still print.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => turbo.kill(signal));
turbo.on('error', (error) => {
  console.error(`could not start turbo: ${error.message}`);
  process.exitCode = 1;
});
turbo.on('close', (code) => {
  console.log(`\n${formatSkipSummary(readSkipRecords(reportDir))}`);
  rmSync(reportDir, { recursive: true, force: true });
  process.exitCode = code ?? 1; // null: turbo died of a signal
});
