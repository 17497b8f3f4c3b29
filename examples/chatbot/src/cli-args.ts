import { parseArgs } from 'node:util';
import { MAX_PAGE_SIZE } from '@burr/core';

/** The storage backends the chatbot can use. */
export const BACKENDS = ['sqlite', 'libsql', 'pg', 'mysql', 'redis', 'mongo'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** What the command line asked for. */
export interface ChatOptions {
  backend: BackendName;
  /** Connection URL for libsql/pg/mysql/redis/mongo (`--url`); env variables are read later, by the backend factory. */
  url: string | undefined;
  /** Database file for sqlite/libsql (`--db`). */
  dbPath: string | undefined;
  /** `full` (Python Burr's table) or `incremental` (each step stores what it changed); `--storage`, on every backend. */
  storage: 'full' | 'incremental';
  /** Conversation to resume (or to create under this id). */
  appId: string | undefined;
  /** Whose conversations these are (Burr's partition key). */
  partitionKey: string;
  /** Print one page of the conversations of the partition and exit. */
  list: boolean;
  /** Conversations per `--list` page (`--limit`). */
  listLimit: number;
  /** Where a `--list` page starts: the cursor the previous page printed (`--more`). */
  listCursor: string | undefined;
  /** Delete this conversation and exit (`--delete`). */
  deleteAppId: string | undefined;
  /** Delete without asking (`--yes`). */
  assumeYes: boolean;
  /** Conversation to fork from, into a new app id. */
  forkFrom: string | undefined;
  /** Sequence id of the step to fork from; the latest when omitted. */
  forkAt: number | undefined;
}

export type ParsedCommandLine = { kind: 'help' } | { kind: 'chat'; options: ChatOptions };

/** A command line that cannot work; main prints it with the usage hint and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Conversations per `--list` page when `--limit` is absent. */
export const DEFAULT_LIST_LIMIT = 20;

export const USAGE = `Burr chatbot: a conversation saved after every step, that you can resume, fork and delete.

Usage: pnpm chatbot [options]            (or: node examples/chatbot/dist/main.js [options])

Conversations
  --app-id ID           resume conversation ID (a new one is made and printed when omitted)
  --partition-key NAME  whose conversations (default: your OS user name, else "guest")
  --list                list the conversations of the partition, most recently saved first, and exit
  --limit N             ...N per page (default ${DEFAULT_LIST_LIMIT}, at most ${MAX_PAGE_SIZE})
  --more CURSOR         ...the page after the one that printed CURSOR
  --delete ID           delete conversation ID (every saved step); asks first
  --yes                 ...without asking (needed when input is not a terminal)
  --fork-from ID        continue conversation ID in a new conversation...
  --at SEQUENCE_ID      ...from this step (default: its latest step)

Storage (default: SQLite file examples/chatbot/.burr/chatbot.db)
  --backend NAME        sqlite | libsql | pg | mysql | redis | mongo
  --db PATH             database file for sqlite and libsql
  --storage MODE        full (default; Python Burr's table) or incremental (each step stores
                          what it changed); every backend
  --url URL             server URL; else from the environment:
                          libsql LIBSQL_URL (+ LIBSQL_AUTH_TOKEN), pg BURR_PG_URL or DATABASE_URL,
                          mysql MYSQL_URL, redis REDIS_URL, mongo MONGODB_URL or MONGODB_URI

Replies come from a deterministic offline bot, or from an OpenAI-compatible API
when OPENAI_API_KEY is set (OPENAI_BASE_URL and OPENAI_MODEL optional).

While chatting: /where, /history, /delete, /help, /quit; type "exit" to end the conversation.
  -h, --help            show this help`;

/**
 * Parses the chatbot's arguments (without `node` and the script path).
 * `defaultPartitionKey` is used when `--partition-key` is absent.
 */
export function parseCommandLine(argv: readonly string[], defaultPartitionKey: string): ParsedCommandLine {
  rejectNegativeNumbers(argv);
  let parsed: ReturnType<typeof parseRaw>;
  try {
    parsed = parseRaw(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };

  const backend = values.backend ?? 'sqlite';
  if (!isBackend(backend)) {
    throw new UsageError(`Unknown backend ${JSON.stringify(backend)}; choose one of: ${BACKENDS.join(', ')}.`);
  }
  if (values.db !== undefined && backend !== 'sqlite' && backend !== 'libsql') {
    throw new UsageError(`--db is a file path for the sqlite and libsql backends; use --url for ${backend}.`);
  }
  if (values.url !== undefined && backend === 'sqlite') {
    throw new UsageError('--url is for server backends; the sqlite backend takes a file path with --db.');
  }
  const storage = values.storage ?? 'full';
  if (storage !== 'full' && storage !== 'incremental') throw new UsageError(`--storage takes full or incremental, not ${JSON.stringify(storage)}.`);
  if (values.at !== undefined && values['fork-from'] === undefined) {
    throw new UsageError('--at goes with --fork-from: it names the step of that conversation to fork from.');
  }
  if (values.list && (values['fork-from'] !== undefined || values['app-id'] !== undefined)) {
    throw new UsageError('--list lists a partition; it does not combine with --app-id or --fork-from.');
  }
  if (!values.list && (values.limit !== undefined || values.more !== undefined)) {
    throw new UsageError('--limit and --more page through --list; add --list.');
  }
  if (values.delete !== undefined && (values.list || values['fork-from'] !== undefined || values['app-id'] !== undefined)) {
    throw new UsageError('--delete ID deletes one conversation; it does not combine with --list, --app-id or --fork-from.');
  }
  if (values.yes && values.delete === undefined) {
    throw new UsageError('--yes confirms --delete ID; it does nothing on its own.');
  }
  if (values['fork-from'] !== undefined && values['fork-from'] === values['app-id']) {
    throw new UsageError('--fork-from and --app-id name the same conversation; a fork goes into a new app id.');
  }
  return {
    kind: 'chat',
    options: {
      backend,
      url: nonEmpty('--url', values.url),
      dbPath: nonEmpty('--db', values.db),
      storage,
      appId: nonEmpty('--app-id', values['app-id']),
      partitionKey: nonEmpty('--partition-key', values['partition-key']) ?? defaultPartitionKey,
      list: values.list ?? false,
      listLimit: values.limit === undefined ? DEFAULT_LIST_LIMIT : parseListLimit(values.limit),
      listCursor: nonEmpty('--more', values.more),
      deleteAppId: nonEmpty('--delete', values.delete),
      assumeYes: values.yes ?? false,
      forkFrom: nonEmpty('--fork-from', values['fork-from']),
      forkAt: values.at === undefined ? undefined : parseSequenceId(values.at),
    },
  };
}

function parseRaw(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      backend: { type: 'string' },
      url: { type: 'string' },
      db: { type: 'string' },
      storage: { type: 'string' },
      'app-id': { type: 'string' },
      'partition-key': { type: 'string' },
      list: { type: 'boolean' },
      limit: { type: 'string' },
      more: { type: 'string' },
      delete: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'fork-from': { type: 'string' },
      at: { type: 'string' },
    },
  });
}

/**
 * `--at -1`, `--limit -5`: the parser would take the value for an option and
 * suggest `--at=-1`, which is just as wrong; say what the flag takes instead.
 */
function rejectNegativeNumbers(argv: readonly string[]): void {
  for (const [flag, parse] of [
    ['--at', parseSequenceId],
    ['--limit', parseListLimit],
  ] as const) {
    const at = argv.indexOf(flag);
    const value = at === -1 ? undefined : argv[at + 1];
    if (value !== undefined && /^-\d/.test(value)) parse(value);
  }
}

function isBackend(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a value.`);
  return value;
}

function parseListLimit(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new UsageError(`--limit takes how many conversations per page, 1 to ${MAX_PAGE_SIZE}, not ${JSON.stringify(text)}.`);
  }
  return value;
}

function parseSequenceId(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--at takes a step's sequence id (0, 1, 2..., as /history shows them), not ${JSON.stringify(text)}.`);
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value)) throw new UsageError(`--at ${text} is too large.`);
  return value;
}
