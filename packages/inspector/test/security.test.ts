import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryPersister } from '@burr/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInspector, InspectorOptionsError, type RunningInspector, startInspectorServer } from '../src/index.js';
import { CONTENT_SECURITY_POLICY, isLoopbackHost } from '../src/security.js';
import { httpRequest } from './support/http.js';
import { seedChat } from './support/seed.js';

let persister: InMemoryPersister;
const running: RunningInspector[] = [];

beforeEach(async () => {
  persister = new InMemoryPersister();
  await persister.initialize();
  await seedChat(persister, 'chat-1', 3);
});
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function start(options: Partial<Parameters<typeof startInspectorServer>[0]> = {}): Promise<RunningInspector & { origin: string; host: string }> {
  const server = await startInspectorServer({ persister, port: 0, ...options });
  running.push(server);
  const { port } = server.server.address() as AddressInfo;
  return { ...server, origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
}

/** The write token a page carries for its script, if any. */
function writeTokenOf(body: string): string | undefined {
  return /<meta name="burr-inspector-write-token" content="([^"]+)">/.exec(body)?.[1];
}

/** Opens the printed URL and returns the cookie it sets. */
async function cookieFrom(url: string): Promise<string> {
  const reply = await httpRequest(url);
  expect(reply.status).toBe(303);
  const setCookie = reply.headers['set-cookie']![0]!;
  expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
  expect(reply.headers.location).toBe('/');
  return setCookie.split(';')[0]!;
}

