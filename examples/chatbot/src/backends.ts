import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BurrError, InMemoryPersister, type BaseStatePersister } from '@burr/core';
import { UsageError, type BackendName } from './cli-args.js';

/** An opened store plus a one-line description for the user (passwords hidden). */
export interface OpenedBackend {
  persister: BaseStatePersister;
  /** e.g. `sqlite /home/me/burr/examples/chatbot/.burr/chatbot.db`. */
  where: string;
}

/** What the factory needs from the command line. */
export interface BackendChoice {
  backend: BackendName;
  url: string | undefined;
  dbPath: string | undefined;
  storage: 'full' | 'incremental';
}

/** Environment variables read for each server backend, in order of preference. */
export const URL_ENV_VARIABLES: Readonly<Record<Exclude<BackendName, 'sqlite'>, readonly string[]>> = {
  libsql: ['LIBSQL_URL'],
  pg: ['BURR_PG_URL', 'DATABASE_URL'],
  mysql: ['MYSQL_URL'],
  redis: ['REDIS_URL'],
  mongo: ['MONGODB_URL', 'MONGODB_URI'],
};

/**
 * `read-write` creates what is missing (the file, the table); `read-only`
 * (for `--list`) opens a SQLite file read-only, creates nothing, and reads a
 * missing file as an empty store; `existing` (for `--delete`) may change
 * what is stored but creates nothing, reading a missing file or table as an
 * empty store too.
 */
export type BackendAccess = 'read-write' | 'read-only' | 'existing';

/** How long the chatbot waits for a server before saying it is not there. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens the chosen persister; for `read-write`, runs `initialize()` (creating
 * the table, index or collection when missing). With `read-only` and
 * `existing` nothing is created, and a store without the table reads as
 * empty. Drivers are imported on demand, so the default SQLite chat never
 * loads the PostgreSQL, MySQL, Redis or MongoDB clients.
 *
 * @param exampleDir - the example folder; default database files live in its `.burr/`.
 */
export async function openBackend(choice: BackendChoice, env: NodeJS.ProcessEnv, exampleDir: string, access: BackendAccess = 'read-write'): Promise<OpenedBackend> {
  const plan = planBackend(choice, env, exampleDir, access);
  const { open } = plan;
  const where = choice.storage === 'incremental' ? `${plan.where}, incremental storage` : plan.where;
  let persister: BaseStatePersister;
  try {
    persister = await open();
  } catch (error) {
    throw new BackendUnavailableError(`Could not open ${where}: ${describeError(error)}`, { cause: error });
  }
  try {
    if (access === 'read-write') {
      await persister.initialize();
    } else if (!(await persister.isInitialized())) {
      // Nothing was ever saved there: read it as empty rather than create the table.
      await persister.cleanup();
      persister = await emptyStore();
    }
  } catch (error) {
    await persister.cleanup().catch(() => {});
    throw new BackendUnavailableError(`Could not open ${where}: ${describeError(error)}${readOnlyHint(error)}`, { cause: error });
  }
  return { persister, where };
}

/** The database could not be reached or prepared; main prints the message and exits with code 1. */
export class BackendUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendUnavailableError';
  }
}

