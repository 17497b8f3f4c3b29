import { createConnection, createServer, type Socket } from 'node:net';

/** How long the client must have sent nothing before a connection whose reply is being dropped is cut. */
const QUIET_MS = 100;

/** Where a client should connect to reach a server through the proxy. */
export interface ProxyAddress {
  host: string;
  port: number;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a database server that can lose a
 * reply the way a network does: after {@link ReplyDroppingProxy.dropNextReply},
 * from the next bytes the server sends on any connection, everything the
 * server sends on it is thrown away, while what the client still sends goes
 * through; once the client has sent nothing for 100 ms, the
 * connection is cut both ways. The server has then done all it was asked (a
 * save is committed, even one whose request is still arriving when the
 * server answers its first part, as a Redis transaction of a large state
 * is) but the client never hears it: an ambiguous commit, on demand. New
 * connections are forwarded as usual.
 */
export class ReplyDroppingProxy {
  readonly address: ProxyAddress;
  /** How many replies were dropped so far. */
  dropped = 0;
  readonly #server: ReturnType<typeof createServer>;
  readonly #sockets = new Set<Socket>();
  #armed: (() => void) | null = null;

  private constructor(server: ReturnType<typeof createServer>, address: ProxyAddress) {
    this.#server = server;
    this.address = address;
  }

  /** Starts a proxy to `target` on a free loopback port. */
  static async start(target: ProxyAddress): Promise<ReplyDroppingProxy> {
    let forward: (client: Socket) => void = (client) => client.destroy();
    const server = createServer((client) => forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new Error('the proxy did not bind a TCP port');
    const proxy = new ReplyDroppingProxy(server, { host: '127.0.0.1', port: bound.port });
    forward = (client) => proxy.#forward(client, target);
    return proxy;
  }

  /** Drops the next reply the server sends and cuts its connection; resolves once that happened. */
  dropNextReply(): Promise<void> {
    return new Promise((resolve) => {
      this.#armed = resolve;
    });
  }

  /** Stops listening and closes every forwarded connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket, target: ProxyAddress): void {
    const server = createConnection(target.port, target.host);
    let quietTimer: NodeJS.Timeout | undefined;
    let dropping = false;
    const cut = () => {
      clearTimeout(quietTimer);
      client.destroy();
      server.destroy();
    };
    for (const socket of [client, server]) {
      this.#sockets.add(socket);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        cut();
      });
      // A reset is how a cut looks from the other side; closing both is all there is to do.
      socket.on('error', cut);
    }
    let cutWhenQuiet: () => void = () => {};
    client.on('data', (chunk) => {
      server.write(chunk);
      cutWhenQuiet();
    });
    server.on('data', (chunk) => {
      if (dropping) return;
      const armed = this.#armed;
      if (armed === null) {
        client.write(chunk);
        return;
      }
      this.#armed = null;
      this.dropped++;
      dropping = true;
      cutWhenQuiet = () => {
        clearTimeout(quietTimer);
        quietTimer = setTimeout(() => {
          cut();
          armed();
        }, QUIET_MS);
      };
      cutWhenQuiet();
    });
  }
}
