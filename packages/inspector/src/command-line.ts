import { parseArgs } from 'node:util';
import { type StoreOptions, storeOptionsOf, UsageError } from '@burr/cli';
import { DEFAULT_INSPECTOR_PORT } from './server.js';

/** `burr-inspect --help`. */
export const USAGE = `Usage: burr-inspect <store URL | tracking project folder> [options]

Starts a local web inspector for saved Burr runs and prints its address:
apps of a partition, an app's steps, a step's state and its diff, the graph,
fork and delete. Reads through the persister's public API, so every backend
works the same.

  URL                   sqlite:./file.db, file:…, libsql://…, postgres://…, mysql://…,
                        redis://…, mongodb://… (the persister package must be installed),
                        or BURR_URL when no argument is given
  FOLDER                a tracking project folder, e.g. ~/.burr/my-project (read-only)

  --port N              port (default ${DEFAULT_INSPECTOR_PORT}; 0 picks a free one)
  --host ADDRESS        address to bind (default 127.0.0.1); any other needs --token
  --open                open the address in the browser
  --allow-writes        allow deleting apps and creating forks (a token is then required)
  --token TOKEN         token every request needs (or BURR_INSPECT_TOKEN); 16+ characters
  --partition KEY       a partition to offer on the front page (repeatable; the first
                        one's apps are listed there)
  --graph FILE          graph.json (as the tracker writes it) to show for every app
  --table, --schema, --namespace, --database, --collection
                        where the steps are, as for the burr command
  --storage MODE        full (default) or incremental: which storage mode of the store to show
  --help                this text`;

/** A parsed command line. */
export interface InspectCommandLine {
  target: string;
  port: number;
  host: string;
  open: boolean;
  allowWrites: boolean;
  token: string | undefined;
  partitions: string[];
  graphFile: string | undefined;
  store: StoreOptions;
  help: boolean;
}

/** Parses `burr-inspect`'s arguments; throws `UsageError` for a command line that cannot work. */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): InspectCommandLine {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { ...emptyLine(), help: true };
  if (positionals.length > 1) throw new UsageError(`one store URL or folder, not ${positionals.length} arguments`);
  const target = positionals[0] ?? env.BURR_URL;
  if (!target) throw new UsageError(`give a store URL or a tracking folder (or set BURR_URL)\n\n${USAGE}`);
  const port = values.port === undefined ? DEFAULT_INSPECTOR_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0 to 65535, not ${JSON.stringify(values.port)}`);
  return {
    target,
    port,
    host: values.host ?? '127.0.0.1',
    open: values.open ?? false,
    allowWrites: values['allow-writes'] ?? false,
    token: values.token ?? (env.BURR_INSPECT_TOKEN || undefined),
    partitions: values.partition ?? [],
    graphFile: values.graph,
    store: storeOptionsOf(values),
    help: false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      open: { type: 'boolean' },
      'allow-writes': { type: 'boolean' },
      token: { type: 'string' },
      partition: { type: 'string', multiple: true },
      graph: { type: 'string' },
      table: { type: 'string' },
      schema: { type: 'string' },
      namespace: { type: 'string' },
      database: { type: 'string' },
      collection: { type: 'string' },
      storage: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function emptyLine(): InspectCommandLine {
  return { target: '', port: 0, host: '', open: false, allowWrites: false, token: undefined, partitions: [], graphFile: undefined, store: {}, help: false };
}
