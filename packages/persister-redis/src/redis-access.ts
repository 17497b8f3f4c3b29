import type { RedisCommandClient } from './client.js';
import type { RedisKeyLayout } from './keys.js';

/** What the history, scan and removal code needs from the persister: its client, key layout and connection guard. */
export interface RedisAccess {
  readonly client: RedisCommandClient;
  readonly keys: RedisKeyLayout;
  /** Runs one call under the persister's timeouts, translating connection faults; `abandoned` is aborted when its deadline passes. */
  run<T>(work: (abandoned: AbortSignal) => Promise<T>): Promise<T>;
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
