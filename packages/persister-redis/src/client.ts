/**
 * What the persister needs from a node-redis client: `sendCommand`. A client
 * from `createClient()` (`redis` or `@redis/client`, RESP2 or RESP3, any
 * modules) or a client pool fits. Redis Cluster does not: a step's hash and
 * its partition's sorted sets are different keys, in different slots. When
 * the client also has node-redis's `multi()`, large states are saved in a
 * MULTI/EXEC transaction (see `RedisPersister`); without it, in the script.
 */
export interface RedisCommandClient {
  sendCommand(args: ReadonlyArray<string>, options?: { timeout?: number; abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Sends one command. With `abandoned` (the persister's deadline for the
 * call; see `ConnectionGuard.run`) the command goes without the driver's own
 * timer and is dropped if it is still queued, unsent, when that deadline
 * passes. node-redis 6 otherwise starts an `AbortSignal.timeout` for every
 * command (5 s unless the client's `commandOptions` say otherwise), which
 * bounds only the wait before the command is written (a client reconnecting
 * queues commands) and cost 6-25 µs of client CPU per 1 KB save;
 * `abandoned` bounds the same wait by the persister's own deadline. Without
 * it the driver's default applies.
 */
export function send(client: RedisCommandClient, args: ReadonlyArray<string>, abandoned?: AbortSignal): Promise<unknown> {
  return abandoned ? client.sendCommand(args, { timeout: 0, abortSignal: abandoned }) : client.sendCommand(args);
}

/** A node-redis transaction (`client.multi()`), fed raw commands. */
export interface RedisTransaction {
  addCommand(args: string[]): unknown;
  exec(): Promise<unknown>;
}

/**
 * A new transaction on `client` when it has node-redis's `multi()` with raw
 * commands (clients and pools of node-redis 5 and later do; a pool runs the
 * whole transaction on one of its connections), else `undefined`. Also
 * `undefined` while the client reconnects: it would queue the transaction
 * whole, and node-redis takes no abort signal for one, so a call the
 * persister gave up on would still be sent later (a single command, which
 * the caller sends instead, is dropped; see {@link send}).
 */
export function transactionOn(client: RedisCommandClient): RedisTransaction | undefined {
  if ((client as { isReady?: unknown }).isReady === false) return undefined;
  const multi = (client as { multi?: unknown }).multi;
  if (typeof multi !== 'function') return undefined;
  const transaction = multi.call(client) as Partial<RedisTransaction> | null | undefined;
  return typeof transaction?.addCommand === 'function' && typeof transaction.exec === 'function' ? (transaction as RedisTransaction) : undefined;
}

/**
 * Runs a transaction; resolves to its replies, a failed command's reply being
 * its error (node-redis throws them together as a `MultiErrorReply`), or to
 * `null` when the server did not run it (a `WATCH` of the caller's on the
 * shared connection saw a change).
 */
export async function execTransaction(transaction: RedisTransaction): Promise<unknown[] | null> {
  try {
    const replies = await transaction.exec();
    return Array.isArray(replies) ? replies : null;
  } catch (error) {
    const replies = (error as { replies?: unknown } | null)?.replies;
    if (Array.isArray(replies)) return replies;
    // node-redis's WatchError: thrown before sending (a watched key changed) or when EXEC answered null; nothing ran.
    if ((error as object | null)?.constructor?.name === 'WatchError') return null;
    throw error;
  }
}

/** A reply as text: node-redis returns strings, or Buffers with a type mapping, or numbers for RESP3 doubles. */
export function replyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return undefined;
}

/** A hash reply as field → value, whatever shape the client's protocol and type mapping gave it. */
export function replyFields(value: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  const add = (field: unknown, text: unknown) => {
    const name = replyText(field);
    const content = replyText(text);
    if (name !== undefined && content !== undefined) fields.set(name, content);
  };
  if (Array.isArray(value)) {
    // A flat [field, value, ...] list, or [field, value] pairs.
    if (value.every(Array.isArray)) for (const [field, text] of value as unknown[][]) add(field, text);
    else for (let i = 0; i + 1 < value.length; i += 2) add(value[i], value[i + 1]);
  } else if (value instanceof Map) {
    for (const [field, text] of value) add(field, text);
  } else if (value !== null && typeof value === 'object') {
    for (const [field, text] of Object.entries(value)) add(field, text);
  }
  return fields;
}

/** A list reply as strings. */
export function replyList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(replyText).filter((text): text is string => text !== undefined);
}
