// The end-of-run summary of skipped tests: one block per package, each reason once with what it skipped.
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
    if (!seen) byPackage.set(record.package, { ...record, skipped: [...record.skipped] });
    else {
      seen.total += record.total;
      seen.skippedTests += record.skippedTests;
      seen.skipped.push(...record.skipped);
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
