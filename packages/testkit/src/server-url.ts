import type { ProxyAddress } from './reply-dropping-proxy.js';

/** Host and port a connection URL points at (`defaultPort` when the URL names none). */
export function serverAddress(url: string, defaultPort: number): ProxyAddress {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}

/** The same URL (credentials, database, options) pointed at another host and port, e.g. a proxy. */
export function urlAt(url: string, address: ProxyAddress): string {
  const parsed = new URL(url);
  parsed.hostname = address.host;
  parsed.port = String(address.port);
  return parsed.toString();
}
