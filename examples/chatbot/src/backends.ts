import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaseStatePersister } from '@burr/core';
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
}

/** Environment variables read for each server backend, in order of preference. */
export const URL_ENV_VARIABLES: Readonly<Record<Exclude<BackendName, 'sqlite'>, readonly string[]>> = {
  libsql: ['LIBSQL_URL'],
  pg: ['BURR_PG_URL', 'DATABASE_URL'],
  redis: ['REDIS_URL'],
  mongo: ['MONGODB_URL', 'MONGODB_URI'],
};

/** How long the chatbot waits for a server before saying it is not there. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens the chosen persister and runs `initialize()` (creating the table,
 * index or collection when missing). Drivers are imported on demand, so the
 * default SQLite chat never loads the PostgreSQL, Redis or MongoDB clients.
 *
 * @param exampleDir - the example folder; default database files live in its `.burr/`.
 */
export async function openBackend(choice: BackendChoice, env: NodeJS.ProcessEnv, exampleDir: string): Promise<OpenedBackend> {
  let opened: OpenedBackend;
  try {
    opened = await openPersister(choice, env, exampleDir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new BackendUnavailableError(`Could not open the ${choice.backend} backend: ${describeError(error)}`, { cause: error });
  }
  try {
    await opened.persister.initialize();
  } catch (error) {
    await opened.persister.cleanup().catch(() => {});
    throw new BackendUnavailableError(`Could not open ${opened.where}: ${describeError(error)}`, { cause: error });
  }
  return opened;
}

/** The database could not be reached or prepared; main prints the message and exits with code 1. */
export class BackendUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendUnavailableError';
  }
}

async function openPersister(choice: BackendChoice, env: NodeJS.ProcessEnv, exampleDir: string): Promise<OpenedBackend> {
  switch (choice.backend) {
    case 'sqlite': {
      const dbPath = resolve(choice.dbPath ?? defaultDbFile(exampleDir, 'chatbot.db'));
      const { SQLitePersister } = await import('@burr/persister-sqlite');
      return { persister: SQLitePersister.fromValues({ dbPath }), where: `sqlite ${dbPath}` };
    }
    case 'libsql': {
      const url = choice.url ?? fromEnv(env, 'libsql') ?? localLibsqlFile(choice.dbPath ?? defaultDbFile(exampleDir, 'chatbot-libsql.db'));
      const authToken = env.LIBSQL_AUTH_TOKEN?.trim() || undefined;
      const { LibSQLPersister } = await import('@burr/persister-libsql');
      return { persister: LibSQLPersister.fromValues({ url, ...(authToken ? { authToken } : {}) }), where: `libsql ${redact(url)}` };
    }
    case 'pg': {
      const url = requireUrl(choice, env, 'pg', 'postgres://user:password@localhost:5432/dbname');
      const { PostgreSQLPersister } = await import('@burr/persister-pg');
      return {
        persister: PostgreSQLPersister.fromValues({ url, connectOptions: { connect_timeout: CONNECT_TIMEOUT_MS / 1000 } }),
        where: `pg ${redact(url)}`,
      };
    }
    case 'redis': {
      const url = requireUrl(choice, env, 'redis', 'redis://localhost:6379');
      const { RedisPersister } = await import('@burr/persister-redis');
      return {
        persister: RedisPersister.fromValues({ url, clientOptions: { socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } } }),
        where: `redis ${redact(url)}`,
      };
    }
    case 'mongo': {
      const uri = requireUrl(choice, env, 'mongo', 'mongodb://localhost:27017');
      const { MongoDBPersister } = await import('@burr/persister-mongo');
      return {
        persister: MongoDBPersister.fromValues({ uri, clientOptions: { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS } }),
        where: `mongo ${redact(uri)}`,
      };
    }
  }
}

function defaultDbFile(exampleDir: string, fileName: string): string {
  return resolve(exampleDir, '.burr', fileName);
}

/** A `file:` URL for a local libSQL database; its folder is created (libSQL does not create it). */
function localLibsqlFile(dbPath: string): string {
  const absolute = resolve(dbPath);
  mkdirSync(dirname(absolute), { recursive: true });
  return pathToFileURL(absolute).href;
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

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  const { message, code } = error as { message?: string; code?: unknown };
  const text = message || String(error);
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
