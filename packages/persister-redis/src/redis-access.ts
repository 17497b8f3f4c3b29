import type { ConnectionGuard } from '@burr/core';
import { send, type RedisCommandClient } from './client.js';
import type { RedisKeyLayout } from './keys.js';
import type { LuaScript } from './scripts.js';

/**
 * What the history, scan and removal code needs from the persister: its key
 * layout, and one script or command at a time under its connection guard
 * (the deadline, connection faults translated; a command still queued when
 * the deadline passes is dropped).
 */
export interface RedisAccess {
  readonly keys: RedisKeyLayout;
  script(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  command(args: readonly string[]): Promise<unknown>;
}

/** The persister's {@link RedisAccess}; `guarded` is its guard's `run` (looked up per call: `fromUrl` replaces the guard). */
export function redisAccess(client: RedisCommandClient, keys: RedisKeyLayout, guarded: ConnectionGuard['run']): RedisAccess {
  return {
    keys,
    script: (script, scriptKeys, args) => guarded((abandoned) => script.run(client, scriptKeys, args, abandoned)),
    command: (args) => guarded((abandoned) => send(client, args, abandoned)),
  };
}

/**
 * Calls `attempt` until it answers something other than `pending`. Scripts
 * that meet steps missing from an app's index index one chunk of them per call
 * and answer `pending`; the marker they keep moves down each time, so this ends.
 */
export async function untilIndexed(attempt: () => Promise<unknown>, pending: (reply: unknown) => boolean): Promise<unknown> {
  for (;;) {
    const reply = await attempt();
    if (!pending(reply)) return reply;
  }
}
