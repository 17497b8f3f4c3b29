/** Exit codes of the `burr` command. */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The store refused or failed (a `BurrError` from the persister, a step that is not there, a cancelled delete). */
  failed: 1,
  /** The command line cannot work: bad arguments, or the persister package for the URL is not installed. */
  usage: 2,
  /** Ctrl-C stopped a prune or a conversion between batches. */
  interrupted: 130,
} as const;

/** A command line that cannot work; reported on one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran but has to report failure (e.g. no such step); exit code 1. */
export class CommandFailure extends Error {
  /** Stable, machine-readable reason for `--json` output. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
  }
}

/**
 * Whether `error` is one of Burr's typed errors. Checked by shape, not
 * `instanceof`: the persister package may resolve its own copy of
 * `@burr/core` next to the one this CLI imports.
 */
export function isBurrError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('BURR_');
}
