/**
 * The backends, loaded lazily: a persister package that is missing or not
 * built yet skips its backend with the reason instead of failing the run.
 */
import type { BackendId } from '../cli.js';
import type { Backend } from './types.js';

interface BackendEntry {
  id: BackendId;
  label: string;
  load: () => Promise<Backend>;
}

export const BACKENDS: readonly BackendEntry[] = [
  { id: 'sqlite', label: 'SQLite', load: async () => (await import('./sqlite.js')).sqliteBackend },
  { id: 'libsql', label: 'libSQL', load: async () => (await import('./libsql.js')).libsqlBackend },
  { id: 'pg', label: 'PostgreSQL', load: async () => (await import('./postgres.js')).postgresBackend },
  { id: 'mysql', label: 'MySQL', load: async () => (await import('./mysql.js')).mysqlBackend },
  { id: 'redis', label: 'Redis', load: async () => (await import('./redis.js')).redisBackend },
  { id: 'mongo', label: 'MongoDB', load: async () => (await import('./mongo.js')).mongoBackend },
];
