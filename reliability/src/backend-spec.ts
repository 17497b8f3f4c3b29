import type { BaseStatePersister } from '@burr/core';

/**
 * Where a trial stores its steps, as plain data: the parent process makes
 * one, passes it to every child as JSON, and opens the same store itself to
 * check what was saved.
 */
export type BackendSpec =
  | { backend: 'sqlite'; dbPath: string }
  | { backend: 'libsql'; url: string }
  | { backend: 'pg'; url: string; tableName: string; connectionName?: string }
  | { backend: 'redis'; url: string; namespace: string; connectionName?: string };

/** Opens (and initializes) the persister a spec names; drivers load on demand. */
export async function openPersister(spec: BackendSpec): Promise<BaseStatePersister> {
  const persister = await construct(spec);
  await persister.initialize();
  return persister;
}

async function construct(spec: BackendSpec): Promise<BaseStatePersister> {
  switch (spec.backend) {
    case 'sqlite':
      return (await import('@burr/persister-sqlite')).SQLitePersister.fromValues({ dbPath: spec.dbPath });
    case 'libsql':
      return (await import('@burr/persister-libsql')).LibSQLPersister.fromValues({ url: spec.url });
    case 'pg':
      return (await import('@burr/persister-pg')).PostgreSQLPersister.fromUrl(spec.url, {
        tableName: spec.tableName,
        clientOptions: spec.connectionName ? { connection: { application_name: spec.connectionName } } : {},
      });
    case 'redis':
      return (await import('@burr/persister-redis')).RedisPersister.fromUrl(spec.url, {
        namespace: spec.namespace,
        clientOptions: spec.connectionName ? { name: spec.connectionName } : {},
      });
  }
}
