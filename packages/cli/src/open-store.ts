import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SQL_TABLE_NAME, type BaseStatePersister } from '@burr/core';
import { CommandFailure, UsageError } from './errors.js';
import type { BackendKind, StoreUrl } from './store-url.js';

/** Store options from the command line; each applies to some backends only. */
export interface StoreOptions {
  /** SQL table (`--table`). */
  table?: string | undefined;
  /** PostgreSQL schema (`--schema`). */
  schema?: string | undefined;
  /** Redis key prefix (`--namespace`). */
  namespace?: string | undefined;
  /** MongoDB database (`--database`). */
  database?: string | undefined;
  /** MongoDB collection (`--collection`). */
  collection?: string | undefined;
  /** Which storage mode to read and change (`--storage`); default full. */
  storage?: 'full' | 'incremental' | undefined;
}

/** The persister package of each backend: an optional peer dependency, installed by the user who needs it. */
export const BACKEND_PACKAGES: Readonly<Record<BackendKind, string>> = {
  sqlite: '@burr/persister-sqlite',
  libsql: '@burr/persister-libsql',
  pg: '@burr/persister-pg',
  mysql: '@burr/persister-mysql',
  redis: '@burr/persister-redis',
  mongo: '@burr/persister-mongo',
};

const OPTION_BACKENDS: Readonly<Record<keyof StoreOptions, readonly BackendKind[]>> = {
  table: ['sqlite', 'libsql', 'pg', 'mysql'],
  schema: ['pg'],
  namespace: ['redis'],
  database: ['mongo'],
  collection: ['mongo'],
  storage: ['sqlite', 'libsql', 'pg', 'mysql', 'redis', 'mongo'],
};

/** A store the CLI opened, and how to name it in messages. */
export interface OpenedStore {
  persister: BaseStatePersister;
  /** E.g. `SQLite ./burr.db, table burr_state`; never holds a password. */
  description: string;
}

/**
 * Opens the persister a URL names, importing its package only now, so a
 * user installs just the backend they use. Throws {@link UsageError} for an
 * option the backend does not take, a missing package or a missing database
 * file (the CLI never creates a store), and {@link CommandFailure} when the
 * store holds no Burr table or collection.
 */
export async function openStore(store: StoreUrl, options: StoreOptions): Promise<OpenedStore> {
  checkStoreOptions(store, options);
  const description = `${describeStore(store, options)}${options.storage === 'incremental' ? ' (incremental storage)' : ''}`;
  const persister = await createPersister(store, options, options.storage);
  try {
    if (!(await persister.isInitialized())) {
      const elsewhere = (await otherStorageModeExists(store, options))
        ? otherModeAdvice(options)
        : `nothing was saved there yet, or the steps are under another ${locationOption(store.backend)}`;
      throw new CommandFailure('BURR_CLI_NO_STORE', `${description} holds no Burr state: ${elsewhere}`);
    }
  } catch (error) {
    await persister.cleanup();
    throw error;
  }
  return { persister, description };
}

function checkStoreOptions(store: StoreUrl, options: StoreOptions): void {
  for (const [option, backends] of Object.entries(OPTION_BACKENDS) as Array<[keyof StoreOptions, readonly BackendKind[]]>) {
    if (options[option] !== undefined && !backends.includes(store.backend)) {
      throw new UsageError(`--${option} does not apply to ${store.backend} stores (it is for ${backends.join(', ')})`);
    }
  }
}

/** A store opened twice, once per storage mode, for `burr convert`. */
export interface OpenedStoreModes {
  full: BaseStatePersister;
  incremental: BaseStatePersister;
  /** As {@link OpenedStore.description}. */
  description: string;
}

/**
 * Opens the store a URL names in both storage modes (two clients on one
 * table, namespace or collection), without checking that either mode's
 * table exists. Throws {@link UsageError} as {@link openStore} does.
 */
export async function openStoreModes(store: StoreUrl, options: StoreOptions): Promise<OpenedStoreModes> {
  checkStoreOptions(store, options);
  if (options.storage !== undefined) throw new UsageError('--storage does not apply here: the command opens both storage modes (--to names the one to move to)');
  const full = await createPersister(store, options);
  try {
    return { full, incremental: await createPersister(store, options, 'incremental'), description: describeStore(store, options) };
  } catch (error) {
    await full.cleanup();
    throw error;
  }
}

/**
 * Where an app that the opened mode does not hold is: a hint naming the
 * `--storage` that finds it, when the store's other storage mode holds
 * steps of it; `undefined` otherwise.
 */
export async function otherStorageModeHint(store: StoreUrl, options: StoreOptions, partitionKey: string, appId: string): Promise<string | undefined> {
  const other = options.storage === 'incremental' ? 'full' : 'incremental';
  const persister = await createPersister(store, options, other);
  try {
    if (!(await persister.isInitialized())) return undefined;
    if ((await persister.listSteps(partitionKey, appId, { limit: 1 })).steps.length === 0) return undefined;
  } finally {
    await persister.cleanup();
  }
  return otherModeAdvice(options);
}

