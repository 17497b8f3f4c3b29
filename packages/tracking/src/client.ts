import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertSequenceId,
  encodeState,
  InvalidPersistArgumentError,
  normalizePartitionKey,
  type ApplicationGraph,
  type BaseStateLoader,
  type LifecycleHooks,
  type PartitionKeyInput,
  type PersistedStateData,
  type PostApplicationCreateArgs,
  type PostRunStepArgs,
  type PreRunStepArgs,
  type SerdeKwargs,
  type StateValues,
} from '@burr/core';
import { TrackedAppPartitionError } from './errors.js';
import { createFileIfAbsent, LineAppender } from './files.js';
import { encodeDisplayObject, encodeResult } from './json-text.js';
import { findEndEntry, loadedState } from './log-entries.js';
import { isNotFound } from './log-lines.js';
import { beginEntryLine, endEntryLine, pointerModel, type ApplicationMetadataModel, type ApplicationModel, type ChildApplicationModel } from './models.js';
import { assertAppFolderName, assertProjectName, LOG_FILENAME, METADATA_FILENAME, resolveStorageDir, TrackingLayout } from './paths.js';
import { formatPythonDateTime } from './python-time.js';

/** Options of {@link LocalTrackingClient}. */
export interface LocalTrackingClientOptions {
  /** Project name: a folder under `storageDir`. Letters, digits, `_`, `-` and (except on Windows) `:`. */
  project: string;
  /** Where projects live; defaults to `~/.burr`, like Python Burr and its UI. A leading `~` is the home directory. */
  storageDir?: string | undefined;
  /** Options handed to every serializer and deserializer. */
  serdeKwargs?: SerdeKwargs | undefined;
}

/**
 * Records every step of an application in the files Burr's UI reads
 * (Python's `LocalTrackingClient`), and loads state back from them.
 *
 * Layout: `<storageDir>/<project>/<appId>/` holds `graph.json` (actions,
 * transitions with condition names), `metadata.json` (partition key,
 * parent pointer of a fork), `log.jsonl` (a `begin_entry` and an
 * `end_entry` line per step) and, for a forked-from app, `children.jsonl`.
 *
 * Pass it to `ApplicationBuilder.withTracker()` to record, and to
 * `initializeFrom()` to resume or fork from what it recorded. It works
 * alongside a database persister on the same application.
 *
 * @example
 * const tracker = new LocalTrackingClient({ project: 'chatbot' });
 * const app = await new ApplicationBuilder()
 *   .withActions({ ... }).withTransitions(...)
 *   .withTracker(tracker)
 *   .initializeFrom(tracker, { defaultEntrypoint: 'prompt', defaultState: { history: [] } })
 *   .withIdentifiers({ appId: 'conversation-1' })
 *   .build();
 */
export class LocalTrackingClient implements LifecycleHooks, BaseStateLoader {
  /** Python Burr's default storage directory, before `~` is expanded. */
  static readonly DEFAULT_STORAGE_DIR = '~/.burr';

  /** The project name. */
  readonly project: string;
  /** The storage directory, resolved to an absolute path. */
  readonly storageDir: string;
  readonly #layout: TrackingLayout;
  readonly #appender = new LineAppender();
  #serdeKwargs: SerdeKwargs;

  /** @throws InvalidProjectNameError when `project` cannot be a folder name Burr accepts. */
  constructor(options: LocalTrackingClientOptions) {
    const { project, storageDir, serdeKwargs } = options ?? ({} as LocalTrackingClientOptions);
    assertProjectName(project);
    this.project = project;
    this.storageDir = resolveStorageDir(storageDir);
    this.#layout = new TrackingLayout(this.storageDir, project);
    this.#serdeKwargs = serdeKwargs ?? {};
  }

  /** `<storageDir>/<project>`. */
  get projectDir(): string {
    return this.#layout.projectDir;
  }

  /** The folder of one application, `<storageDir>/<project>/<appId>`. */
  appDir(appId: string): string {
    return this.#layout.appDir(appId);
  }

  /** Options handed to every serializer and deserializer from now on. */
  setSerdeKwargs(kwargs: SerdeKwargs): void {
    this.#serdeKwargs = kwargs;
  }

