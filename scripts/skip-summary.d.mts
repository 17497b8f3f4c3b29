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

/** One failed test, or an error outside any test (title says which), with the start of its error. */
export interface FailedUnit {
  /** Test file, relative to the package; empty for an error outside every file. */
  file: string;
  /** Suite and test titles, joined by " > ". */
  title: string;
  /** The first lines of each error. */
  error: string;
}

/** What one vitest run of one package skipped and failed. */
export interface PackageSkips {
  package: string;
  total: number;
  skippedTests: number;
  skipped: SkippedUnit[];
  failed: FailedUnit[];
}

export function readSkipRecords(dir: string): PackageSkips[];
export function formatSkipSummary(packages: PackageSkips[]): string;
export function formatFailureSummary(packages: PackageSkips[]): string;
