import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidIdentifierError, assertAppId } from '@burr/core';
import { InvalidProjectNameError } from './errors.js';

/** File names inside an application's folder, as Python Burr writes them. */
export const LOG_FILENAME = 'log.jsonl';
export const GRAPH_FILENAME = 'graph.json';
export const METADATA_FILENAME = 'metadata.json';
export const CHILDREN_FILENAME = 'children.jsonl';

const IS_WINDOWS = process.platform === 'win32';
// Python's `_allowed_project_name`: `:` is allowed except on Windows, where it is a drive separator.
const PROJECT_NAME = IS_WINDOWS ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z0-9_:-]+$/;
const MAX_NAME_BYTES = 255;

/** `~/.burr`, Python Burr's default storage directory. */
export function defaultStorageDir(): string {
  return join(homedir(), '.burr');
}

/** Resolves a storage directory the way Python does (`os.path.expanduser`): a leading `~` is the home directory. */
export function resolveStorageDir(storageDir: string | undefined): string {
  if (storageDir === undefined) return defaultStorageDir();
  if (typeof storageDir !== 'string' || storageDir.length === 0) {
    throw new InvalidIdentifierError('tracking storage directory', storageDir, 'must be a non-empty path');
  }
  if (storageDir === '~') return homedir();
  if (storageDir.startsWith('~/') || (IS_WINDOWS && storageDir.startsWith('~\\'))) return join(homedir(), storageDir.slice(2));
  return resolve(storageDir);
}

/** Throws {@link InvalidProjectNameError} unless `project` is a name Python Burr and its UI accept. */
export function assertProjectName(project: unknown): asserts project is string {
  if (typeof project !== 'string' || !PROJECT_NAME.test(project)) {
    const allowed = IS_WINDOWS ? 'letters, digits, "_" and "-"' : 'letters, digits, "_", "-" and ":"';
    throw new InvalidProjectNameError(project, `use only ${allowed} (no path separators, no "." or "..")`);
  }
  if (Buffer.byteLength(project) > MAX_NAME_BYTES) throw new InvalidProjectNameError(project, `must be at most ${MAX_NAME_BYTES} bytes`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is what this pattern is for.
const UNSAFE_IN_FOLDER_NAME = IS_WINDOWS ? /[\\/<>:"|?*\u0000-\u001f]|[. ]$/ : /[/\\\u0000-\u001f]/;

/**
 * Throws `InvalidIdentifierError` unless `appId` can name a folder inside the
 * project folder without escaping it: non-empty, no path separator or control
 * character, not `.` or `..`, at most 255 bytes. (Python Burr joins the app id
 * into the path unchecked.) Check an app id this way before joining it into
 * a path of your own.
 */
export function assertAppFolderName(appId: unknown): asserts appId is string {
  assertAppId(appId);
  if (appId === '.' || appId === '..' || UNSAFE_IN_FOLDER_NAME.test(appId)) {
    throw new InvalidIdentifierError('app id', appId, 'a tracked app id names a folder: it must not be "." or "..", nor contain "/", "\\" or control characters');
  }
  if (Buffer.byteLength(appId) > MAX_NAME_BYTES) throw new InvalidIdentifierError('app id', appId, `a tracked app id names a folder: at most ${MAX_NAME_BYTES} bytes`);
}

/** Where one project's files live: `<storageDir>/<project>/<appId>/...` (the folder is named by the app id alone, as in Python Burr). */
export class TrackingLayout {
  /** The project folder, `<storageDir>/<project>`. */
  readonly projectDir: string;

  constructor(storageDir: string, project: string) {
    this.projectDir = join(storageDir, project);
  }

  appDir(appId: string): string {
    assertAppFolderName(appId);
    return join(this.projectDir, appId);
  }

  logFile(appId: string): string {
    return join(this.appDir(appId), LOG_FILENAME);
  }

  graphFile(appId: string): string {
    return join(this.appDir(appId), GRAPH_FILENAME);
  }

  metadataFile(appId: string): string {
    return join(this.appDir(appId), METADATA_FILENAME);
  }

  childrenFile(appId: string): string {
    return join(this.appDir(appId), CHILDREN_FILENAME);
  }
}
