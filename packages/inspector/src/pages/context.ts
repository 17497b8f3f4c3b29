import type { ApplicationGraph } from '@burr/core';
import type { InspectorStore } from '../store.js';

/** What every page needs: the store, where the inspector is mounted, and what it may do. */
export interface PageContext {
  store: InspectorStore;
  /** The mount path without a trailing slash (`''` at the root). */
  base: string;
  title: string;
  /** E.g. `SQLite ./burr.db, table burr_state`; never a password. */
  storeDescription: string;
  writesAllowed: boolean;
  /** Sent back in a header by the page's script with each write; present only when writes are allowed. */
  writeToken: string | null;
  /** Partition keys to offer on the front page. */
  knownPartitions(): Promise<string[]>;
  /** The partition whose apps the front page lists when no partition is asked for: the first one offered, else none (`''`). */
  frontPartition: string;
  /** The app's graph, when known. */
  graphFor(partitionKey: string, appId: string): Promise<ApplicationGraph | null>;
}

/** A link inside the inspector: `path` under the mount path, with the query parameters that are set. */
export function href(context: Pick<PageContext, 'base'>, path: string, params: Record<string, string | number | null | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined) query.set(key, String(value));
  const text = query.toString();
  return `${context.base}${path}${text ? `?${text}` : ''}`;
}
