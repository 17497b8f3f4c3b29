import type { StateRecord } from './record-persister.js';
import { toSqlTimestamp } from './timestamps.js';

/** What {@link StepRecords} keeps of one app. */
export interface AppSaves {
  /** The app's steps in the map. */
  steps: number;
  /** The newest save time of a step of the app, as SQL text to the microsecond (it only moves forward), and as a Date. */
  savedAtKey: string;
  lastSavedAt: Date;
  /** When the app's last step was added, counted in additions to the map (for `listAppIds`, whose order is the last write). */
  lastWrite: number;
}

/**
 * The step records of an `InMemoryStore`, keeping what a SQL persister's app
 * index keeps: each app's newest save time, moved forward by each step added
 * and kept while the app has steps. Computed from the steps still stored,
 * a prune that removed the app's most recent save (a rewind's step) would
 * move the app down the `listApps` order, where SQL keeps it.
 */
export class StepRecords<R extends StateRecord> extends Map<string, R> {
  readonly #apps = new Map<string, AppSaves>();
  #writes = 0;

  /** Adds a step, or replaces one in place (a rewrite, which is not a save). */
  override set(key: string, record: R): this {
    if (!this.has(key)) {
      const app = appKeyOf(record);
      const savedAtKey = toSqlTimestamp(record.createdAt, record.createdAtMicros);
      const known = this.#apps.get(app);
      const newer = !known || savedAtKey > known.savedAtKey;
      this.#apps.set(app, {
        steps: (known?.steps ?? 0) + 1,
        savedAtKey: newer ? savedAtKey : known.savedAtKey,
        lastSavedAt: newer ? record.createdAt : known.lastSavedAt,
        lastWrite: ++this.#writes,
      });
    }
    return super.set(key, record);
  }

  override delete(key: string): boolean {
    const record = this.get(key);
    if (!record || !super.delete(key)) return false;
    const app = appKeyOf(record);
    const known = this.#apps.get(app)!;
    if (--known.steps === 0) this.#apps.delete(app);
    return true;
  }

  override clear(): void {
    super.clear();
    this.#apps.clear();
  }

  /** What is kept of the app, or `undefined` when it has no step here. */
  appSaves(partitionKey: string, appId: string): Readonly<AppSaves> | undefined {
    return this.#apps.get(appKeyOf({ partitionKey, appId }));
  }
}

function appKeyOf(app: { partitionKey: string; appId: string }): string {
  return JSON.stringify([app.partitionKey, app.appId]);
}
