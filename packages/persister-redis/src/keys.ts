import { InvalidIdentifierError, assertKeyComponent } from '@burr/core';

/**
 * Where a namespace's steps live, in Python Burr's `b_redis` layout:
 *
 * - one hash per step at `[namespace:]partitionKey:appId:sequenceId`;
 * - a sorted set per partition at `[namespace:]partitionKey`, member app id,
 *   score its latest sequence id (how Python finds an app's latest step).
 *
 * Plus, ours only, a sorted set per partition at
 * `[namespace:]partitionKey:burr:apps_by_save`, member app id, score the
 * server time (µs) of its last save, for "most recently saved first". Its last
 * segment is not an integer, so it can never be a step hash.
 *
 * An empty namespace means none, and an empty partition key is kept as is
 * (`:app:0`, and the sorted set at the empty key), both as in Python Burr.
 * Key components may not contain `:` or glob characters, so no tenant's
 * components can spell another tenant's keys.
 */
export class RedisKeyLayout {
  readonly #prefix: string;

  constructor(namespace: string | undefined) {
    if (namespace !== undefined && typeof namespace !== 'string') throw new InvalidIdentifierError('namespace', namespace, 'must be a string');
    if (namespace) assertKeyComponent(namespace, 'namespace');
    this.#prefix = namespace ? `${namespace}:` : '';
  }

  /** The hash of one step. */
  stepKey(partitionKey: string, appId: string, sequenceId: number): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${sequenceId}`;
  }

  /** A step key without its sequence id, for scripts that find the id first. */
  stepKeyPrefix(partitionKey: string, appId: string): string {
    assertKeyComponent(partitionKey, 'partition key');
    assertKeyComponent(appId, 'app id');
    return `${this.#prefix}${partitionKey}:${appId}:`;
  }

  /** Python Burr's sorted set: app id → latest sequence id. */
  appsBySequenceKey(partitionKey: string): string {
    assertKeyComponent(partitionKey, 'partition key');
    return `${this.#prefix}${partitionKey}`;
  }

  /** Our sorted set: app id → server time of its last save. */
  appsBySaveKey(partitionKey: string): string {
    return `${this.appsBySequenceKey(partitionKey)}:burr:apps_by_save`;
  }
}
