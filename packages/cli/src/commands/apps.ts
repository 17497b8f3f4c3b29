import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@burr/core';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, PARTITION_OPTION, expectPositionals, parseCommandLine, parseInteger, storeOptionsOf, takeStore } from '../args.js';
import { commandLine, storeFlags, withStore, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { describePartition, formatTable, formatTime, jsonDocument } from '../format.js';

const OPTIONS = { ...COMMON_OPTIONS, ...PARTITION_OPTION, limit: { type: 'string' }, cursor: { type: 'string' } } as const;

/** `burr apps`: a partition's apps, most recently saved first, a page at a time. */
export const appsCommand: Command = {
  name: 'apps',
  summary: 'the apps of a partition, most recently saved first',
  usage: `Usage: burr apps URL [--partition KEY] [--limit N] [--cursor C]

Lists the apps of a partition with their latest step, most recently saved
first, one page at a time; prints the command for the next page.

  --partition KEY       partition key (default: none, '')
  --limit N             apps per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})
  --cursor C            the cursor printed with the previous page

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const target = takeStore(positionals, context.io.env);
    expectPositionals(target.rest, []);
    const partitionKey = values.partition ?? '';
    const limit = parseInteger('--limit', values.limit, 1, MAX_PAGE_SIZE);
    const storeOptions = storeOptionsOf(values);
    const page = await withStore(context, target, storeOptions, ({ persister }) => persister.listApps(partitionKey, { limit, cursor: values.cursor ?? null }));
    const { io } = context;
    if (context.json) {
      io.out(jsonDocument({ partitionKey, apps: page.apps.map(({ partitionKey: _, ...app }) => app), nextCursor: page.nextCursor }));
      return EXIT.ok;
    }
    if (page.apps.length === 0) {
      io.out(`No apps in ${describePartition(partitionKey)}${values.cursor ? ' after this cursor' : ''}.\n`);
      return EXIT.ok;
    }
    const rows = page.apps.map((app) => [app.appId, String(app.lastSequenceId), app.lastPosition, app.lastStatus, formatTime(app.lastSavedAt)]);
    io.out(formatTable([{ heading: 'APP ID' }, { heading: 'LAST SEQ', alignRight: true }, { heading: 'POSITION' }, { heading: 'STATUS' }, { heading: 'LAST SAVED (UTC)' }], rows));
    if (page.nextCursor !== null) {
      const options = { ...storeFlags(storeOptions), partition: values.partition, limit: values.limit, cursor: page.nextCursor };
      io.out(`\nNext page: ${commandLine('apps', target, [], options)}\n`);
    }
    return EXIT.ok;
  },
};
