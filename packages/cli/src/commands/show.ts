import { encodeState, StorageModeMismatchError } from '@burr/core';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, parseInteger, storeOptionsOf, takeStore } from '../args.js';
import { withStore, type Command } from '../command.js';
import { CommandFailure, EXIT } from '../errors.js';
import { describePartition, formatTime, jsonDocument, prettyJsonText } from '../format.js';
import { otherStorageModeHint } from '../open-store.js';

const OPTIONS = { ...COMMON_OPTIONS, ...PARTITION_OPTION } as const;

/** Stands in for the state while the rest of the `--json` document is written. */
const STATE_PLACEHOLDER = '\u0000burr-state\u0000';

/** `burr show`: one step's state as JSON. */
export const showCommand: Command = {
  name: 'show',
  summary: "a step's state as JSON (the latest step by default)",
  usage: `Usage: burr show URL APP_ID [SEQUENCE_ID] [--partition KEY]

Prints a saved step: a few lines about it, then its state as JSON, as Burr
stores it (dates, maps, sets, bigints, bytes and your own types stay in their
tagged form, {"__burr_serde__": ..., "value": ...}; NaN and Infinity as
Python's tokens). Without SEQUENCE_ID, the app's latest step. With --json,
one document whose "state" member is the state.

  --partition KEY       partition key (default: none, '')

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    const [appId, sequenceText] = expectPositionals(target.rest, ['APP_ID', '[SEQUENCE_ID]']) as [string, string | undefined];
    const sequenceId = parseInteger('SEQUENCE_ID', sequenceText, 0);
    const partitionKey = values.partition ?? '';
    const storeOptions = storeOptionsOf(values);
    // The mode that does not hold the app refuses to load it: here that is "not found", with the hint below.
    const step = await withStore(context, target, storeOptions, ({ persister }) => persister.load(partitionKey, appId, sequenceId).catch(nullInOtherMode));
    if (step === null) {
      const which = sequenceId === undefined ? 'No step' : `No step ${sequenceId}`;
      const hint = await otherStorageModeHint(target.store, storeOptions, partitionKey, appId);
      throw new CommandFailure('BURR_CLI_STEP_NOT_FOUND', `${which} of app ${JSON.stringify(appId)} in ${describePartition(partitionKey)}${hint ? ` (${hint})` : ''}`);
    }
    // Encoding again what was just decoded gives back the stored form; tags no serde here knows stay plain objects.
    const stateText = encodeState(step.state);
    const { io } = context;
    if (context.json) {
      const document = jsonDocument({
        partitionKey: step.partitionKey,
        appId: step.appId,
        sequenceId: step.sequenceId,
        position: step.position,
        status: step.status,
        createdAt: step.createdAt,
        state: STATE_PLACEHOLDER,
      });
      io.out(document.replace(JSON.stringify(STATE_PLACEHOLDER), () => prettyJsonText(stateText, 1)));
      return EXIT.ok;
    }
    io.out(
      `App ${JSON.stringify(step.appId)}, ${describePartition(step.partitionKey)}: step ${step.sequenceId} at ${JSON.stringify(step.position)}, ${step.status}, saved ${formatTime(step.createdAt)} UTC\n`,
    );
    io.out(`${prettyJsonText(stateText)}\n`);
    return EXIT.ok;
  },
};

function nullInOtherMode(error: unknown): null {
  if (error instanceof StorageModeMismatchError) return null;
  throw error;
}
