/** How many apps a persister remembers (its last saved step, or that an app was checked for the other storage mode). */
export const REMEMBERED_APPS = 10_000;

/**
 * How many apps a persister remembers the last loaded step of, as the base
 * of a save that continues from it, and how many bytes of stored JSON their
 * chains may hold in all (the newest is kept whatever its size): a process
 * that only reads, such as the inspector, holds no more states than that.
 */
export const LOADED_APPS = 1_000;
export const LOADED_BYTES = 64 * 1024 * 1024;

/** A limit on the sum of a weight of the entries, beside their number. */
export interface WeightLimit<V> {
  weight(value: V): number;
  max: number;
}

/**
 * A map that forgets its least recently set entries past `limit` entries, or
 * past `weightLimit.max` of their summed weight (never the newest entry).
 */
export class RecentMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #limit: number;
  readonly #weightLimit: WeightLimit<V> | undefined;
  #weight = 0;

  constructor(limit = REMEMBERED_APPS, weightLimit?: WeightLimit<V>) {
    this.#limit = limit;
    this.#weightLimit = weightLimit;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: V): void {
    // Deleting first moves the key to the end: Map iterates in insertion order, so the first key is the oldest.
    this.delete(key);
    this.#entries.set(key, value);
    if (this.#weightLimit) this.#weight += this.#weightLimit.weight(value);
    while (this.#entries.size > 1 && (this.#entries.size > this.#limit || (this.#weightLimit !== undefined && this.#weight > this.#weightLimit.max))) {
      this.delete(this.#entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    if (this.#weightLimit) this.#weight -= this.#weightLimit.weight(value);
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }
}

/** The map key of an app. */
export function appKey(partitionKey: string, appId: string): string {
  return JSON.stringify([partitionKey, appId]);
}
