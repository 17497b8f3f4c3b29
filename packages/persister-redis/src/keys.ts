import { InvalidIdentifierError, assertKeyComponent, type StorageMode } from '@burr/core';

/** Last segments of an app's index, marker and incoming-state keys (see {@link RedisKeyLayout}). */
export const APP_STEPS_SUFFIX = 'burr:steps';
export const APP_UNINDEXED_SUFFIX = 'burr:unindexed';
export const APP_INCOMING_SUFFIX = 'burr:incoming';
/**
 * Incremental layout: the hash of an app's delta states stored before
 * packing, a field per sequence id (the step hash holds no `state`). Packed
 * deltas are in segments, {@link RedisKeyLayout.appSegmentKey}.
 */
export const APP_DELTAS_SUFFIX = 'burr:deltas';
/** Last segments of a partition's save-time set, saved_at hash and expiring marker, after its prefix (see {@link RedisKeyLayout}). */
export const PARTITION_APPS_BY_SAVE_SUFFIX = 'burr:apps_by_save';
export const PARTITION_SAVED_AT_SUFFIX = 'burr:saved_at';
export const PARTITION_EXPIRING_SUFFIX = 'burr:expiring';
/** The segment after the namespace that every key of incremental storage has (see {@link RedisKeyLayout}). */
export const INCREMENTAL_SEGMENT = '[incremental]';

/**
 * Where a namespace's steps live. Python Burr's `b_redis` layout:
 *
 * - one hash per step at `[namespace:]partitionKey:appId:sequenceId`;
 * - a sorted set per partition at `[namespace:]partitionKey`, member app id,
 *   score its latest sequence id (how Python finds an app's latest step).
 *
 * Ours only (Python Burr neither reads nor needs them):
 *
 * - `[namespace:]partitionKey:burr:apps_by_save`, a sorted set: member app
 *   id, score the server time (µs) of its last save, for "most recently saved
 *   first" (for steps a conversion copied: the newest copied step's own save
 *   time);
 * - `[namespace:]partitionKey:burr:saved_at`, a hash: app id → `created_at` of
 *   its last save (which is not its latest step after a rewind);
 * - `[namespace:]partitionKey:burr:expiring`, a string, only while a key of
 *   the partition may expire: each save with `ttlSeconds` makes it live at
 *   least as long as the keys that save gave a TTL, so a save without a TTL
 *   reads this one key, not the TTL of each key it must keep;
 * - `[namespace:]partitionKey:appId:burr:steps`, a sorted set per app: member
 *   and score the sequence id of each of its steps, so a page of history is
 *   one range query, whatever the app's length;
 * - `[namespace:]partitionKey:appId:burr:unindexed`, a string per app, only
 *   while steps Python Burr wrote (or we wrote before the index existed) are
 *   not yet in that index: the highest sequence id still to check;
 * - `[namespace:]partitionKey:appId:burr:incoming`, a hash that exists only
 *   inside the transaction saving a large state (see `SAVE_STEP`): the state
 *   is written there with a plain `HSET`, and the save script renames it to
 *   the step's key, so the state never passes through Lua.
 *
 * Incremental storage only (see `LUA_PACKED`):
 *
 * - `...:partitionKey:appId:#n`, a list per 64 sequence ids: the records of
 *   the app's packed deltas of sequence ids `64n` to `64n + 63`, an item each;
 * - `...:partitionKey:appId:burr:deltas`, a hash: states of deltas stored
 *   before packing, a field per sequence id.
 *
 * None of these can be another's key, with or without a namespace, since key
 * components (namespace, partition key, app id) cannot contain `:`: split on
 * `:`, a key has a fixed number of segments per kind, and kinds with the same
 * number differ in the last segment. With a namespace: partition set 2,
 * step hash 4 (last all digits; a segment of packed deltas: `#` and
 * digits), apps_by_save, saved_at and expiring 4 (last `apps_by_save`, `saved_at`, `expiring`),
 * index, marker, incoming state and deltas hash 5 (`steps`, `unindexed`,
 * `incoming`, `deltas`), counted after the incremental layout's own first
 * segment. Without: 1; 3 (digits, or `#` and digits), 3 (`apps_by_save`,
 * `saved_at`, `expiring`); 4 (`steps`, `unindexed`, `incoming`). So 4-segment keys are a
 * namespaced step (digits) or apps_by_save/saved_at/expiring, or an un-namespaced
 * index/marker/incoming state: six distinct last segments; 3-segment keys:
 * an un-namespaced step (digits) or apps_by_save/saved_at/expiring. It also lets a
 * scan tell partition sets apart (see {@link RedisKeyLayout.partitionOfKey}).
 *
 * An empty namespace means none, and an empty partition key is kept as is
 * (`:app:0`, and the sorted set at the empty key), both as in Python Burr.
 * Key components may not contain `:` or glob characters, so no tenant's
 * components can spell another tenant's keys.
 */
export class RedisKeyLayout {
  readonly #prefix: string;

