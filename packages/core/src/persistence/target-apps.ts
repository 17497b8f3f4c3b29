import type { PruneTarget } from './history.js';
import type { AppRef, AppScan } from './stored-history.js';
import { assertAppId, normalizePartitionKey } from './validate.js';

/** Apps read per page of a scan over a partition or a table. */
const APPS_PER_SCAN = 500;

/** Whatever can walk a store's apps page by page (a persister's `scanApps` primitive). */
export interface AppScanner {
  scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan>;
}

/** The apps a prune or a conversion `target` names: one app, every app of a partition, or every app. */
export async function* appsOfTarget(scanner: AppScanner, target: PruneTarget): AsyncGenerator<AppRef> {
  if (target !== 'all' && target.appId !== undefined) {
    assertAppId(target.appId);
    yield { partitionKey: normalizePartitionKey(target.partitionKey), appId: target.appId };
    return;
  }
  const partitionKey = target === 'all' ? null : normalizePartitionKey(target.partitionKey);
  let cursor: string | null = null;
  do {
    const scan = await scanner.scanApps(partitionKey, cursor, APPS_PER_SCAN);
    yield* scan.apps;
    cursor = scan.cursor;
  } while (cursor !== null);
}