  /**
   * Creates the app's folder and writes `graph.json` and `metadata.json`
   * unless they exist (a resumed app keeps its first ones, as in Python).
   * A fork is also recorded in its parent's `children.jsonl`.
   *
   * @throws TrackedAppPartitionError when the app id is already tracked in
   * this project under another partition key.
   */
  async postApplicationCreate({ appId, partitionKey, graph, parentPointer }: PostApplicationCreateArgs): Promise<void> {
    const appDir = this.#layout.appDir(appId);
    await mkdir(appDir, { recursive: true });
    await createFileIfAbsent(this.#layout.graphFile(appId), JSON.stringify(applicationModel(graph)));
    const metadata: ApplicationMetadataModel = {
      type: 'application_metadata',
      partition_key: partitionKey,
      parent_pointer: parentPointer ? pointerModel(parentPointer.appId, parentPointer.sequenceId, parentPointer.partitionKey) : null,
      spawning_parent_pointer: null,
      app_id: appId,
    };
    const created = await createFileIfAbsent(this.#layout.metadataFile(appId), JSON.stringify(metadata));
    if (!created) {
      const tracked = normalizePartitionKey((await this.#readMetadata(appId))?.partition_key);
      if (tracked !== normalizePartitionKey(partitionKey)) throw new TrackedAppPartitionError(this.project, appId, tracked, normalizePartitionKey(partitionKey));
    }
    if (created && parentPointer) {
      const child: ChildApplicationModel = {
        type: 'child_application_data',
        // Python leaves the child's partition key unset (a TODO there); we know it.
        child: pointerModel(appId, null, partitionKey),
        event_time: formatPythonDateTime(new Date()),
        event_type: 'fork',
        sequence_id: parentPointer.sequenceId,
      };
      await this.#appender.append(this.#layout.childrenFile(parentPointer.appId), JSON.stringify(child));
    }
  }

  /** Appends the step's `begin_entry` line (its inputs, serialized). */
  async preRunStep({ appId, sequenceId, action, inputs }: PreRunStepArgs): Promise<void> {
    const logFile = this.#layout.logFile(appId);
    const shown = Object.fromEntries(Object.entries(inputs ?? {}).filter(([key]) => !key.startsWith('__')));
    const line = beginEntryLine(formatPythonDateTime(new Date()), action, encodeDisplayObject(shown, this.#serdeKwargs), sequenceId);
    await this.#appender.append(logFile, line);
  }

  /**
   * Appends the step's `end_entry` line: the state after the step, or from
   * before it when the action threw (then `exception` holds the stack).
   * A state that cannot be serialized throws `SerializationError` and writes nothing.
   */
  async postRunStep({ appId, sequenceId, action, state, result, error }: PostRunStepArgs): Promise<void> {
    const logFile = this.#layout.logFile(appId);
    const stateJson = encodeState(state, { kwargs: this.#serdeKwargs });
    const failed = error !== null && error !== undefined;
    const line = endEntryLine(
      formatPythonDateTime(new Date()),
      action,
      failed ? 'null' : encodeResult(result, this.#serdeKwargs),
      failed ? describeError(error) : null,
      stateJson,
      sequenceId,
    );
    await this.#appender.append(logFile, line);
  }

  /**
   * The step at `sequenceId`, or the app's last logged step; `null` when the
   * app, its partition or the step is unknown. A `failed` step holds the
   * state from before the action. The state has no hidden `__` keys except
   * `__SEQUENCE_ID`, so a caller choosing not to resume starts afresh at its
   * entrypoint. A line a crash cut short is ignored. With `appId` `null`,
   * the last logged step of the partition's most recently logged app.
   */
  load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null>;
  /**
   * {@link BaseStateLoader.load} with the state typed as `T` (`load<MyState>(...)`).
   * `T` is not checked: the state is whatever was stored. To check it, load
   * through `ApplicationBuilder.initializeFrom` with `withSchema`, or validate it yourself.
   */
  load<T extends StateValues>(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData<T> | null>;
  async load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null> {
    if (appId === null) {
      if (sequenceId !== undefined && sequenceId !== null)
        throw new InvalidPersistArgumentError('load with appId null loads the latest step of the partition; it takes no sequenceId');
      const [latest] = await this.listAppIds(partitionKey);
      return latest === undefined ? null : this.load(partitionKey, latest);
    }
    assertAppFolderName(appId);
    if (sequenceId !== undefined && sequenceId !== null) assertSequenceId(sequenceId);
    const wanted = normalizePartitionKey(partitionKey);
    const metadata = await this.#readMetadata(appId);
    if (metadata === null || normalizePartitionKey(metadata.partition_key) !== wanted) return null;
    const logFile = this.#layout.logFile(appId);
    const step = await findEndEntry(logFile, sequenceId ?? null, this.#serdeKwargs);
    if (step === null) return null;
    return {
      partitionKey: wanted,
      appId,
      sequenceId: step.sequenceId,
      position: step.action,
      state: loadedState(step.state, step.sequenceId),
      createdAt: step.endedAt ?? (await stat(logFile)).mtime,
      status: step.failed ? 'failed' : 'completed',
    };
  }

  /**
   * The project's apps in that partition (`null` and `''` are the same),
   * most recently logged first. Apps that never logged a step are left out.
   * (Python's tracker returns an empty list here.)
   */
  async listAppIds(partitionKey: PartitionKeyInput): Promise<string[]> {
    const wanted = normalizePartitionKey(partitionKey);
    let entries: Dirent[];
    try {
      entries = await readdir(this.projectDir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const candidates = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
    const found: Array<{ appId: string; lastWrite: bigint }> = [];
    // In batches, so a project with thousands of apps does not open thousands of files at once.
    for (let i = 0; i < candidates.length; i += 64) {
      const batch = await Promise.all(candidates.slice(i, i + 64).map((appId) => this.#lastLogWrite(appId, wanted)));
      for (const item of batch) if (item !== null) found.push(item);
    }
    found.sort((a, b) => (a.lastWrite === b.lastWrite ? (a.appId < b.appId ? -1 : 1) : a.lastWrite > b.lastWrite ? -1 : 1));
    return found.map((item) => item.appId);
  }

  /** Resolves once every line this client started writing is on disk (or failed). */
  flush(): Promise<void> {
    return this.#appender.flush();
  }

  async #lastLogWrite(appId: string, partitionKey: string): Promise<{ appId: string; lastWrite: bigint } | null> {
    const metadata = await this.#readMetadata(appId);
    if (metadata === null || normalizePartitionKey(metadata.partition_key) !== partitionKey) return null;
    try {
      const info = await stat(join(this.projectDir, appId, LOG_FILENAME), { bigint: true });
      return info.size > 0n ? { appId, lastWrite: info.mtimeNs } : null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * The app's `metadata.json`; `null` when the app folder does not exist.
   * A folder with no readable metadata (a crash before it was written, or a
   * hand-made folder) counts as having no partition, Python's default.
   */
  async #readMetadata(appId: string): Promise<Pick<ApplicationMetadataModel, 'partition_key'> | null> {
    let text: string;
    try {
      text = await readFile(join(this.#layout.appDir(appId), METADATA_FILENAME), 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await stat(this.#layout.appDir(appId));
      } catch (dirError) {
        if (isNotFound(dirError)) return null;
        throw dirError;
      }
      return { partition_key: null };
    }
    try {
      const parsed = JSON.parse(text) as { partition_key?: unknown } | null;
      const key = parsed?.partition_key;
      return { partition_key: typeof key === 'string' ? key : null };
    } catch {
      return { partition_key: null };
    }
  }
}

/** `graph.json` content for an application graph. */
export function applicationModel(graph: ApplicationGraph): ApplicationModel {
  return {
    type: 'application',
    entrypoint: graph.entrypoint,
    actions: graph.actions.map((action) => ({
      type: 'action',
      name: action.name,
      reads: [...action.reads],
      writes: [...action.writes],
      code: '',
      inputs: [...action.inputs],
      optional_inputs: [...action.optionalInputs],
    })),
    transitions: graph.transitions.map((transition) => ({ type: 'transition', from_: transition.from, to: transition.to, condition: transition.condition })),
  };
}

/** What the log's `exception` field holds: the stack (Python writes its traceback), else the message. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}
