import { connect } from 'node:net';

/** What came back from one request/reply exchange over TCP, or why nothing usable did. */
export type SocketReply = { data: Buffer } | { failure: string };

/**
 * Connects to `host:port`, writes `request` (if any) and collects bytes until
 * `isComplete` says a whole reply arrived, the peer closes, or `timeoutMs`
 * passes. Never throws: a refused connection or a silent peer is a `failure`
 * naming what happened, so a probe ends within the timeout whatever is there.
 */
export function exchange(host: string, port: number, request: Buffer | null, isComplete: (received: Buffer) => boolean, timeoutMs: number): Promise<SocketReply> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host, port });
    const finish = (reply: SocketReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish({ failure: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => {
      if (request) socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received)) finish({ data: received });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ failure: socketFailure(error) }));
    socket.on('close', () => finish(received.length > 0 ? { data: received } : { failure: 'closed the connection without answering' }));
  });
}

function socketFailure(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host not found';
  return error.code ?? error.message;
}
