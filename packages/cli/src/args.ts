import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';
import type { StoreOptions } from './open-store.js';
import { looksLikeStoreUrl, parseStoreUrl, redactUrl, URL_FORMS, type StoreUrl } from './store-url.js';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  table: { type: 'string' },
  schema: { type: 'string' },
  namespace: { type: 'string' },
  database: { type: 'string' },
  collection: { type: 'string' },
  storage: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** The option of commands that work in one partition. */
export const PARTITION_OPTION = { partition: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

/** Help lines for {@link COMMON_OPTIONS}, shared by every command's usage. */
export const COMMON_OPTIONS_HELP = `Store options
  --table NAME          SQL table (sqlite, libsql, postgres, mysql; default burr_state)
  --schema NAME         PostgreSQL schema of the table
  --namespace NS        Redis key prefix
  --database NAME       MongoDB database (default mydatabase)
  --collection NAME     MongoDB collection (default mystates)
  --storage MODE        full (default) or incremental: which storage of a SQL table, Redis namespace or MongoDB collection to read and change
  --json                print one JSON document on stdout
  -h, --help            this help

URL: ${URL_FORMS}; or leave it out and set BURR_URL.`;

/** Parses a command's arguments strictly; any problem is a {@link UsageError}. */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    // Node's messages go on with advice about `--`; the first sentence is the problem.
    throw new UsageError((error as Error).message.split(/(?<=\.) /)[0]!.replace(/\.$/, ''));
  }
}

/** Where the store URL came from, and the positionals that follow it. */
export interface StoreTarget {
  store: StoreUrl;
  /** The URL came from `BURR_URL`, not the command line. */
  fromEnv: boolean;
  /** Positionals after the URL. */
  rest: string[];
}

/**
 * The store URL: the first positional when it has a known scheme, else
 * `BURR_URL`. Without `BURR_URL` the first positional must be the URL.
 */
export function takeStore(positionals: readonly string[], env: CliIo['env']): StoreTarget {
  const [first, ...others] = positionals;
  const fromEnv = env.BURR_URL;
  if (looksLikeStoreUrl(first) || (!fromEnv && first !== undefined)) return { store: parseStoreUrl(first!), fromEnv: false, rest: others };
  if (fromEnv) return { store: parseStoreUrl(fromEnv), fromEnv: true, rest: [...positionals] };
  throw new UsageError(`give the store URL as the first argument or in BURR_URL (${URL_FORMS})`);
}

/** The positionals after the URL, checked against their names (`[NAME]` for an optional one). */
export function expectPositionals(rest: readonly string[], names: readonly string[]): Array<string | undefined> {
  const required = names.filter((name) => !name.startsWith('['));
  if (rest.length < required.length) throw new UsageError(`missing ${required.slice(rest.length).join(' ')}`);
  if (rest.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(redactUrl(rest[names.length]!))}`);
  return names.map((_, index) => rest[index]);
}

/** An integer option or argument within bounds; `undefined` stays `undefined`. */
export function parseInteger(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The store options of parsed values (`--table` … `--storage`); throws `UsageError` for a `--storage` other than full or incremental. */
export function storeOptionsOf(values: { [K in keyof StoreOptions]?: string | undefined }): StoreOptions {
  const { storage } = values;
  if (storage !== undefined && storage !== 'full' && storage !== 'incremental') throw new UsageError(`--storage must be full or incremental, got ${JSON.stringify(storage)}`);
  return { table: values.table, schema: values.schema, namespace: values.namespace, database: values.database, collection: values.collection, storage };
}
