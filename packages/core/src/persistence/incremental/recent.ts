/** How many apps a persister remembers (its last saved step, or that an app was checked for the other storage mode). */
export const REMEMBERED_APPS = 10_000;

/**
 * How many apps a persister remembers the last loaded step of, as the base
 * of a save that continues from it (fewer: a process that only reads, an
 * inspector, would hold that many states).
 */
export const LOADED_APPS = 1_000;

/** A map that forgets its least recently set entry past `limit` entries. */
export class RecentMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #limit: number;

  constructor(limit = REMEMBERED_APPS) {
    this.#limit = limit;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: V): void {
    // Deleting first moves the key to the end: Map iterates in insertion order, so the first key is the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The map key of an app. */
export function appKey(partitionKey: string, appId: string): string {
  return JSON.stringify([partitionKey, appId]);
}
