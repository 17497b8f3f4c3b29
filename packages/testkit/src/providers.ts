/**
 * Real databases for tests, found in this order: a URL from the environment,
 * else a Testcontainers container when a container runtime answers, else a
 * skip whose reason names the variable to set.
 */

/** A database a test may use, or why there is none. */
export type ProvidedDatabase = { url: string; stop(): Promise<void> } | { skip: string };

interface StartedContainer {
  stop(): Promise<unknown>;
}

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

async function provide(
  envVar: string,
  example: string,
  startContainer: () => Promise<{ url: string; container: StartedContainer }>,
): Promise<ProvidedDatabase> {
  const fromEnv = process.env[envVar];
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  const unavailable = await containerRuntimeUnavailable();
  if (unavailable !== null) {
    return { skip: `set ${envVar} (e.g. ${example}) or start a container runtime for Testcontainers (${unavailable})` };
  }
  const { url, container } = await startContainer();
  return { url, stop: async () => void (await container.stop()) };
}

/** PostgreSQL: `BURR_TEST_POSTGRES_URL`, else a `postgres:16-alpine` container. */
export function providePostgres(): Promise<ProvidedDatabase> {
  return provide('BURR_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/postgres', async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), container };
  });
}

/** Redis: `BURR_TEST_REDIS_URL`, else a `redis:7-alpine` container. */
export function provideRedis(): Promise<ProvidedDatabase> {
  return provide('BURR_TEST_REDIS_URL', 'redis://127.0.0.1:6379', async () => {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return { url: container.getConnectionUrl(), container };
  });
}

/** MongoDB: `BURR_TEST_MONGO_URL`, else a `mongo:7` container (a one-node replica set). */
export function provideMongo(): Promise<ProvidedDatabase> {
  return provide('BURR_TEST_MONGO_URL', 'mongodb://127.0.0.1:27017', async () => {
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    const container = await new MongoDBContainer('mongo:7').start();
    return { url: `${container.getConnectionString()}?directConnection=true`, container };
  });
}

/** A libSQL server (sqld): `BURR_TEST_LIBSQL_URL`, else a `libsql-server` container over HTTP. */
export function provideLibsql(): Promise<ProvidedDatabase> {
  return provide('BURR_TEST_LIBSQL_URL', 'http://127.0.0.1:8080', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('ghcr.io/tursodatabase/libsql-server:latest')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/health', 8080))
      .start();
    return { url: `http://${container.getHost()}:${container.getMappedPort(8080)}`, container };
  });
}
