import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InspectorOptionsError } from './errors.js';
import { createInspector, type InspectorOptions } from './inspector.js';
import { generateToken, isLoopbackHost } from './security.js';

/** Options of {@link startInspectorServer}: the inspector's, plus where to listen. */
export interface InspectorServerOptions extends Omit<InspectorOptions, 'allowedHosts' | 'basePath'> {
  /** Address to bind (default `127.0.0.1`). Any other than loopback needs a `token`. */
  host?: string | undefined;
  /** Port (default 7243; 0 picks a free one). */
  port?: number | undefined;
}

/** A running inspector server. */
export interface RunningInspector {
  server: Server;
  /** The address to open, with `?token=…` when the server needs one. */
  url: string;
  /** The token every request needs, or `null` for an open read-only loopback server. */
  token: string | null;
  /** Stops listening and closes open connections (the store stays open: it is the caller's). */
  close(): Promise<void>;
}

/** The default port: Python Burr's UI takes 7241. */
export const DEFAULT_INSPECTOR_PORT = 7243;

/**
 * Starts the inspector on its own `node:http` server. Loopback by default;
 * a non-loopback `host` without a `token` is refused with
 * {@link InspectorOptionsError}. With writes allowed and no token, one is
 * generated: every request then needs it (the printed URL carries it), so
 * another user of this machine cannot delete through the port.
 */
export async function startInspectorServer(options: InspectorServerOptions): Promise<RunningInspector> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (!loopback && options.token === undefined) {
    throw new InspectorOptionsError(`binding to ${host} makes the inspector reachable from other machines: give it a --token (or BURR_INSPECT_TOKEN), or bind to 127.0.0.1`);
  }
  const token = options.token ?? (options.allowWrites ? generateToken() : null);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_INSPECTOR_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const allowedHosts = loopback ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${hostForUrl(host)}:${port}`] : undefined;
  const { host: _host, port: _port, ...inspectorOptions } = options;
  const inspector = createInspector({ ...inspectorOptions, token: token ?? undefined, allowedHosts });
  server.on('request', (req, res) => {
    void inspector(req, res);
  });
  const url = `http://${hostForUrl(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${port}/${token ? `?token=${token}` : ''}`;
  return {
    server,
    url,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
