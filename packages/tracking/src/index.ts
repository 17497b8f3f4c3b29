/**
 * @packageDocumentation
 * Local tracking for Burr for TypeScript: records runs in the files Burr's
 * UI reads (`~/.burr/<project>/<appId>/`), and loads state back from them,
 * so a tracked run can be resumed or forked.
 */
export { LocalTrackingClient, applicationModel, type LocalTrackingClientOptions } from './client.js';
export { InvalidProjectNameError, TrackedAppPartitionError } from './errors.js';
export {
  LOG_FILENAME,
  GRAPH_FILENAME,
  METADATA_FILENAME,
  CHILDREN_FILENAME,
  assertAppFolderName,
  defaultStorageDir,
} from './paths.js';
export { formatPythonDateTime, parsePythonDateTime } from './python-time.js';
export type {
  ActionModel,
  ApplicationMetadataModel,
  ApplicationModel,
  BeginEntryModel,
  ChildApplicationModel,
  EndEntryModel,
  PointerModel,
  TransitionModel,
} from './models.js';
