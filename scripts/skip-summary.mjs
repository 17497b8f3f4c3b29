// The end-of-run summaries: skipped tests (one block per package, each reason once with what it skipped),
// then failed tests with the start of their errors, so the last lines of a long run name what failed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads every record the skip reporter wrote to `dir` (one per vitest run)
 * and merges the runs of one package.
 * @param {string} dir
 * @returns {import('./skip-summary.d.mts').PackageSkips[]}
 */
export function readSkipRecords(dir) {
  /** @type {Map<string, import('./skip-summary.d.mts').PackageSkips>} */
  const byPackage = new Map();
  let files = [];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  for (const file of files.sort()) {
    /** @type {import('./skip-summary.d.mts').PackageSkips} */
    const record = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const seen = byPackage.get(record.package);
    if (!seen) byPackage.set(record.package, { ...record, skipped: [...record.skipped], failed: [...(record.failed ?? [])] });
    else {
      seen.total += record.total;
      seen.skippedTests += record.skippedTests;
      seen.skipped.push(...record.skipped);
      seen.failed.push(...(record.failed ?? []));
    }
  }
  return [...byPackage.values()].sort((a, b) => a.package.localeCompare(b.package));
}

/**
 * The summary text: packages with skips, each reason once, then the
 * packages that skipped nothing.
 * @param {import('./skip-summary.d.mts').PackageSkips[]} packages
 * @returns {string}
 */
export function formatSkipSummary(packages) {
  if (packages.length === 0) return 'Skipped tests: no test run recorded its results.';
  const withSkips = packages.filter((p) => p.skippedTests > 0);
  const clean = packages.filter((p) => p.skippedTests === 0).map((p) => p.package);
  const total = withSkips.reduce((sum, p) => sum + p.skippedTests, 0);
  if (withSkips.length === 0) return `Skipped tests: none (${packages.length} packages ran their tests).`;

  const lines = [`Skipped tests: ${total} in ${withSkips.length} of ${packages.length} packages; a skip is not a pass.`];
  for (const pkg of withSkips) {
    lines.push(`  ${pkg.package}: ${pkg.skippedTests} of ${pkg.total} tests skipped`);
    /** @type {Map<string, import('./skip-summary.d.mts').SkippedUnit[]>} */
    const byReason = new Map();
    for (const unit of pkg.skipped) byReason.set(unit.reason, [...(byReason.get(unit.reason) ?? []), unit]);
    for (const [reason, units] of byReason) {
      lines.push(`    why: ${reason}`);
      for (const unit of units) {
        const count = unit.tests === 1 ? '' : ` (${unit.tests} tests)`;
        lines.push(`      - ${unit.file} > ${unit.title}${count}`);
      }
    }
  }
  if (clean.length > 0) lines.push(`  nothing skipped in: ${clean.join(', ')}`);
  return lines.join('\n');
}

/**
 * The failures block: each failed test (or error outside a test) with the
 * start of its error; empty when nothing failed.
 * @param {import('./skip-summary.d.mts').PackageSkips[]} packages
 * @returns {string}
 */
export function formatFailureSummary(packages) {
  const withFailures = packages.filter((p) => (p.failed ?? []).length > 0);
  if (withFailures.length === 0) return '';
  const total = withFailures.reduce((sum, p) => sum + p.failed.length, 0);
  const lines = [`Failed tests: ${total} in ${withFailures.length} of ${packages.length} packages.`];
  for (const pkg of withFailures) {
    lines.push(`  ${pkg.package}`);
    for (const unit of pkg.failed) {
      lines.push(`    x ${unit.file ? `${unit.file} > ` : ''}${unit.title}`);
      for (const line of unit.error.split('\n')) lines.push(`        ${line}`);
    }
  }
  return lines.join('\n');
}