describe('the inspector server', () => {
  it('serves pages with a CSP that allows only its own script and style, and the state as JSON, never as HTML', async () => {
    const server = await start();
    expect(server.url).toBe(`${server.origin}/`);
    const page = await httpRequest(`${server.origin}/?partition=ada`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body.match(/<script>|style="|\son\w+="/g)).toBeNull();
    const state = await httpRequest(`${server.origin}/api/state?partition=ada&app=chat-1&seq=2`);
    expect(state.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(state.body).chat_history[2].content).toContain('<script>');
  });

  it('refuses a non-loopback bind without a token, and a token too short or with odd characters', async () => {
    await expect(startInspectorServer({ persister, port: 0, host: '0.0.0.0' })).rejects.toThrow(InspectorOptionsError);
    await expect(startInspectorServer({ persister, port: 0, host: '0.0.0.0' })).rejects.toThrow(/give it a --token/);
    expect(() => createInspector({ persister, token: 'short' })).toThrow(/at least 16 characters/);
    // Writes on a handler that answers any Host with no token: a page on a rebound name could read and write.
    expect(() => createInspector({ persister, allowWrites: true })).toThrow(/allowWrites needs allowedHosts \(the Host names this inspector is reached by\) or a token/);
    expect(createInspector({ persister, allowWrites: true, allowedHosts: ['inspector.example:443'] }).writeToken).toMatch(/^[\w-]{43}$/);
    expect(() => createInspector({ persister, token: 'sixteen-chars-ok; Path=/' })).toThrow(InspectorOptionsError);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });

  it('with a token on every address: nothing without it, a cookie from the printed URL', async () => {
    const token = 'a-token-of-twenty-chars';
    const server = await start({ host: '0.0.0.0', token });
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${token}$`));
    expect((await httpRequest(`${server.origin}/`)).status).toBe(401);
    expect((await httpRequest(`${server.origin}/?token=wrong-token-of-twenty`)).status).toBe(401);
    const cookie = await cookieFrom(server.url);
    expect((await httpRequest(`${server.origin}/?partition=ada`, { headers: { cookie } })).status).toBe(200);
    expect((await httpRequest(`${server.origin}/api/state?partition=ada&app=chat-1&seq=0`)).status).toBe(401);
  });

  it('gives no token away on a page answered before the token is shown (401, 421), and redirects only within itself', async () => {
    const server = await start({ allowWrites: true });
    const port = server.host.split(':')[1];
    for (const [status, headers] of [
      [401, {}],
      [421, { host: `attacker.example:${port}` }],
    ] as const) {
      const page = await httpRequest(`${server.origin}/`, { headers });
      expect(page.status).toBe(status);
      expect(page.body).toContain(`<h1>Error ${status}</h1>`);
      expect(writeTokenOf(page.body)).toBeUndefined();
      expect(page.body).not.toContain(server.token!);
    }
    // "//host" in a Location is another site: the path after the token keeps one leading slash.
    const redirect = await httpRequest(server.origin, { path: `/.//attacker.example/?token=${server.token}` });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toBe('/attacker.example/');
  });

  it('answers only to its own host name on loopback (no DNS rebinding)', async () => {
    const server = await start();
    const port = server.host.split(':')[1];
    expect((await httpRequest(`${server.origin}/`, { headers: { host: `attacker.example:${port}` } })).status).toBe(421);
    expect((await httpRequest(`${server.origin}/`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses every write while writes are off', async () => {
    const server = await start();
    const reply = await httpRequest(`${server.origin}/api/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin },
      body: JSON.stringify({ partitionKey: 'ada', appId: 'chat-1' }),
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toMatch(/^Writes are off/);
    expect((await persister.listSteps('ada', 'chat-1')).steps).toHaveLength(3);
  });

  it('takes a write only same-origin, as JSON, with the cookie and the page token', async () => {
    const server = await start({ allowWrites: true });
    const cookie = await cookieFrom(server.url);
    const page = await httpRequest(`${server.origin}/app?partition=ada&app=chat-1`, { headers: { cookie } });
    const pageToken = writeTokenOf(page.body)!;
    // Its own token: a page that leaks it does not also let the reader in.
    expect(pageToken).toMatch(/^[\w-]{43}$/);
    expect(pageToken).not.toBe(server.token);
    expect((await httpRequest(`${server.origin}/?token=${pageToken}`)).status).toBe(401);
    const body = JSON.stringify({ partitionKey: 'ada', appId: 'chat-1' });
    const good = { cookie, origin: server.origin, 'content-type': 'application/json', 'x-burr-inspector-token': pageToken, 'sec-fetch-site': 'same-origin' };
    const attempt = (headers: Record<string, string>) => httpRequest(`${server.origin}/api/delete`, { method: 'POST', headers, body });
    const without = (name: string): Record<string, string> => Object.fromEntries(Object.entries(good).filter(([key]) => key !== name));

    expect((await attempt(without('cookie'))).status).toBe(401);
    expect(JSON.parse((await attempt(without('origin'))).body).error).toMatch(/needs the Origin/);
    expect(JSON.parse((await attempt({ ...good, origin: 'http://attacker.example' })).body).error).toMatch(/comes from http:\/\/attacker\.example/);
    expect(JSON.parse((await attempt({ ...good, 'sec-fetch-site': 'cross-site' })).body).error).toMatch(/cross-site, not same-origin/);
    expect(JSON.parse((await attempt(without('x-burr-inspector-token'))).body).error).toMatch(/needs the token of this inspector page/);
    expect((await attempt({ ...good, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await persister.listSteps('ada', 'chat-1')).steps).toHaveLength(3);

    const done = await attempt(good);
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body)).toEqual({ removed: 3, href: '/?partition=ada&deleted=chat-1' });
    expect((await persister.listSteps('ada', 'chat-1')).steps).toHaveLength(0);
    expect((await attempt(good)).status).toBe(404);
  });

  it('forks a step into a new app, and refuses an id that already has steps or is not an id', async () => {
    const server = await start({ allowWrites: true });
    const cookie = await cookieFrom(server.url);
    const pageToken = writeTokenOf((await httpRequest(`${server.origin}/app?partition=ada&app=chat-1`, { headers: { cookie } })).body)!;
    const fork = (newAppId: string) =>
      httpRequest(`${server.origin}/api/fork`, {
        method: 'POST',
        headers: { cookie, origin: server.origin, 'content-type': 'application/json', 'x-burr-inspector-token': pageToken },
        body: JSON.stringify({ partitionKey: 'ada', appId: 'chat-1', sequenceId: 1, newAppId }),
      });
    const created = await fork('chat-1-b');
    expect(created.status).toBe(201);
    const copy = await persister.load('ada', 'chat-1-b');
    expect(copy).toMatchObject({ sequenceId: 1, position: 'ai_converse', status: 'completed' });
    expect(copy!.state.get('chat_history')).toEqual((await persister.load('ada', 'chat-1', 1))!.state.get('chat_history'));
    expect((await fork('chat-1-b')).status).toBe(409);
    expect((await fork('bad\u0000id')).status).toBe(400);
  });
});

describe('createInspector in your own server', () => {
  it('answers under its basePath, links stay under it, and other paths go to next()', async () => {
    const inspector = createInspector({ persister, basePath: '/tools/inspector/', title: 'Support inspector', partitions: ['ada'] });
    const server = createServer((req, res) => {
      void inspector(req, res, () => {
        res.statusCode = 200;
        res.end('the host app');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await httpRequest(`${origin}/elsewhere`)).body).toBe('the host app');
      const page = await httpRequest(`${origin}/tools/inspector/?partition=ada`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<a class="brand" href="/tools/inspector/">Support inspector</a>');
      expect(page.body).toContain('href="/tools/inspector/app?partition=ada&amp;app=chat-1"');
      expect(page.body).toContain('<script src="/tools/inspector/assets/inspector.js" defer></script>');
      expect(page.body).toContain('<option value="ada"></option>');
      expect((await httpRequest(`${origin}/tools/inspector/assets/inspector.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(inspector.writeToken).toBeNull();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("lists the first offered partition's apps on the front page; an empty partition field asks for no partition", async () => {
    await seedChat(persister, 'chat-2', 1, { partitionKey: 'grace' });
    const front = async (partitions: string[], query = ''): Promise<string> => {
      const inspector = createInspector({ persister, partitions });
      const server = createServer((req, res) => void inspector(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return (await httpRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${query}`)).body;
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    };
    const appLink = (partition: string, app: string) => `href="/app?partition=${partition}&amp;app=${app}"`;
    const grace = await front(['grace', 'ada']);
    expect(grace).toContain(appLink('grace', 'chat-2'));
    expect(grace).not.toContain(appLink('ada', 'chat-1'));
    expect(await front(['ada', 'grace'])).toContain(appLink('ada', 'chat-1'));
    expect(await front(['ada'], '?partition=grace')).toContain(appLink('grace', 'chat-2'));
    const none = await front(['ada'], '?partition=');
    expect(none).not.toContain(appLink('ada', 'chat-1'));
    expect(none).toContain('No apps saved in this partition.');
    expect(await front([])).toContain('No apps saved in this partition.');
  });

  it('shows the graph of an application registered in code', async () => {
    const { ApplicationBuilder, action } = await import('@burr/core');
    const app = await new ApplicationBuilder()
      .withActions({ ask: action({ reads: [], writes: [], run: (state) => state }), answer: action({ reads: [], writes: [], run: (state) => state }) })
      .withTransitions(['ask', 'answer'], ['answer', 'ask'])
      .withEntrypoint('ask')
      .build();
    const inspector = createInspector({ persister, graph: app });
    const server = createServer((req, res) => void inspector(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await httpRequest(`${origin}/app?partition=ada&app=chat-1`);
      expect(page.body).toContain('<g class="node entry" data-action="ask">');
      expect(page.body).toContain('<g class="node" data-action="answer">');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