/** Where the steps are when the other storage mode than `options.storage` holds them, and the option that finds them. */
function otherModeAdvice(options: StoreOptions): string {
  return options.storage === 'incremental' ? 'its steps are in full storage: leave out --storage incremental' : 'its steps are in incremental storage: add --storage incremental';
}

/** Whether the store's other storage mode has its table (namespace, collection) where the opened mode has none. */
async function otherStorageModeExists(store: StoreUrl, options: StoreOptions): Promise<boolean> {
  const other = await createPersister(store, options, options.storage === 'incremental' ? 'full' : 'incremental');
  try {
    return await other.isInitialized();
  } finally {
    await other.cleanup();
  }
}

async function createPersister(store: StoreUrl, options: StoreOptions, storage: 'full' | 'incremental' = 'full'): Promise<BaseStatePersister> {
  const tableName = options.table;
  switch (store.backend) {
    case 'sqlite': {
      requireFile(store.target, store.display);
      const { SQLitePersister } = await importBackend('sqlite', () => import('@burr/persister-sqlite'));
      return SQLitePersister.fromValues({ dbPath: store.target, tableName, storage, clientOptions: { fileMustExist: true } });
    }
    case 'libsql': {
      const file = localFilePath(store.target);
      if (file !== undefined) requireFile(file, store.display);
      const { LibSQLPersister } = await importBackend('libsql', () => import('@burr/persister-libsql'));
      return LibSQLPersister.fromValues({ url: store.target, tableName, storage });
    }
    case 'pg': {
      const { PostgreSQLPersister } = await importBackend('pg', () => import('@burr/persister-pg'));
      return PostgreSQLPersister.fromUrl(store.target, { tableName, schema: options.schema, storage });
    }
    case 'mysql': {
      const { MySQLPersister } = await importBackend('mysql', () => import('@burr/persister-mysql'));
      return MySQLPersister.fromUrl(store.target, { tableName, storage });
    }
    case 'redis': {
      const { RedisPersister } = await importBackend('redis', () => import('@burr/persister-redis'));
      return RedisPersister.fromUrl(store.target, { namespace: options.namespace, storage });
    }
    case 'mongo': {
      const { MongoDBPersister } = await importBackend('mongo', () => import('@burr/persister-mongo'));
      return MongoDBPersister.fromValues({ url: store.target, dbName: options.database, collectionName: options.collection, storage });
    }
  }
}

/**
 * Imports a backend's package. When the package itself is not installed
 * (not one of its own dependencies), says which package to install.
 */
async function importBackend<T>(backend: BackendKind, load: () => Promise<T>): Promise<T> {
  const name = BACKEND_PACKAGES[backend];
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${name}'`)) {
      throw new UsageError(`${backend} URLs need the package ${name}, which is not installed: npm install ${name}`);
    }
    throw error;
  }
}

function requireFile(path: string, display: string): void {
  if (path !== ':memory:' && !existsSync(path)) throw new UsageError(`no database file at ${path} (from ${display}); the CLI never creates a store`);
}

/** The file of a local libSQL URL (`file:./x.db`, `file:///abs/x.db`), or `undefined` for a server. */
function localFilePath(url: string): string | undefined {
  if (!url.toLowerCase().startsWith('file:')) return undefined;
  const withoutQuery = url.replace(/[?#].*$/, '');
  if (withoutQuery.startsWith('file://')) return fileURLToPath(withoutQuery);
  return withoutQuery.slice('file:'.length);
}

function describeStore(store: StoreUrl, options: StoreOptions): string {
  const table = options.table ?? DEFAULT_SQL_TABLE_NAME;
  switch (store.backend) {
    case 'sqlite':
      return `SQLite ${store.target}, table ${table}`;
    case 'libsql':
      return `libSQL ${store.display}, table ${table}`;
    case 'pg':
      return `PostgreSQL ${store.display}, table ${options.schema ? `${options.schema}.` : ''}${table}`;
    case 'mysql':
      return `MySQL ${store.display}, table ${table}`;
    case 'redis':
      return `Redis ${store.display}${options.namespace ? `, namespace ${options.namespace}` : ''}`;
    case 'mongo':
      // Python Burr's MongoDBBasePersister defaults, which MongoDBPersister keeps.
      return `MongoDB ${store.display}, collection ${options.database ?? 'mydatabase'}.${options.collection ?? 'mystates'}`;
  }
}

function locationOption(backend: BackendKind): string {
  if (backend === 'mongo') return '--database/--collection';
  if (backend === 'redis') return '--namespace';
  return backend === 'pg' ? '--table/--schema' : '--table';
}
