/**
 * A vitest reporter that records every skipped suite or test with its reason,
 * so a skip never passes for a pass, and every failure with the start of its
 * error, so the end of a long interleaved run names what failed. Under
 * `pnpm test` (BURR_SKIP_REPORT_DIR set by scripts/run-tests.mjs) it writes one
 * JSON record per run there, for the summaries printed after turbo; run alone,
 * it prints the package's skip block.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSuite, Vitest } from 'vitest/node';
import { formatSkipSummary } from './skip-summary.mjs';
import type { FailedUnit, PackageSkips, SkippedUnit } from './skip-summary.d.mts';

/** The reason a title carries: `name [skipped: reason]`, `name (skipped: reason)` or `name: skipped, reason`. */
export function reasonInTitle(title: string): { title: string; reason: string } | null {
  const bracketed = /^(.*?)\s*(?:\[skipped:\s*(.*)\]|\(skipped:\s*(.*)\))\s*$/s.exec(title);
  if (bracketed) return { title: bracketed[1]!, reason: (bracketed[2] ?? bracketed[3])! };
  const inline = /^(.*?):?\s*\bskipped[,:]\s+(.+)$/is.exec(title);
  if (inline) return { title: inline[1]!, reason: inline[2]! };
  return null;
}

/** The outermost skipped suite around a skipped test, else the test itself. */
function skippedUnit(test: TestCase): TestCase | TestSuite {
  let unit: TestCase | TestSuite = test;
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) {
    if (parent.options.mode === 'skip' || parent.options.mode === 'todo') unit = parent;
  }
  return unit;
}

function whySkipped(test: TestCase): string {
  const result = test.result();
  if (result.state === 'skipped' && result.note) return result.note;
  if (test.options.mode === 'todo') return 'todo';
  for (let task: TestCase | TestSuite | TestModule = test; task.type !== 'module'; task = task.parent) {
    const found = reasonInTitle(task.name);
    if (found?.reason) return found.reason;
  }
  return 'no reason given (put it in the title as "[skipped: why]" or call context.skip("why"))';
}

const ERROR_LINES = 12;

/** The first lines of an error: its name and message, the start of a diff, and where in the test file it was thrown. */
export function errorHead(error: Pick<SerializedError, 'message'> & { name?: string; stack?: string; diff?: string }, testFile?: string): string {
  const message = `${error.name && !error.message.startsWith(error.name) ? `${error.name}: ` : ''}${error.message}`;
  const lines = message.split('\n').slice(0, ERROR_LINES);
  if (error.diff) lines.push(...error.diff.split('\n').slice(0, ERROR_LINES));
  const inTest = testFile ? error.stack?.split('\n').find((line) => line.includes(`${testFile}:`)) : undefined;
  if (inTest) lines.push(inTest.trim());
  return stripVTControlCharacters(lines.join('\n')); // the diff comes colored
}

function titlePath(test: TestCase): string {
  const titles = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) titles.unshift(parent.name);
  return titles.join(' > ');
}

/** What the given modules failed: each failed test, each error while collecting a file, each unhandled error. */
export function collectFailures(root: string, modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError> = []): FailedUnit[] {
  const failed: FailedUnit[] = [];
  for (const module of modules) {
    const file = relative(root, module.moduleId);
    for (const error of module.errors()) failed.push({ file, title: '(while loading the file)', error: errorHead(error, module.moduleId) });
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'failed') continue;
      failed.push({ file, title: titlePath(test), error: result.errors.map((error) => errorHead(error, module.moduleId)).join('\n') });
    }
  }
  for (const error of unhandled) failed.push({ file: '', title: '(unhandled error)', error: errorHead(error) });
  return failed;
}

/** What the given modules skipped, grouped by skipped suite. */
export function collectSkips(packageName: string, root: string, modules: ReadonlyArray<TestModule>): PackageSkips {
  const record: PackageSkips = { package: packageName, total: 0, skippedTests: 0, skipped: [], failed: [] };
  const units = new Map<string, SkippedUnit>();
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      record.total += 1;
      if (test.result().state !== 'skipped') continue;
      record.skippedTests += 1;
      const unit = skippedUnit(test);
      const seen = units.get(unit.id);
      if (seen) {
        seen.tests += 1;
        continue;
      }
      const title = reasonInTitle(unit.name)?.title || unit.name;
      const entry = { file: relative(root, module.moduleId), title, reason: whySkipped(test), tests: 1 };
      units.set(unit.id, entry);
      record.skipped.push(entry);
    }
  }
  return record;
}

function packageNameAt(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name ?? root;
  } catch {
    return root;
  }
}

/** Listed in vitest.shared.ts after the default reporter. */
export class SkipReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, _reason: TestRunEndReason): void {
    const record = collectSkips(packageNameAt(this.root), this.root, modules);
    record.failed = collectFailures(this.root, modules, unhandledErrors);
    const dir = process.env.BURR_SKIP_REPORT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const file = `${record.package.replace(/[^\w.-]+/g, '_')}-${process.pid}.json`;
      writeFileSync(join(dir, file), JSON.stringify(record));
    } else if (record.skippedTests > 0) {
      process.stdout.write(`\n${formatSkipSummary([record])}\n`);
    }
  }
}
