/**
 * Minimal protocol checks for a database server at a URL, over node:net (and
 * fetch for libSQL's HTTP). A bare TCP connect could hit any program on the
 * port; each probe speaks just enough of the server's protocol to know it is
 * that server and willing to talk. No drivers: the testkit stays light for
 * persister authors, and a probe answers within its timeout, where a driver
 * would retry for many seconds.
 */
import { exchange } from './probe-socket.js';

/** The server answered in its own protocol, or why it is not usable. */
export type ProbeResult = { answered: true } | { answered: false; why: string };

/** Checks that a server of one kind answers at `url`. Never throws. */
export type ServerProbe = (url: URL, timeoutMs: number) => Promise<ProbeResult>;

const notAnswered = (why: string): ProbeResult => ({ answered: false, why });
const refused = (server: string, message: string) => notAnswered(`${server} answered but refused: ${message}`);
const notThe = (server: string, what: string) => notAnswered(`something answers but it is not ${server} (${what})`);

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL, fallback: number): number {
  return url.port ? Number(url.port) : fallback;
}

function describeBytes(data: Buffer): string {
  const text = data
    .subarray(0, 24)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return `replied ${JSON.stringify(text)}`;
}

// --- PostgreSQL: a StartupMessage; the first reply is Authentication ('R') or ErrorResponse ('E').

interface PgMessage {
  type: string;
  body: Buffer;
}

function pgMessages(data: Buffer): { messages: PgMessage[]; malformed: boolean } {
  const messages: PgMessage[] = [];
  let offset = 0;
  while (offset + 5 <= data.length) {
    const length = data.readInt32BE(offset + 1);
    if (length < 4 || length > 1 << 20) return { messages, malformed: true };
    if (offset + 1 + length > data.length) break;
    messages.push({ type: String.fromCharCode(data[offset]!), body: data.subarray(offset + 5, offset + 1 + length) });
    offset += 1 + length;
  }
  return { messages, malformed: false };
}

function pgErrorMessage(body: Buffer): string {
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const field = String.fromCharCode(body[offset]!);
    const end = body.indexOf(0, offset + 1);
    if (end < 0) break;
    if (field === 'M') return body.toString('utf8', offset + 1, end);
    offset = end + 1;
  }
  return 'an error without a message';
}

/**
 * Reads until the server decides: an error, a password request (the URL's
 * driver will answer it), or ReadyForQuery. Reading it all lets the socket
 * close with nothing pending, which PostgreSQL does not log.
 */
function pgDecided(data: Buffer): boolean {
  const { messages, malformed } = pgMessages(data);
  if (malformed) return true;
  return messages.some((m) => m.type === 'E' || m.type === 'Z' || (m.type === 'R' && m.body.readInt32BE(0) !== 0));
}

