import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, storeOptionsOf, takeStore } from '../args.js';
import { withStore, type Command } from '../command.js';
import { CommandFailure, EXIT, UsageError } from '../errors.js';
import { describePartition, jsonDocument, plural } from '../format.js';
import { otherStorageModeHint } from '../open-store.js';

const OPTIONS = { ...COMMON_OPTIONS, ...PARTITION_OPTION, yes: { type: 'boolean', short: 'y' } } as const;

/** `burr delete`: removes every step of an app, after confirmation. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'remove every step of an app (asks first)',
  usage: `Usage: burr delete URL APP_ID [--partition KEY] [--yes]

Removes every step of an app, at once: a reader sees the app whole or gone.
Asks for confirmation on a terminal; elsewhere (a script, a pipe) it refuses
unless --yes is given.

  --partition KEY       partition key (default: none, '')
  -y, --yes             do not ask

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    const [appId] = expectPositionals(target.rest, ['APP_ID']) as [string];
    const partitionKey = values.partition ?? '';
    const { io } = context;
    if (!values.yes && !io.stdinIsTTY) throw new UsageError('refusing to delete without --yes: standard input is not a terminal, so nobody can confirm');
    const what = `app ${JSON.stringify(appId)} in ${describePartition(partitionKey)}`;
    const deleted = await withStore(context, target, storeOptionsOf(values), async ({ persister, description }) => {
      if (!values.yes) {
        const { steps } = await persister.listSteps(partitionKey, appId, { limit: 1 });
        // Nothing to confirm for an app with no steps: deleting it removes nothing.
        if (steps.length > 0) {
          const answer = await io.ask(`Delete every step of ${what} (latest: ${steps[0]!.sequenceId}) from ${description}? [y/N] `);
          if (!/^y(es)?$/i.test(answer.trim())) throw new CommandFailure('BURR_CLI_CANCELLED', 'Cancelled; nothing was deleted');
        }
      }
      return persister.deleteApp(partitionKey, appId);
    });
    if (context.json) io.out(jsonDocument({ partitionKey, appId, stepsDeleted: deleted }));
    else if (deleted > 0) io.out(`Deleted ${plural(deleted, 'step')} of ${what}.\n`);
    else {
      const hint = await otherStorageModeHint(target.store, storeOptionsOf(values), partitionKey, appId);
      io.out(`No steps of ${what}; nothing deleted${hint ? ` (${hint})` : ''}.\n`);
    }
    return EXIT.ok;
  },
};
