import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, expectPositionals, parseCommandLine, storeOptionsOf, takeStore } from '../args.js';
import { withStore, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { jsonDocument } from '../format.js';

/** `burr upgrade`: adds what this version keeps beside the steps (the app index) to a table that lacks it. */
export const upgradeCommand: Command = {
  name: 'upgrade',
  summary: "add Burr's app index to a table Python Burr (or an earlier version) made",
  usage: `Usage: burr upgrade URL

A table Python Burr made holds the steps and nothing else; \`apps\`,
\`prune\` and \`convert\` list apps through an app index kept beside it
(a table and a trigger Python Burr ignores). This adds it once, filled from
the steps already stored, as the persister's initialize() does; a store
that has it is left as it is. The other commands never change a store's
layout by themselves.

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, COMMON_OPTIONS);
    const target = takeStore(positionals, context.io.env);
    expectPositionals(target.rest, []);
    const { upgraded, description } = await withStore(context, target, storeOptionsOf(values), async ({ persister, description }) => {
      // The listing needs the app index: whether it answers tells whether there is anything to add.
      const listed = await persister.listApps('', { limit: 1 }).then(
        () => true,
        (error: unknown) => {
          if ((error as { code?: unknown }).code === 'BURR_PERSISTER_NOT_INITIALIZED') return false;
          throw error;
        },
      );
      if (!listed) await persister.initialize();
      return { upgraded: !listed, description };
    });
    const { io } = context;
    if (context.json) io.out(jsonDocument({ upgraded }));
    else io.out(upgraded ? `Added the app index to ${description}; apps, prune and convert read it now.\n` : `${description} is up to date; nothing to add.\n`);
    return EXIT.ok;
  },
};