export const probePostgres: ServerProbe = async (url, timeoutMs) => {
  const user = decodeURIComponent(url.username) || 'postgres';
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`, 'utf8');
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  params.copy(startup, 8);
  const reply = await exchange(hostOf(url), portOf(url, 5432), startup, pgDecided, timeoutMs);
  if ('failure' in reply) return notAnswered(reply.failure);
  const { messages } = pgMessages(reply.data);
  // With trust auth an unknown role or database is an error after AuthenticationOk.
  const error = messages.find((m) => m.type === 'E');
  if (error) return refused('PostgreSQL', pgErrorMessage(error.body));
  if (messages[0]?.type === 'R' && messages[0].body.length >= 4) return { answered: true };
  return notThe('PostgreSQL', describeBytes(reply.data));
};

// --- Redis: PING; the reply is +PONG, or an error such as NOAUTH.

export const probeRedis: ServerProbe = async (url, timeoutMs) => {
  const ping = Buffer.from('*1\r\n$4\r\nPING\r\n');
  const reply = await exchange(hostOf(url), portOf(url, 6379), ping, (data) => data.includes('\r\n'), timeoutMs);
  if ('failure' in reply) return notAnswered(reply.failure);
  const line = reply.data.toString('utf8').split('\r\n')[0] ?? '';
  if (line === '+PONG') return { answered: true };
  // A password in the URL is for the driver to send; NOAUTH still proves it is Redis.
  if (line.startsWith('-NOAUTH') && url.password) return { answered: true };
  if (line.startsWith('-')) return refused('Redis', line.slice(1));
  return notThe('Redis', describeBytes(reply.data));
};

// --- MySQL / MariaDB: the server speaks first, with a handshake (protocol 10) or an error packet.

function mysqlPacketComplete(data: Buffer): boolean {
  return data.length >= 4 && data.length >= 4 + data.readUIntLE(0, 3);
}

export const probeMysql: ServerProbe = async (url, timeoutMs) => {
  const reply = await exchange(hostOf(url), portOf(url, 3306), null, mysqlPacketComplete, timeoutMs);
  if ('failure' in reply) return notAnswered(reply.failure);
  const { data } = reply;
  if (!mysqlPacketComplete(data) || data[3] !== 0) return notThe('MySQL', describeBytes(data));
  const payload = data.subarray(4, 4 + data.readUIntLE(0, 3));
  if (payload[0] === 0x0a && payload.indexOf(0, 1) > 1) return { answered: true };
  if (payload[0] === 0xff && payload.length > 3) {
    const message = payload.subarray(payload[3] === 0x23 ? 9 : 3); // skip '#' + 5-char SQLSTATE
    return refused('MySQL', message.toString('utf8'));
  }
  return notThe('MySQL', describeBytes(data));
};

// --- MongoDB: an OP_MSG `hello` on admin; the reply is an OP_MSG answering our request id.

const OP_MSG = 2013;

function bsonHello(): Buffer {
  const parts = [Buffer.from([0x10]), Buffer.from('hello\0'), int32(1), Buffer.from([0x02]), Buffer.from('$db\0'), int32(6), Buffer.from('admin\0'), Buffer.from([0x00])];
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(4 + body.length), body]);
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value, 0);
  return buffer;
}

/** The `ok` field of the reply document, found by its BSON element header: a double, int32 or int64 named `ok`. */
function mongoOk(reply: Buffer): number | undefined {
  const readers: Array<[type: number, read: (at: number) => number, size: number]> = [
    [0x01, (at) => reply.readDoubleLE(at), 8],
    [0x10, (at) => reply.readInt32LE(at), 4],
    [0x12, (at) => Number(reply.readBigInt64LE(at)), 8],
  ];
  for (const [type, read, size] of readers) {
    const at = reply.indexOf(Buffer.from([type, 0x6f, 0x6b, 0x00]), 21);
    if (at >= 0 && at + 4 + size <= reply.length) return read(at + 4);
  }
  return undefined;
}

export const probeMongo: ServerProbe = async (url, timeoutMs) => {
  const requestId = 0x4255_5252; // "BURR"
  const doc = bsonHello();
  const header = Buffer.concat([int32(16 + 5 + doc.length), int32(requestId), int32(0), int32(OP_MSG), int32(0), Buffer.from([0])]);
  const complete = (data: Buffer) => data.length >= 4 && data.length >= data.readInt32LE(0);
  const reply = await exchange(hostOf(url), portOf(url, 27017), Buffer.concat([header, doc]), complete, timeoutMs);
  if ('failure' in reply) return notAnswered(reply.failure);
  const { data } = reply;
  const isReply = data.length >= 16 && data.readInt32LE(8) === requestId && data.readInt32LE(12) === OP_MSG;
  if (!isReply) return notThe('MongoDB', describeBytes(data));
  return mongoOk(data) === 1 ? { answered: true } : refused('MongoDB', 'hello did not return ok: 1');
};

// --- libSQL server (sqld): a Hrana-over-HTTP pipeline that only closes its stream.

function httpBase(url: URL): string {
  const protocol = { 'libsql:': 'https:', 'wss:': 'https:', 'ws:': 'http:' }[url.protocol] ?? url.protocol;
  return `${protocol}//${url.host}`;
}

export const probeLibsql: ServerProbe = async (url, timeoutMs) => {
  try {
    const response = await fetch(`${httpBase(url)}/v2/pipeline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ baton: null, requests: [{ type: 'close' }] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401 || response.status === 403) return refused('libSQL', `HTTP ${response.status}, it wants an auth token`);
    const body: unknown = response.ok ? await response.json().catch(() => null) : null;
    const isHrana = typeof body === 'object' && body !== null && Array.isArray((body as { results?: unknown }).results);
    return isHrana ? { answered: true } : notThe('libSQL', `HTTP ${response.status} to a Hrana pipeline`);
  } catch (error) {
    return notAnswered(fetchFailure(error, timeoutMs));
  }
};

function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  return code ?? (error instanceof Error ? error.message : String(error));
}
