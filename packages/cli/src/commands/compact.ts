import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, expectPositionals, parseCommandLine, storeOptionsOf, takeStore } from '../args.js';
import { withStore, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { formatBytes, jsonDocument } from '../format.js';

/** `burr compact`: gives disk space back and says what else an operator could run. */
export const compactCommand: Command = {
  name: 'compact',
  summary: 'give disk space back, and say what else could be run',
  usage: `Usage: burr compact URL

Runs what the backend needs to give space back after deletes (SQLite:
a WAL checkpoint and VACUUM; others may need nothing), prints the size
before and after, what was run, and advice on what an operator may run by
hand (e.g. a VACUUM FULL that locks the table).

${COMMON_OPTIONS_HELP}`,

  async run(argv, context) {
    const { values, positionals } = parseCommandLine(argv, COMMON_OPTIONS);
    const target = takeStore(positionals, context.io.env);
    expectPositionals(target.rest, []);
    const { report, description } = await withStore(context, target, storeOptionsOf(values), async ({ persister, description }) => ({
      report: await persister.compact(),
      description,
    }));
    const { io } = context;
    if (context.json) {
      io.out(jsonDocument(report));
      return EXIT.ok;
    }
    const size = (bytes: number | null) => (bytes === null ? 'unknown' : formatBytes(bytes));
    const saved = report.bytesBefore !== null && report.bytesAfter !== null ? ` (${formatBytes(report.bytesBefore - report.bytesAfter)} given back)` : '';
    io.out(`${description}\n`);
    io.out(`Size: ${size(report.bytesBefore)} before, ${size(report.bytesAfter)} after${saved}\n`);
    io.out(report.performed.length === 0 ? 'Ran: nothing (this backend needs no compaction)\n' : `Ran:\n${report.performed.map((step) => `  ${step}\n`).join('')}`);
    if (report.advice.length > 0) io.out(`Advice:\n${report.advice.map((line) => `  ${line}\n`).join('')}`);
    return EXIT.ok;
  },
};
