import type { Command, CommandContext } from './command.js';
import { appsCommand } from './commands/apps.js';
import { compactCommand } from './commands/compact.js';
import { convertCommand } from './commands/convert.js';
import { deleteCommand } from './commands/delete.js';
import { pruneCommand } from './commands/prune.js';
import { showCommand } from './commands/show.js';
import { stepsCommand } from './commands/steps.js';
import { upgradeCommand } from './commands/upgrade.js';
import { CommandFailure, EXIT, UsageError, isBurrError } from './errors.js';
import { jsonDocument } from './format.js';
import type { CliIo } from './io.js';
import { scrubSecrets, URL_FORMS } from './store-url.js';

const COMMANDS: readonly Command[] = [appsCommand, stepsCommand, showCommand, deleteCommand, pruneCommand, compactCommand, convertCommand, upgradeCommand];

const USAGE = `burr: look into a Burr state store and clean it up.

Usage: burr <command> URL [arguments] [options]

Commands
${COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join('\n')}

URL        ${URL_FORMS}
           (or leave it out and set BURR_URL). Each backend needs its persister
           package installed next to the CLI, e.g. npm install @burr/persister-pg.

Every command takes --json (one JSON document on stdout) and --help.
Exit codes: 0 done, 1 the store failed or refused, 2 bad arguments or a
missing package, 130 interrupted.
`;

/**
 * Runs the `burr` command line (`argv` without `node` and the script) and
 * resolves to its exit code: 0 done, 1 the store failed or refused (a
 * `BurrError`, a missing step, a cancelled delete), 2 bad arguments or a
 * persister package that is not installed, 130 a prune or a conversion
 * stopped by Ctrl-C.
 * It never throws, and never prints a password from a store URL.
 */
export async function runBurr(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find((candidate) => candidate.name === rest[0]);
    io.out(command ? `${command.usage}\n` : USAGE);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  // After "--" every word is a positional (an app id "-h" or "--json"), not an option.
  const end = rest.indexOf('--');
  const options = end === -1 ? rest : rest.slice(0, end);
  const context: CommandContext = { io, json: options.includes('--json') };
  if (!command) return report(new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((known) => known.name).join(', ')}`), 'burr', context);
  if (options.includes('--help') || options.includes('-h')) {
    io.out(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    return report(error, `burr ${command.name}`, context);
  }
}

/** One line on stderr (and, with `--json`, an error document on stdout); the exit code for `error`. */
function report(error: unknown, prefix: string, context: CommandContext): number {
  const { code, exit, hint } = classify(error);
  // One line: a driver's message may span several.
  const message = scrubSecrets(error instanceof Error ? error.message : String(error), context.store)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  context.io.err(`${prefix}: ${message}${hint}\n`);
  if (context.json) context.io.out(jsonDocument({ error: { code, message } }));
  return exit;
}

/** Codes of the persister's errors for values it is given, as opposed to what it found in the store. */
const ARGUMENT_ERROR_CODES: ReadonlySet<string> = new Set(['BURR_INVALID_IDENTIFIER', 'BURR_INVALID_PERSIST_ARGUMENT']);

function classify(error: unknown): { code: string; exit: number; hint: string } {
  if (error instanceof UsageError) return { code: 'BURR_CLI_USAGE', exit: EXIT.usage, hint: '' };
  if (error instanceof CommandFailure) return { code: error.code, exit: EXIT.failed, hint: '' };
  // A table Python Burr (or an earlier version) made has no app index: the CLI adds it only when asked.
  if (isBurrError(error) && error.code === 'BURR_PERSISTER_NOT_INITIALIZED')
    return { code: error.code, exit: EXIT.failed, hint: ` [${error.code}]. If Python Burr or an earlier version made this table, add the index once with: burr upgrade URL` };
  // What the persister refuses before it asks the store (an app id, a table name, a cursor): the command line's values.
  if (isBurrError(error) && ARGUMENT_ERROR_CODES.has(error.code)) return { code: error.code, exit: EXIT.usage, hint: ` [${error.code}]` };
  if (isBurrError(error)) return { code: error.code, exit: EXIT.failed, hint: ` [${error.code}]` };
  return { code: 'BURR_CLI_UNEXPECTED', exit: EXIT.failed, hint: '' };
}
