import type { AppPage, ApplicationGraph, ListAppsOptions, ListStepsOptions, PartitionKeyInput, PersistedStateData, SaveStateArgs, StepPage } from '@burr/core';

/**
 * What the inspector reads and writes through: the public history and
 * listing API every Burr persister has. Any `BaseStatePersister` fits;
 * `deleteApp` and `save` are needed only for writes (delete, fork), and a
 * read-only store (a tracking folder) leaves them out.
 */
export interface InspectorStore {
  listApps(partitionKey: PartitionKeyInput, options?: ListAppsOptions): Promise<AppPage>;
  listSteps(partitionKey: PartitionKeyInput, appId: string, options?: ListStepsOptions): Promise<StepPage>;
  load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null>;
  deleteApp?(partitionKey: PartitionKeyInput, appId: string): Promise<number>;
  save?(args: SaveStateArgs): Promise<void>;
  /** Partition keys the store can enumerate (a tracking folder can; databases have no such listing). */
  listPartitions?(): Promise<string[]>;
  /** The graph an app was recorded with, when the store keeps one (a tracking folder's `graph.json`). */
  graphOf?(partitionKey: string, appId: string): Promise<ApplicationGraph | null>;
}
