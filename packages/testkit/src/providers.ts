/**
 * Real databases for tests, found in this order: a URL from the environment,
 * else a Testcontainers container when a container runtime answers, else the
 * server's default local address when that server answers there, else a
 * skip whose reason names the variable to set and what was tried.
 */
import { probeLibsql, probeMongo, probeMysql, probePostgres, probeRedis, type ServerProbe } from './server-probes.js';

/** Where a provided database came from. */
export type DatabaseSource = 'env' | 'container' | 'local';

/** A database a test may use, or why there is none. */
export type ProvidedDatabase = { url: string; source: DatabaseSource; stop(): Promise<void> } | { skip: string };

/** Overrides for one provider call; the defaults suit a test file. */
export interface ProviderOptions {
  /** Where the URL variable is read from. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The local server to try after env and containers. Default: the server's usual local URL. */
  localUrl?: string | undefined;
  /** How long the local server has to answer its protocol check. Default: 2000 ms. */
  probeTimeoutMs?: number | undefined;
}

interface StartedContainer {
  stop(): Promise<unknown>;
}

interface ServerKind {
  name: string;
  envVar: string;
  localUrl: string;
  probe: ServerProbe;
  startContainer: () => Promise<{ url: string; container: StartedContainer }>;
}

const DEFAULT_PROBE_TIMEOUT_MS = 2000;

let runtimeProbe: Promise<string | null> | undefined;

/**
 * `null` when a container runtime answers, else why not. Asked once per
 * process; without a runtime Testcontainers rejects within milliseconds.
 */
export function containerRuntimeUnavailable(): Promise<string | null> {
  runtimeProbe ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return null;
    } catch (error) {
      return (error as Error).message.split('\n')[0] ?? 'unknown error';
    }
  })();
  return runtimeProbe;
}

async function provide(kind: ServerKind, options: ProviderOptions = {}): Promise<ProvidedDatabase> {
  const env = options.env ?? process.env;
  const fromEnv = env[kind.envVar];
  if (fromEnv) return { url: fromEnv, source: 'env', stop: async () => {} };

  const noRuntime = await containerRuntimeUnavailable();
  if (noRuntime === null) {
    const { url, container } = await kind.startContainer();
    return { url, source: 'container', stop: async () => void (await container.stop()) };
  }

  const localUrl = options.localUrl ?? kind.localUrl;
  const local = await probeLocal(kind, localUrl, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
  if (local === null) return { url: localUrl, source: 'local', stop: async () => {} };
  return {
    skip: `set ${kind.envVar} (e.g. ${kind.localUrl}); tried a container runtime (${noRuntime}) and ${kind.name} at ${local}`,
  };
}

/** `null` when the server answers at `localUrl`, else "host:port (why not)". */
async function probeLocal(kind: ServerKind, localUrl: string, timeoutMs: number): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(localUrl);
  } catch {
    return `${localUrl} (not a URL)`;
  }
  const result = await kind.probe(url, timeoutMs);
  return result.answered ? null : `${url.host} (${result.why})`;
}

const postgres: ServerKind = {
  name: 'PostgreSQL',
  envVar: 'BURR_TEST_POSTGRES_URL',
  localUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  probe: probePostgres,
  startContainer: async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), container };
  },
};

const redis: ServerKind = {
  name: 'Redis',
  envVar: 'BURR_TEST_REDIS_URL',
  localUrl: 'redis://127.0.0.1:6379',
  probe: probeRedis,
  startContainer: async () => {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return { url: container.getConnectionUrl(), container };
  },
};

const mongo: ServerKind = {
  name: 'MongoDB',
  envVar: 'BURR_TEST_MONGO_URL',
  localUrl: 'mongodb://127.0.0.1:27017',
  probe: probeMongo,
  startContainer: async () => {
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    const container = await new MongoDBContainer('mongo:7').start();
    return { url: `${container.getConnectionString()}?directConnection=true`, container };
  },
};

const libsql: ServerKind = {
  name: 'libSQL server',
  envVar: 'BURR_TEST_LIBSQL_URL',
  localUrl: 'http://127.0.0.1:8080',
  probe: probeLibsql,
  startContainer: async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('ghcr.io/tursodatabase/libsql-server:latest').withExposedPorts(8080).withWaitStrategy(Wait.forHttp('/health', 8080)).start();
    return { url: `http://${container.getHost()}:${container.getMappedPort(8080)}`, container };
  },
};

const mysql: ServerKind = {
  name: 'MySQL',
  envVar: 'BURR_TEST_MYSQL_URL',
  localUrl: 'mysql://root@127.0.0.1:3306/test',
  probe: probeMysql,
  startContainer: async () => {
    const { MySqlContainer } = await import('@testcontainers/mysql');
    const container = await new MySqlContainer('mysql:8.4').withDatabase('test').start();
    return { url: container.getConnectionUri(true), container };
  },
};

/**
 * PostgreSQL: `BURR_TEST_POSTGRES_URL`, else a `postgres:16-alpine`
 * container, else `postgres://postgres@127.0.0.1:5432/postgres` when
 * PostgreSQL answers there.
 */
export function providePostgres(options?: ProviderOptions): Promise<ProvidedDatabase> {
  return provide(postgres, options);
}

/** Redis: `BURR_TEST_REDIS_URL`, else a `redis:7-alpine` container, else `redis://127.0.0.1:6379` when Redis answers PING there. */
export function provideRedis(options?: ProviderOptions): Promise<ProvidedDatabase> {
  return provide(redis, options);
}

/**
 * MongoDB: `BURR_TEST_MONGO_URL`, else a `mongo:7` container (a one-node
 * replica set), else `mongodb://127.0.0.1:27017` when MongoDB answers
 * `hello` there.
 */
export function provideMongo(options?: ProviderOptions): Promise<ProvidedDatabase> {
  return provide(mongo, options);
}

/**
 * A libSQL server (sqld): `BURR_TEST_LIBSQL_URL`, else a `libsql-server`
 * container over HTTP, else `http://127.0.0.1:8080` when sqld answers a
 * Hrana pipeline there.
 */
export function provideLibsql(options?: ProviderOptions): Promise<ProvidedDatabase> {
  return provide(libsql, options);
}

/**
 * MySQL or MariaDB: `BURR_TEST_MYSQL_URL`, else a `mysql:8.4` container
 * (database `test`, as root), else `mysql://root@127.0.0.1:3306/test` when a
 * MySQL or MariaDB server greets there.
 */
export function provideMysql(options?: ProviderOptions): Promise<ProvidedDatabase> {
  return provide(mysql, options);
}