  /**
   * `storage: 'incremental'` puts every key of the layout under one more
   * segment, {@link INCREMENTAL_SEGMENT}, right after the namespace
   * (`[namespace:][incremental]:partitionKey:appId:sequenceId`...). No key
   * component can hold `[`, so no key of a full-mode layout, whatever its
   * namespace, is a key of an incremental one, and Python Burr, which reads
   * the full layout, never meets them.
   */
  constructor(
    namespace: string | undefined,
    /** Which storage mode's keys these are. */
    readonly storage: StorageMode = 'full',
  ) {
    if (namespace !== undefined && typeof namespace !== 'string') throw new InvalidIdentifierError('namespace', namespace, 'must be a string');
    if (namespace) assertKeyComponent(namespace, 'namespace');
    this.#prefix = `${namespace ? `${namespace}:` : ''}${storage === 'incremental' ? `${INCREMENTAL_SEGMENT}:` : ''}`;
  }

  /**
   * The keys a save's script takes, in its order (see `SAVE_STEP`): the
   * step's hash, the partition's two sorted sets and saved_at hash, the app's
   * index and marker; each component checked once.
   */
  saveKeys(partitionKey: string, appId: string, sequenceId: number): string[] {
    const partition = this.appsBySequenceKey(partitionKey);
    const app = this.stepKeyPrefix(partitionKey, appId);
    return [
      `${app}${sequenceId}`,
      partition,
      `${partition}:${PARTITION_APPS_BY_SAVE_SUFFIX}`,
      `${partition}:${PARTITION_SAVED_AT_SUFFIX}`,
      `${app}${APP_STEPS_SUFFIX}`,
      `${app}${APP_UNINDEXED_SUFFIX}`,
    ];
  }

  /** The hash of one step. */
  stepKey(partitionKey: string, appId: string, sequenceId: number): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${sequenceId}`;
  }

  /** A step key without its sequence id, for scripts that find the id first. */
  stepKeyPrefix(partitionKey: string, appId: string): string {
    assertKeyComponent(appId, 'app id');
    return `${this.partitionPrefix(partitionKey)}${appId}:`;
  }

  /** The keys of a partition's apps start with this (then `appId:`). */
  partitionPrefix(partitionKey: string): string {
    return `${this.appsBySequenceKey(partitionKey)}:`;
  }

  /** Python Burr's sorted set: app id → latest sequence id. */
  appsBySequenceKey(partitionKey: string): string {
    assertKeyComponent(partitionKey, 'partition key');
    return `${this.#prefix}${partitionKey}`;
  }

  /** Our sorted set: app id → server time (µs) of its last save. */
  appsBySaveKey(partitionKey: string): string {
    return `${this.partitionPrefix(partitionKey)}${PARTITION_APPS_BY_SAVE_SUFFIX}`;
  }

  /** Our hash: app id → `created_at` of its last save. */
  savedAtKey(partitionKey: string): string {
    return `${this.partitionPrefix(partitionKey)}${PARTITION_SAVED_AT_SUFFIX}`;
  }

  /** Our marker: present while a key of the partition may expire (see `SAVE_STEP`). */
  expiringKey(partitionKey: string): string {
    return `${this.partitionPrefix(partitionKey)}${PARTITION_EXPIRING_SUFFIX}`;
  }

  /** Our sorted set of an app's sequence ids. */
  appStepsKey(partitionKey: string, appId: string): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${APP_STEPS_SUFFIX}`;
  }

  /** Our marker: steps at or below this sequence id may be missing from the app's index. */
  appUnindexedKey(partitionKey: string, appId: string): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${APP_UNINDEXED_SUFFIX}`;
  }

  /** Incremental layout: the hash of the app's delta states stored before packing. */
  appDeltasKey(partitionKey: string, appId: string): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${APP_DELTAS_SUFFIX}`;
  }

  /** Incremental layout: the list of the records of the app's packed deltas whose sequence ids lie in segment `segment` (`64 * segment` and the 63 after). */
  appSegmentKey(partitionKey: string, appId: string, segment: number): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}#${segment}`;
  }

  /** Where a save transaction puts a large state before the save script renames it to the step's key. */
  appIncomingKey(partitionKey: string, appId: string): string {
    return `${this.stepKeyPrefix(partitionKey, appId)}${APP_INCOMING_SUFFIX}`;
  }

  /** The SCAN pattern that matches every partition set of this namespace (and much else: see {@link RedisKeyLayout.partitionOfKey}). */
  scanPattern(): string {
    // The namespace holds no glob character (assertKeyComponent); the brackets of the incremental segment are escaped.
    return `${this.#prefix.replace(/[[\]]/g, '\\$&')}*`;
  }

  /**
   * The partition key whose sorted set `key` is, or `null` when `key` cannot
   * be one: a partition set is the namespace prefix plus one component, so
   * the rest holds no `:`. Without a namespace any key without `:` qualifies,
   * other applications' sorted sets included: scan a shared database through
   * a namespace.
   */
  partitionOfKey(key: string): string | null {
    if (!key.startsWith(this.#prefix)) return null;
    const partitionKey = key.slice(this.#prefix.length);
    try {
      assertKeyComponent(partitionKey, 'partition key');
    } catch {
      return null;
    }
    return partitionKey;
  }
}
