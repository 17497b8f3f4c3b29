/**
 * Drives a LangGraph.js checkpointer the way a LangGraph graph does after a
 * step: `put` a checkpoint whose `channel_values` hold the state, with new
 * versions for the channels that step changed, and `getTuple` to resume.
 */
import { uuid6, type BaseCheckpointSaver, type Checkpoint, type CheckpointMetadata, type CheckpointTuple } from '@langchain/langgraph-checkpoint';

/** Channels a chat step changes; the others (user id, model...) keep their version, as in a real graph. */
export const CHANGED_EACH_STEP: readonly string[] = ['turn', 'messages'];

interface ThreadProgress {
  versions: Record<string, number>;
  lastCheckpointId: string | undefined;
  step: number;
  checkpointIds: string[];
}

/** A LangGraph checkpointer with the bookkeeping a graph would keep (versions, parent ids). */
export class PeerCheckpointer {
  readonly #threads = new Map<string, ThreadProgress>();

  constructor(
    readonly saver: BaseCheckpointSaver,
    /** E.g. `SqliteSaver`. */
    readonly name: string,
  ) {}

  /**
   * Saves `values` as the next checkpoint of `threadId`. The first checkpoint
   * of a thread writes every channel; later ones write only
   * {@link CHANGED_EACH_STEP}, like a chat step.
   */
  async put(threadId: string, values: Record<string, unknown>): Promise<void> {
    let thread = this.#threads.get(threadId);
    const first = thread === undefined;
    thread ??= { versions: {}, lastCheckpointId: undefined, step: -1, checkpointIds: [] };
    this.#threads.set(threadId, thread);
    const newVersions: Record<string, number> = {};
    for (const channel of Object.keys(values)) {
      if (first || CHANGED_EACH_STEP.includes(channel)) newVersions[channel] = (thread.versions[channel] ?? 0) + 1;
    }
    Object.assign(thread.versions, newVersions);
    thread.step += 1;
    const checkpoint: Checkpoint = {
      v: 4,
      id: uuid6(0),
      ts: new Date().toISOString(),
      channel_values: values,
      channel_versions: { ...thread.versions },
      versions_seen: {},
    };
    const metadata: CheckpointMetadata = { source: 'loop', step: thread.step, parents: {} };
    const config = { configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: thread.lastCheckpointId } };
    await this.saver.put(config, checkpoint, metadata, newVersions);
    thread.lastCheckpointId = checkpoint.id;
    thread.checkpointIds.push(checkpoint.id);
  }

  /** The latest checkpoint of a thread, channel values decoded. */
  async getLatest(threadId: string): Promise<CheckpointTuple | undefined> {
    return this.saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } });
  }

  /** How many checkpoints this adapter put into the thread. */
  stepCount(threadId: string): number {
    return this.#threads.get(threadId)?.checkpointIds.length ?? 0;
  }

  /** The checkpoint at a given step of the thread (the peer's "load by sequence id"). */
  async getAtStep(threadId: string, step: number): Promise<CheckpointTuple | undefined> {
    const id = this.#threads.get(threadId)?.checkpointIds[step];
    if (id === undefined) throw new Error(`${this.name}: thread ${threadId} has no step ${step}`);
    return this.saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: id } });
  }
}

/** A peer row that cannot run, with the reason printed in the table. */
export interface PeerUnavailable {
  unavailable: string;
}

export type PeerSlot = PeerCheckpointer | PeerUnavailable;

export function isPeerAvailable(peer: PeerSlot): peer is PeerCheckpointer {
  return peer instanceof PeerCheckpointer;
}
