/** One skipped suite (all its tests) or one skipped test, with why. */
export interface SkippedUnit {
  /** Test file, relative to the package. */
  file: string;
  /** Suite or test title, without the reason. */
  title: string;
  reason: string;
  /** How many tests it skipped. */
  tests: number;
}

/** What one vitest run of one package skipped. */
export interface PackageSkips {
  package: string;
  total: number;
  skippedTests: number;
  skipped: SkippedUnit[];
}

export function readSkipRecords(dir: string): PackageSkips[];
export function formatSkipSummary(packages: PackageSkips[]): string;
