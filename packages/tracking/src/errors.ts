import { InvalidIdentifierError, InvalidPersistArgumentError } from '@burr/core';

/**
 * A tracking project name that cannot be a folder under the storage
 * directory. Python Burr and its UI accept only letters, digits, `_`, `-`
 * and (except on Windows) `:`, so names outside that set are refused here
 * too: no path separators, no `.` or `..`.
 */
export class InvalidProjectNameError extends InvalidIdentifierError {
  constructor(project: unknown, rule: string) {
    super('tracking project name', project, rule);
  }
}

/**
 * An app id is already tracked in this project under another partition key.
 * The folder of a tracked app is named by its app id alone (as in Python
 * Burr), so two partitions cannot share an app id within one project: their
 * logs would mix. Nothing was written.
 */
export class TrackedAppPartitionError extends InvalidPersistArgumentError {
  readonly appId: string;
  readonly trackedPartitionKey: string;
  readonly requestedPartitionKey: string;

  constructor(project: string, appId: string, trackedPartitionKey: string, requestedPartitionKey: string) {
    super(
      `App ${JSON.stringify(appId)} is already tracked in project ${JSON.stringify(project)} under partition ${JSON.stringify(trackedPartitionKey)}, ` +
        `not ${JSON.stringify(requestedPartitionKey)}; a tracked app's folder is named by its app id alone, so use another app id or project.`,
    );
    this.appId = appId;
    this.trackedPartitionKey = trackedPartitionKey;
    this.requestedPartitionKey = requestedPartitionKey;
  }
}
