import type { BaseStatePersister, StorageMode, StorageModeOptions } from '@burr/core';

/**
 * Chain length of the incremental trials: a snapshot, then at most four
 * deltas. Small on purpose, so kills land between a snapshot and its deltas
 * and loads replay chains across several restarts.
 */
export const TRIAL_SNAPSHOT_EVERY = 5;

/**
 * Where a trial stores its steps, as plain data: the parent process makes
 * one, passes it to every child as JSON, and opens the same store itself to
 * check what was saved. `storage` (default `'full'`) is the persister's
 * storage mode.
 */
export type BackendSpec =
  | { backend: 'sqlite'; dbPath: string; storage?: StorageMode }
  | { backend: 'libsql'; url: string; storage?: StorageMode }
  | { backend: 'pg'; url: string; tableName: string; storage?: StorageMode; connectionName?: string }
  | { backend: 'mysql'; url: string; tableName: string; storage?: StorageMode }
  | { backend: 'redis'; url: string; namespace: string; storage?: StorageMode; connectionName?: string };

/** The storage mode a spec names. */
export function storageOf(spec: BackendSpec): StorageMode {
  return ('storage' in spec ? spec.storage : undefined) ?? 'full';
}

/** Opens (and initializes) the persister a spec names; drivers load on demand. */
export async function openPersister(spec: BackendSpec): Promise<BaseStatePersister> {
  const persister = await construct(spec);
  await persister.initialize();
  return persister;
}

/** The storage options of a persister (the snapshot options are refused in full mode). */
function storageOptions(storage: StorageMode | undefined): StorageModeOptions {
  return storage === 'incremental' ? { storage, snapshotEvery: TRIAL_SNAPSHOT_EVERY } : {};
}

/** Loads the persister package a spec names and its driver (most of a child's start-up time), opening nothing. */
export async function loadPersisterModule(spec: BackendSpec): Promise<void> {
  switch (spec.backend) {
    case 'sqlite':
      await import('@burr/persister-sqlite');
      return;
    case 'libsql':
      await import('@burr/persister-libsql');
      return;
    case 'pg':
      await import('@burr/persister-pg');
      return;
    case 'mysql':
      await import('@burr/persister-mysql');
      return;
    case 'redis':
      await import('@burr/persister-redis');
      return;
  }
}

async function construct(spec: BackendSpec): Promise<BaseStatePersister> {
  switch (spec.backend) {
    case 'sqlite':
      return (await import('@burr/persister-sqlite')).SQLitePersister.fromValues({ dbPath: spec.dbPath, ...storageOptions(spec.storage) });
    case 'libsql':
      return (await import('@burr/persister-libsql')).LibSQLPersister.fromValues({ url: spec.url, ...storageOptions(spec.storage) });
    case 'pg':
      return (await import('@burr/persister-pg')).PostgreSQLPersister.fromUrl(spec.url, {
        tableName: spec.tableName,
        ...storageOptions(spec.storage),
        clientOptions: spec.connectionName ? { connection: { application_name: spec.connectionName } } : {},
      });
    case 'mysql':
      return (await import('@burr/persister-mysql')).MySQLPersister.fromUrl(spec.url, { tableName: spec.tableName, ...storageOptions(spec.storage) });
    case 'redis':
      return (await import('@burr/persister-redis')).RedisPersister.fromUrl(spec.url, {
        namespace: spec.namespace,
        ...storageOptions(spec.storage),
        clientOptions: spec.connectionName ? { name: spec.connectionName } : {},
      });
  }
}
