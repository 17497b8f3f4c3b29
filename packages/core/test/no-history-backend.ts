import { RecordStatePersister, type AppScan, type StoredAppSummary, type StoredStepSummary } from '@burr/core';

/** A test backend whose history and removal primitives find nothing, for tests of what the base class does around save and load. */
export abstract class NoHistoryBackend extends RecordStatePersister {
  protected async findSteps(): Promise<StoredStepSummary[]> {
    return [];
  }
  protected async findApps(): Promise<StoredAppSummary[]> {
    return [];
  }
  protected async scanApps(): Promise<AppScan> {
    return { apps: [], cursor: null };
  }
  protected async removeApp(): Promise<number> {
    return 0;
  }
  protected async removeSteps(): Promise<number> {
    return 0;
  }
}