/** Where the backend is (for messages) and how to open it; a missing URL is a {@link UsageError} here, before any I/O. */
function planBackend(choice: BackendChoice, env: NodeJS.ProcessEnv, exampleDir: string, access: BackendAccess): { where: string; open: () => Promise<BaseStatePersister> } {
  const readOnly = access === 'read-only';
  const createsNothing = access !== 'read-write';
  const { storage } = choice;
  switch (choice.backend) {
    case 'sqlite': {
      const dbPath = resolve(choice.dbPath ?? defaultDbFile(exampleDir, 'chatbot.db'));
      return {
        where: `sqlite ${dbPath}`,
        open: async () => {
          if (createsNothing && !existsSync(dbPath)) return emptyStore();
          const { SQLitePersister } = await import('@burr/persister-sqlite');
          return SQLitePersister.fromValues({ dbPath, storage, ...(readOnly ? { clientOptions: { readonly: true, fileMustExist: true } } : {}) });
        },
      };
    }
    case 'libsql': {
      const url = choice.url ?? fromEnv(env, 'libsql') ?? pathToFileURL(resolve(choice.dbPath ?? defaultDbFile(exampleDir, 'chatbot-libsql.db'))).href;
      const authToken = env.LIBSQL_AUTH_TOKEN?.trim() || undefined;
      return {
        where: `libsql ${redact(url)}`,
        open: async () => {
          // libSQL does not create the folder of a local file the way the SQLite persister does.
          const localFile = absoluteFilePath(url);
          if (localFile && createsNothing && !existsSync(localFile)) return emptyStore();
          if (localFile && !createsNothing) mkdirSync(dirname(localFile), { recursive: true });
          const { LibSQLPersister } = await import('@burr/persister-libsql');
          return LibSQLPersister.fromValues({ url, storage, ...(authToken ? { authToken } : {}) });
        },
      };
    }
    case 'pg': {
      const url = requireUrl(choice, env, 'pg', 'postgres://user:password@localhost:5432/dbname');
      return {
        where: `pg ${redact(url)}`,
        open: async () => (await import('@burr/persister-pg')).PostgreSQLPersister.fromUrl(url, { connectTimeoutMs: CONNECT_TIMEOUT_MS, storage }),
      };
    }
    case 'mysql': {
      const url = requireUrl(choice, env, 'mysql', 'mysql://user:password@localhost:3306/dbname');
      return {
        where: `mysql ${redact(url)}`,
        open: async () => (await import('@burr/persister-mysql')).MySQLPersister.fromUrl(url, { connectTimeoutMs: CONNECT_TIMEOUT_MS, storage }),
      };
    }
    case 'redis': {
      const url = requireUrl(choice, env, 'redis', 'redis://localhost:6379');
      return {
        where: `redis ${redact(url)}`,
        open: async () => (await import('@burr/persister-redis')).RedisPersister.fromUrl(url, { connectTimeoutMs: CONNECT_TIMEOUT_MS, storage }),
      };
    }
    case 'mongo': {
      const uri = requireUrl(choice, env, 'mongo', 'mongodb://localhost:27017');
      return {
        where: `mongo ${redact(uri)}`,
        open: async () =>
          (await import('@burr/persister-mongo')).MongoDBPersister.fromValues({ url: uri, storage, clientOptions: { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS } }),
      };
    }
  }
}

/** What a database file that does not exist yet holds, without creating it. */
async function emptyStore(): Promise<BaseStatePersister> {
  const store = new InMemoryPersister();
  await store.initialize();
  return store;
}

function defaultDbFile(exampleDir: string, fileName: string): string {
  return resolve(exampleDir, '.burr', fileName);
}

/** The path of an absolute `file:` URL; undefined for other URLs (and relative `file:x.db`, which libSQL resolves itself). */
function absoluteFilePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

function fromEnv(env: NodeJS.ProcessEnv, backend: keyof typeof URL_ENV_VARIABLES): string | undefined {
  for (const name of URL_ENV_VARIABLES[backend]) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function requireUrl(choice: BackendChoice, env: NodeJS.ProcessEnv, backend: keyof typeof URL_ENV_VARIABLES, example: string): string {
  const url = choice.url ?? fromEnv(env, backend);
  if (url) return url;
  const variables = URL_ENV_VARIABLES[backend].join(' or ');
  throw new UsageError(`The ${backend} backend needs a server URL: pass --url ${example} or set ${variables}.`);
}

/** Hides the password of a URL shown on screen. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/** SQLite reads a WAL database through a `-shm` file it must be able to create next to it. */
function readOnlyHint(error: unknown): string {
  return (error as { code?: unknown }).code === 'SQLITE_READONLY_DIRECTORY'
    ? '; SQLite needs to create the -shm file next to the database to read it, and that folder is read-only'
    : '';
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof BurrError) {
    // Burr's message names the problem; its `code` is for programs, the driver's (in `cause`) helps a person.
    const causeCode = driverCode(error.cause);
    return causeCode && !error.message.includes(causeCode) ? `${error.message.replace(/\.$/, '')} (${causeCode}).` : error.message;
  }
  const { message, cause } = error as { message?: string; cause?: unknown };
  const text = message || String(error);
  // fetch (libSQL over HTTP) says only "fetch failed"; the reason is in `cause`.
  const code = driverCode(error) ?? driverCode(cause);
  return code && !text.includes(code) ? `${text} (${code})` : text;
}

function driverCode(error: unknown): string | undefined {
  if (error instanceof AggregateError && error.errors.length > 0) return driverCode(error.errors[0]);
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
