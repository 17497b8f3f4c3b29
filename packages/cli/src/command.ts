import { shellQuote } from './format.js';
import type { CliIo } from './io.js';
import type { StoreTarget } from './args.js';
import { openStore, type OpenedStore, type StoreOptions } from './open-store.js';
import type { StoreUrl } from './store-url.js';

/** What a running command shares with the dispatcher. */
export interface CommandContext {
  io: CliIo;
  /** `--json` was given: results and errors are one JSON document on stdout. */
  json: boolean;
  /** The store, once parsed, so any error message can be scrubbed of its secrets. */
  store?: StoreUrl | undefined;
}

/** One `burr` subcommand. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The text of `burr <name> --help`. */
  usage: string;
  /** Runs it; resolves to the exit code. Throws `UsageError`, `CommandFailure` or the persister's error. */
  run(argv: readonly string[], context: CommandContext): Promise<number>;
}

/** Opens the store, runs `work` on it, and closes it whatever happens. */
export async function withStore<T>(context: CommandContext, target: StoreTarget, options: StoreOptions, work: (opened: OpenedStore) => Promise<T>): Promise<T> {
  context.store = target.store;
  const opened = await openStore(target.store, options);
  try {
    return await work(opened);
  } finally {
    await opened.persister.cleanup();
  }
}

/**
 * A `burr` command line that repeats this one with other arguments, for
 * "next page" hints. The URL is left out when it came from `BURR_URL`, and
 * is written as `"$BURR_URL"` when it holds a password, which is never printed.
 */
export function commandLine(name: string, target: StoreTarget, positionals: readonly string[], options: Record<string, string | boolean | undefined>): string {
  const words = ['burr', name];
  if (!target.fromEnv) words.push(target.store.hasSecret ? '"$BURR_URL"' : shellQuote(target.store.display));
  const optionWords: string[] = [];
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    optionWords.push(value === true ? `--${option}` : `--${option} ${shellQuote(value)}`);
  }
  // A positional starting with "-" (an app id "-x") goes after "--", so it is not read as an option.
  if (positionals.some((word) => word.startsWith('-'))) words.push(...optionWords, '--', ...positionals.map(shellQuote));
  else words.push(...positionals.map(shellQuote), ...optionWords);
  return words.join(' ');
}

/** Store options as `commandLine` options. */
export function storeFlags(options: StoreOptions): Record<string, string | undefined> {
  return { ...options };
}
