// The provider order: env URL, then a container runtime, then the local
// server when its protocol check passes, else a skip naming the variable.
// "Local server" cases use the machine's services at the addresses CI gives
// in BURR_TEST_*_URL (or the usual local defaults); "nothing answers" cases
// use real sockets on 127.0.0.1: a closed port, a server that accepts and
// never answers, a server that answers in another protocol.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerRuntimeUnavailable,
  provideLibsql,
  provideMongo,
  provideMysql,
  providePostgres,
  provideRedis,
  type ProvidedDatabase,
  type ProviderOptions,
} from '../src/index.js';
import { probeMysql, probePostgres, probeRedis } from '../src/server-probes.js';

type Provider = (options?: ProviderOptions) => Promise<ProvidedDatabase>;

const providers: Array<[name: string, provide: Provider, envVar: string, scheme: string]> = [
  ['PostgreSQL', providePostgres, 'BURR_TEST_POSTGRES_URL', 'postgres'],
  ['Redis', provideRedis, 'BURR_TEST_REDIS_URL', 'redis'],
  ['MongoDB', provideMongo, 'BURR_TEST_MONGO_URL', 'mongodb'],
  ['libSQL server', provideLibsql, 'BURR_TEST_LIBSQL_URL', 'http'],
  ['MySQL', provideMysql, 'BURR_TEST_MYSQL_URL', 'mysql'],
];

const noRuntime = await containerRuntimeUnavailable();
const withoutRuntime =
  noRuntime === null ? 'without a container runtime [skipped: a container runtime answers here, so containers win over local servers]' : 'without a container runtime';

function skipReason(database: ProvidedDatabase): string {
  if (!('skip' in database)) throw new Error(`expected a skip, got ${database.source} ${database.url}`);
  return database.skip;
}

async function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listen(() => {});
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the environment URL', () => {
  for (const [name, provide, envVar] of providers) {
    it(`wins for ${name}, without probing anything`, async () => {
      const url = 'scheme://user@192.0.2.1:1/unprobed'; // TEST-NET-1: a probe would hang, not pass
      const database = await provide({ env: { [envVar]: url }, localUrl: 'postgres://127.0.0.1:1/x', probeTimeoutMs: 1 });
      expect(database).toMatchObject({ url, source: 'env' });
    });
  }

  it('is ignored when empty', async () => {
    const port = await closedPort();
    const database = await providePostgres({ env: { BURR_TEST_POSTGRES_URL: '' }, localUrl: `postgres://127.0.0.1:${port}/x` });
    expect(skipReason(database)).toContain('BURR_TEST_POSTGRES_URL');
  });
});

describe.skipIf(noRuntime === null)(withoutRuntime, () => {
  const services: Array<[name: string, provide: Provider, url: string]> = [
    ['PostgreSQL', providePostgres, process.env.BURR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'],
    ['Redis', provideRedis, process.env.BURR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'],
    ['MySQL', provideMysql, process.env.BURR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'],
  ];
  const probes = { PostgreSQL: probePostgres, Redis: probeRedis, MySQL: probeMysql } as const;

  for (const [name, provide, url] of services) {
    it(`uses a local ${name} that answers its protocol check`, async (context) => {
      const present = await probes[name as keyof typeof probes](new URL(url), 2000);
      if (!present.answered) context.skip(`no ${name} at ${url} to find (${present.why})`);
      const database = await provide({ env: {}, localUrl: url });
      expect(database).toMatchObject({ url, source: 'local' });
    });
  }

  it('finds the local PostgreSQL at its default address with no options', async (context) => {
    const fallback = 'postgres://postgres@127.0.0.1:5432/postgres';
    const present = await probePostgres(new URL(fallback), 2000);
    if (!present.answered) context.skip(`no PostgreSQL at ${fallback} (${present.why})`);
    const saved = process.env.BURR_TEST_POSTGRES_URL;
    delete process.env.BURR_TEST_POSTGRES_URL;
    try {
      expect(await providePostgres()).toMatchObject({ url: fallback, source: 'local' });
    } finally {
      if (saved !== undefined) process.env.BURR_TEST_POSTGRES_URL = saved;
    }
  });

  for (const [name, provide, envVar, scheme] of providers) {
    it(`skips ${name} when nothing listens, naming ${envVar}, the runtime and the address`, async () => {
      const port = await closedPort();
      const reason = skipReason(await provide({ env: {}, localUrl: `${scheme}://127.0.0.1:${port}/x` }));
      expect(reason).toMatch(new RegExp(`^set ${envVar} \\(e\\.g\\. ${scheme}://`));
      expect(reason).toContain(noRuntime);
      expect(reason).toContain(`${name} at 127.0.0.1:${port} (connection refused)`);
    });
  }

  describe('a server that accepts and never answers', () => {
    let silent: { server: Server; port: number };
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = await listen((socket) => void sockets.push(socket));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.server.close(resolve));
    });

    for (const [name, provide, , scheme] of providers) {
      it(`is not taken for ${name}: the probe gives up after its timeout`, async () => {
        const reason = skipReason(await provide({ env: {}, localUrl: `${scheme}://127.0.0.1:${silent.port}/x`, probeTimeoutMs: 300 }));
        expect(reason).toContain(`${name} at 127.0.0.1:${silent.port} (no answer within 300 ms)`);
      });
    }
  });

  describe('a server that answers in another protocol', () => {
    let http: { server: Server; port: number };
    const sockets: Socket[] = [];
    beforeAll(async () => {
      http = await listen((socket) => {
        sockets.push(socket);
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http.server.close(resolve));
    });

    for (const [name, provide, , scheme] of providers) {
      it(`is not taken for ${name}`, async () => {
        const reason = skipReason(await provide({ env: {}, localUrl: `${scheme}://127.0.0.1:${http.port}/x`, probeTimeoutMs: 2000 }));
        expect(reason).toContain(`${name} at 127.0.0.1:${http.port} (something answers but it is not ${name.replace(' server', '')}`);
      });
    }
  });

  it('names a local URL that does not parse', async () => {
    const reason = skipReason(await provideRedis({ env: {}, localUrl: 'not a url' }));
    expect(reason).toContain('Redis at not a url (not a URL)');
  });
});

describe('protocol checks against the machine services', () => {
  const pgUrl = process.env.BURR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BURR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

  it('PostgreSQL reports a refusal with the server message (unknown role)', async (context) => {
    if (!(await probePostgres(new URL(pgUrl), 2000)).answered) context.skip(`no PostgreSQL at ${pgUrl}`);
    const url = new URL(pgUrl);
    url.username = 'burr_no_such_role';
    expect(await probePostgres(url, 2000)).toEqual({
      answered: false,
      why: 'PostgreSQL answered but refused: role "burr_no_such_role" does not exist',
    });
  });

  it('a Redis port is not PostgreSQL, and a PostgreSQL port is not Redis', async (context) => {
    const [pgThere, redisThere] = await Promise.all([probePostgres(new URL(pgUrl), 2000), probeRedis(new URL(redisUrl), 2000)]);
    if (!pgThere.answered || !redisThere.answered) context.skip(`needs both PostgreSQL at ${pgUrl} and Redis at ${redisUrl}`);
    const redisAsPg = new URL(pgUrl);
    redisAsPg.host = new URL(redisUrl).host;
    const pgAsRedis = new URL(redisUrl);
    pgAsRedis.host = new URL(pgUrl).host;
    expect(await probePostgres(redisAsPg, 1000)).toMatchObject({ answered: false });
    expect(await probeRedis(pgAsRedis, 1000)).toMatchObject({ answered: false });
  });
});
