import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type ActionDescription,
  type AppPage,
  type ApplicationGraph,
  DEFAULT_PAGE_SIZE,
  InvalidPersistArgumentError,
  type ListAppsOptions,
  type ListStepsOptions,
  normalizePartitionKey,
  type PartitionKeyInput,
  type PersistedStateData,
  type StepPage,
  type StepSummary,
} from '@burr/core';
import { type ApplicationModel, assertAppFolderName, GRAPH_FILENAME, LocalTrackingClient, LOG_FILENAME, METADATA_FILENAME, parsePythonDateTime } from '@burr/tracking';
import type { InspectorStore } from './store.js';

/** One logged step of a tracked app, read from its `end_entry` line. */
interface LoggedStep {
  sequenceId: number;
  position: string;
  failed: boolean;
  createdAt: Date;
  sizeBytes: number;
}

/**
 * A tracking project folder (`~/.burr/<project>`, as `@burr/tracking` and
 * Python Burr write it) read as an {@link InspectorStore}: apps, steps and
 * graphs from the folder's files, states through
 * `LocalTrackingClient.load`. Read-only: it has no `deleteApp` or `save`.
 */
export class TrackingFolderStore implements InspectorStore {
  /** The project folder. */
  readonly projectDir: string;
  readonly #tracker: LocalTrackingClient;

  constructor(projectDir: string) {
    this.projectDir = resolve(projectDir);
    this.#tracker = new LocalTrackingClient({ project: basename(this.projectDir), storageDir: dirname(this.projectDir) });
  }

  async listPartitions(): Promise<string[]> {
    const partitions = new Set<string>();
    for (const appId of await this.#appFolders()) partitions.add(await this.#partitionOf(appId));
    return [...partitions].sort();
  }

  async listApps(partitionKey: PartitionKeyInput, options: ListAppsOptions = {}): Promise<AppPage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const offset = options.cursor ? Number(options.cursor) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidPersistArgumentError(`not a cursor of this tracking folder: ${JSON.stringify(options.cursor)}`);
    const appIds = await this.#tracker.listAppIds(partitionKey);
    const page = appIds.slice(offset, offset + limit);
    const apps: AppPage['apps'] = [];
    for (const appId of page) {
      const steps = await this.#steps(appId);
      const last = steps.at(-1);
      if (last === undefined) continue;
      apps.push({
        partitionKey: normalizePartitionKey(partitionKey),
        appId,
        lastSequenceId: last.sequenceId,
        lastPosition: last.position,
        lastStatus: last.failed ? 'failed' : 'completed',
        lastSavedAt: last.createdAt,
      });
    }
    return { apps, nextCursor: offset + limit < appIds.length ? String(offset + limit) : null };
  }

  async listSteps(partitionKey: PartitionKeyInput, appId: string, options: ListStepsOptions = {}): Promise<StepPage> {
    const wanted = normalizePartitionKey(partitionKey);
    if ((await this.#partitionOf(appId)) !== wanted) return { steps: [], nextCursor: null };
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const newestFirst = options.order !== 'oldest-first';
    let steps = await this.#steps(appId);
    if (options.before !== undefined) steps = steps.filter((step) => step.sequenceId < options.before!);
    if (options.after !== undefined) steps = steps.filter((step) => step.sequenceId > options.after!);
    if (newestFirst) steps = [...steps].reverse();
    const page = steps.slice(0, limit);
    const summaries: StepSummary[] = [];
    for (const step of page) {
      const summary: StepSummary = {
        partitionKey: wanted,
        appId,
        sequenceId: step.sequenceId,
        position: step.position,
        status: step.failed ? 'failed' : 'completed',
        createdAt: step.createdAt,
        sizeBytes: step.sizeBytes,
      };
      if (options.includeState) summary.state = (await this.#tracker.load(wanted, appId, step.sequenceId))?.state;
      summaries.push(summary);
    }
    return { steps: summaries, nextCursor: steps.length > limit ? page.at(-1)!.sequenceId : null };
  }

  load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null> {
    if (appId === null) return this.#loadLatestOfPartition(partitionKey);
    return this.#tracker.load(partitionKey, appId, sequenceId);
  }

  async graphOf(_partitionKey: string, appId: string): Promise<ApplicationGraph | null> {
    const text = await readOptional(this.#appFile(appId, GRAPH_FILENAME));
    if (text === null) return null;
    try {
      return graphFromModel(JSON.parse(text) as ApplicationModel);
    } catch {
      return null;
    }
  }

  async #loadLatestOfPartition(partitionKey: PartitionKeyInput): Promise<PersistedStateData | null> {
    const [latest] = await this.#tracker.listAppIds(partitionKey);
    return latest === undefined ? null : this.#tracker.load(partitionKey, latest);
  }

  /** A file of the app's folder; the tracker refuses an id that would leave the project folder ("..", "a/b"). */
  #appFile(appId: string, name: string): string {
    return join(this.#tracker.appDir(appId), name);
  }

  async #appFolders(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.projectDir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && isAppFolderName(entry.name)).map((entry) => entry.name);
  }

  async #partitionOf(appId: string): Promise<string> {
    const text = await readOptional(this.#appFile(appId, METADATA_FILENAME));
    try {
      const key = text === null ? null : (JSON.parse(text) as { partition_key?: unknown }).partition_key;
      return typeof key === 'string' ? key : '';
    } catch {
      return '';
    }
  }

  /** The app's logged steps, oldest first; the last `end_entry` of a sequence id wins, as the tracker's load reads it. */
  async #steps(appId: string): Promise<LoggedStep[]> {
    const text = (await readOptional(this.#appFile(appId, LOG_FILENAME))) ?? '';
    const bySequence = new Map<number, LoggedStep>();
    for (const line of text.split('\n')) {
      if (!line.includes('"end_entry"')) continue;
      let entry: { type?: unknown; sequence_id?: unknown; action?: unknown; exception?: unknown; end_time?: unknown; state?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a line a crash cut short, which the tracker ignores too
      }
      if (entry.type !== 'end_entry' || typeof entry.sequence_id !== 'number' || typeof entry.action !== 'string') continue;
      bySequence.set(entry.sequence_id, {
        sequenceId: entry.sequence_id,
        position: entry.action,
        failed: entry.exception !== null && entry.exception !== undefined,
        createdAt: parsePythonDateTime(entry.end_time) ?? new Date(0),
        sizeBytes: Buffer.byteLength(JSON.stringify(entry.state ?? {})),
      });
    }
    return [...bySequence.values()].sort((a, b) => a.sequenceId - b.sequenceId);
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** A tracker's `graph.json` as core's {@link ApplicationGraph}. */
export function graphFromModel(model: ApplicationModel): ApplicationGraph {
  const actions: ActionDescription[] = model.actions.map((action) => ({
    name: action.name,
    kind: 'single-step',
    reads: action.reads ?? [],
    writes: action.writes ?? [],
    inputs: action.inputs ?? [],
    optionalInputs: action.optional_inputs ?? [],
    streaming: false,
  }));
  return {
    entrypoint: model.entrypoint,
    actions,
    transitions: model.transitions.map((transition) => ({ from: transition.from_, to: transition.to, condition: transition.condition })),
  };
}

/** Whether a folder's name is one an app id can have (others are not apps the tracker could load). */
function isAppFolderName(name: string): boolean {
  try {
    assertAppFolderName(name);
    return true;
  } catch {
    return false;
  }
}
