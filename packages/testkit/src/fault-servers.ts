import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that accepts connections and never writes a byte: a hung database. */
export interface SilentServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Connections it has accepted so far. */
  readonly accepted: number;
  /** Destroys the accepted sockets and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on a free loopback port, for connect- and operation-timeout tests. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    // Reads what the client sends (so its writes never block) and answers nothing.
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback port nothing listens on (it was free a moment ago), so a
 * connection to it is refused: an unreachable database.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback TCP proxy to a real server that can stop forwarding: a network that silently drops traffic. */
export interface FreezableProxy {
  /** Its port on 127.0.0.1; connect the persister here. */
  readonly port: number;
  /** From now on bytes in either direction are held back (connections stay open); `thaw()` releases them. */
  freeze(): void;
  thaw(): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link FreezableProxy} to `targetHost:targetPort`. */
export async function startFreezableProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FreezableProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const held: Array<{ to: Socket; chunk: Buffer }> = [];
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => (frozen ? held.push({ to, chunk }) : to.write(chunk)));
    from.on('close', () => to.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Timeouts short enough that a fault test finds out in well under a second. */
export const FAST_FAULT_TIMEOUTS = { connectTimeoutMs: 300, operationTimeoutMs: 300 } as const;

/**
 * How `call` rejects, and after how long. Pass the call itself (a function):
 * the clock then starts before it, as the persister's own deadline does, so
 * synchronous work or a pause before its first `await` counts. A promise
 * already made is timed from now.
 */
export async function timedRejection(call: Promise<unknown> | (() => Promise<unknown>)): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection');
}
