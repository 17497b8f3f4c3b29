import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@burr/core';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, parseInteger, storeOptionsOf, takeStore } from '../args.js';
import { commandLine, storeFlags, withStore, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { describePartition, formatBytes, formatTable, formatTime, jsonDocument } from '../format.js';
import { otherStorageModeHint } from '../open-store.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...PARTITION_OPTION,
  limit: { type: 'string' },
  before: { type: 'string' },
  after: { type: 'string' },
  'oldest-first': { type: 'boolean' },
} as const;

/** `burr steps`: an app's saved steps, a page at a time. */
export const stepsCommand: Command = {
  name: 'steps',
  summary: "an app's saved steps, newest first",
  usage: `Usage: burr steps URL APP_ID [--partition KEY] [--limit N] [--before S] [--after S] [--oldest-first]

Lists an app's saved steps (sequence id, action, status, time, stored size),
newest first, one page at a time; prints the command for the next page.
Reads no state.

  --partition KEY       partition key (default: none, '')
  --limit N             steps per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})
  --before S            only steps with a sequence id below S
  --after S             only steps with a sequence id above S
  --oldest-first        oldest first instead

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    const [appId] = expectPositionals(target.rest, ['APP_ID']) as [string];
    const partitionKey = values.partition ?? '';
    const limit = parseInteger('--limit', values.limit, 1, MAX_PAGE_SIZE);
    const before = parseInteger('--before', values.before, 0);
    const after = parseInteger('--after', values.after, 0);
    const oldestFirst = values['oldest-first'] === true;
    const storeOptions = storeOptionsOf(values);
    const page = await withStore(context, target, storeOptions, ({ persister }) =>
      persister.listSteps(partitionKey, appId, { limit, before, after, order: oldestFirst ? 'oldest-first' : 'newest-first' }),
    );
    const { io } = context;
    if (context.json) {
      const steps = page.steps.map(({ sequenceId, position, status, createdAt, sizeBytes, storedAs }) => ({
        sequenceId,
        position,
        status,
        createdAt,
        sizeBytes,
        ...(storedAs ? { storedAs } : {}),
      }));
      io.out(jsonDocument({ partitionKey, appId, order: oldestFirst ? 'oldest-first' : 'newest-first', steps, nextCursor: page.nextCursor }));
      return EXIT.ok;
    }
    if (page.steps.length === 0) {
      const bounded = before !== undefined || after !== undefined;
      const hint = bounded ? undefined : await otherStorageModeHint(target.store, storeOptions, partitionKey, appId);
      io.out(`No steps of app ${JSON.stringify(appId)} in ${describePartition(partitionKey)}${bounded ? ' in that range' : ''}${hint ? ` (${hint})` : ''}.\n`);
      return EXIT.ok;
    }
    // Incremental storage: which steps are whole snapshots and which deltas (SIZE is then the delta's).
    const incremental = page.steps.some((step) => step.storedAs !== undefined);
    const rows = page.steps.map((step) => {
      const row = [String(step.sequenceId), step.position, step.status, formatTime(step.createdAt), formatBytes(step.sizeBytes)];
      return incremental ? [...row, step.storedAs ?? ''] : row;
    });
    const columns = [{ heading: 'SEQ', alignRight: true }, { heading: 'POSITION' }, { heading: 'STATUS' }, { heading: 'CREATED (UTC)' }, { heading: 'SIZE', alignRight: true }];
    io.out(formatTable(incremental ? [...columns, { heading: 'STORED AS' }] : columns, rows));
    if (page.nextCursor !== null) {
      const cursor = String(page.nextCursor);
      const range = oldestFirst ? { before: values.before, after: cursor } : { before: cursor, after: values.after };
      const options = { ...storeFlags(storeOptions), partition: values.partition, limit: values.limit, ...range, 'oldest-first': oldestFirst };
      io.out(`\nNext page: ${commandLine('steps', target, [appId], options)}\n`);
    }
    return EXIT.ok;
  },
};
