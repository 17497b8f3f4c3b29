import { MAX_PAGE_SIZE, type BaseStateManager, type StepSummary } from '@burr/core';
import { AI, HUMAN } from './app-graph.js';
import type { ChatMessage } from './chat-message.js';

/** Steps `/history` shows when no number is given. */
export const DEFAULT_HISTORY_STEPS = 20;

/** What `/history` shows: the latest messages, each with the step that added it. */
export interface HistoryView {
  messages: ChatMessage[];
  /** For each message, the sequence id of the step that added it; `undefined` when it came from a fork's source (or its step was pruned). */
  steps: Array<number | undefined>;
  /** Messages before the first one shown (0 when all are shown). */
  earlierMessages: number;
}

/** Where the conversation stands: its id, and its last saved step (`null` before the first). */
export interface ConversationPoint {
  partitionKey: string;
  appId: string;
  sequenceId: number | null;
}

/**
 * The messages added by the last `stepCount` steps of the conversation
 * (`'all'`: every step), numbered with the step that added each.
 *
 * The messages are the session's own state (the latest step's state, already
 * in memory); the store is asked only for step summaries, without state, in
 * one `listSteps` page (several for `'all'`). That is enough because, in this
 * graph, every completed `human_converse` or `ai_converse` step appends
 * exactly one message and no other step does: walking the steps newest first
 * pairs each with the messages from the end. Steps saved by another session
 * after this one's latest are left out (`before`), so the pairing holds even
 * when the store is ahead of the session.
 */
export async function historyView(manager: BaseStateManager, at: ConversationPoint, messages: readonly ChatMessage[], stepCount: number | 'all'): Promise<HistoryView> {
  const steps: Array<number | undefined> = messages.map(() => undefined);
  if (at.sequenceId === null) return { messages: [...messages], steps, earlierMessages: 0 };
  const { listed, more } = await latestSteps(manager, at, stepCount);
  let next = messages.length - 1;
  for (const step of listed) {
    if (next < 0) break;
    if (addsMessage(step)) steps[next--] = step.sequenceId;
  }
  // With earlier steps not listed, the messages before `next + 1` are theirs: leave them out. Otherwise they were inherited from a fork's source.
  const first = more ? next + 1 : 0;
  return { messages: messages.slice(first), steps: steps.slice(first), earlierMessages: first };
}

function addsMessage(step: StepSummary): boolean {
  return step.status === 'completed' && (step.position === HUMAN || step.position === AI);
}

/** The newest `stepCount` steps up to the session's latest, newest first, and whether older ones exist. */
async function latestSteps(manager: BaseStateManager, at: ConversationPoint, stepCount: number | 'all'): Promise<{ listed: StepSummary[]; more: boolean }> {
  // One more than shown tells whether older steps exist, in the same query.
  const wanted = stepCount === 'all' ? Number.POSITIVE_INFINITY : stepCount + 1;
  const listed: StepSummary[] = [];
  let before: number | null = (at.sequenceId ?? 0) + 1;
  while (before !== null && listed.length < wanted) {
    const page = await manager.listSteps(at.partitionKey, at.appId, { limit: Math.min(MAX_PAGE_SIZE, wanted - listed.length), before });
    listed.push(...page.steps);
    before = page.nextCursor;
  }
  if (stepCount === 'all' || listed.length <= stepCount) return { listed, more: false };
  return { listed: listed.slice(0, stepCount), more: true };
}
