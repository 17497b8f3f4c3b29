#!/usr/bin/env node
// `pnpm test`: Biome's lint and format check of the whole tree, turbo's typecheck, lint and
// test tasks (extra arguments go to turbo), then one summary of every skipped
// test with its reason and of every failed test with the start of its error (the
// last lines of a long run then say what failed); any failure fails the run and a skip is never silent.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatFailureSummary, formatSkipSummary, readSkipRecords } from './skip-summary.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const reportDir = fileURLToPath(new URL(`../node_modules/.cache/burr-test-skips/${Date.now()}-${process.pid}`, import.meta.url));
mkdirSync(reportDir, { recursive: true });

// Lint and format check of the whole tree: takes seconds; a finding does not stop the tests, it only fails the run at the end.
const biome = spawnSync('biome', ['check', '--error-on-warnings', '.'], { cwd: repoRoot, stdio: 'inherit', shell: process.platform === 'win32' });
if (biome.error) console.error(`could not start biome: ${biome.error.message}`);
const biomeFailed = biome.status !== 0;

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
  const records = readSkipRecords(reportDir);
  console.log(`\n${formatSkipSummary(records)}`);
  const failures = formatFailureSummary(records);
  if (failures) console.log(`\n${failures}`);
  rmSync(reportDir, { recursive: true, force: true });
  if (biomeFailed) console.log('biome found problems (see above); `pnpm lint:code` repeats them.');
  process.exitCode = code ?? 1; // null: turbo died of a signal
  if (biomeFailed && process.exitCode === 0) process.exitCode = 1;
});
