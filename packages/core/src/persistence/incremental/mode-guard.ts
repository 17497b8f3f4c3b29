import { StorageModeMismatchError } from '../../errors.js';
import type { StorageMode } from './options.js';
import { appKey, RecentMap } from './recent.js';

/** Whether the other storage mode's table holds a step of the app. */
export type OtherModeProbe = (partitionKey: string, appId: string) => Promise<boolean>;

/**
 * Refuses to save or load an app whose steps are stored in the other storage
 * mode. Asks the backend once per app (on its first save by this persister,
 * or a load that found nothing) and remembers the apps found clean, up to a
 * bound.
 */
export class StorageModeGuard {
  readonly #clean = new RecentMap<true>();
  readonly #mode: StorageMode;
  readonly #persister: () => string;
  readonly #probe: OtherModeProbe;

  constructor(mode: StorageMode, persister: () => string, probe: OtherModeProbe) {
    this.#mode = mode;
    this.#persister = persister;
    this.#probe = probe;
  }

  /**
   * Throws `StorageModeMismatchError` when the app has steps in the other
   * mode. `undefined`, with no promise made, for an app known clean: a save's
   * usual case.
   */
  check(partitionKey: string, appId: string, operation: 'save' | 'load'): Promise<void> | undefined {
    const key = appKey(partitionKey, appId);
    return this.#clean.has(key) ? undefined : this.#probeApp(key, partitionKey, appId, operation);
  }

  async #probeApp(key: string, partitionKey: string, appId: string, operation: 'save' | 'load'): Promise<void> {
    if (await this.#probe(partitionKey, appId))
      throw new StorageModeMismatchError(this.#persister(), { partitionKey, appId }, this.#mode === 'full' ? 'incremental' : 'full', operation);
    this.#clean.set(key, true);
  }

  /** After the app was deleted: it may come back in either mode, so the next save checks again. */
  forget(partitionKey: string, appId: string): void {
    this.#clean.delete(appKey(partitionKey, appId));
  }
}
