import type { BaseStateLoader } from '@burr/core';
import { asChatHistory } from './chat-message.js';
import type { ConversationSummary } from './transcript.js';

/**
 * The conversations of a partition, newest first (the persister's
 * `listAppIds` order), each summarised from its latest saved step.
 */
export async function listConversations(loader: BaseStateLoader, partitionKey: string): Promise<ConversationSummary[]> {
  const appIds = await loader.listAppIds(partitionKey);
  const summaries: ConversationSummary[] = [];
  for (const appId of appIds) {
    const latest = await loader.load(partitionKey, appId);
    if (!latest) continue;
    const history = asChatHistory(latest.state.has('chat_history') ? latest.state.get('chat_history') : []);
    summaries.push({
      appId,
      steps: latest.sequenceId + 1,
      lastSavedAt: latest.createdAt,
      position: latest.position,
      failed: latest.status === 'failed',
      firstQuestion: history.find((message) => message.role === 'user')?.content,
    });
  }
  return summaries;
}

/**
 * For each message of the conversation, the sequence id of the step that
 * added it (what `--fork-from ID --at N` takes), read back from the app's
 * saved steps; `undefined` for messages inherited from a fork's source.
 */
export async function messageSteps(loader: BaseStateLoader, partitionKey: string, appId: string, lastSequenceId: number): Promise<Array<number | undefined>> {
  const steps: Array<number | undefined> = [];
  let known = 0;
  for (let sequenceId = 0; sequenceId <= lastSequenceId; sequenceId++) {
    const saved = await loader.load(partitionKey, appId, sequenceId);
    if (!saved) continue;
    const length = asChatHistory(saved.state.has('chat_history') ? saved.state.get('chat_history') : []).length;
    if (known === 0 && sequenceId > 0 && steps.length === 0) {
      // A fork: its first saved step carries the source's messages plus at most the one this step added.
      const addedOne = saved.status === 'completed' && (saved.position === 'human_converse' || saved.position === 'ai_converse');
      const inherited = Math.max(0, length - (addedOne ? 1 : 0));
      for (let i = 0; i < inherited; i++) steps.push(undefined);
      known = inherited;
    }
    for (; known < length; known++) steps.push(sequenceId);
  }
  return steps;
}
