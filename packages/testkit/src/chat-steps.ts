import type { BaseStatePersister, PartitionKeyInput } from '@burr/core';
import { State } from '@burr/core';
import { incompressibleText } from './conformance/history-fixtures.js';

/** What {@link saveChatSteps} saves. */
export interface ChatSteps {
  partitionKey?: PartitionKeyInput | undefined;
  appId: string;
  steps: number;
  /** Characters of each message: random base64, so no storage can compress it away. */
  messageLength: number;
  /** Every this-many-th step is saved as failed (the state it would have had). */
  failedEvery?: number | undefined;
}

/**
 * Saves a chat: step n appends one message (roles alternating, positions
 * `ask` and `respond`) to `messages`, with the hidden keys the runner keeps.
 * The shape incremental storage is for: full mode stores the conversation
 * again at every step. Returns the last state.
 */
export async function saveChatSteps(persister: BaseStatePersister, chat: ChatSteps): Promise<State> {
  let state: State = new State({ messages: [] as unknown[] });
  for (let n = 0; n < chat.steps; n++) {
    const position = n % 2 ? 'respond' : 'ask';
    state = state
      .append({ messages: { role: n % 2 ? 'assistant' : 'user', content: incompressibleText(chat.messageLength) } })
      .update({ __SEQUENCE_ID: n, __PRIOR_STEP: position });
    const status = chat.failedEvery !== undefined && n % chat.failedEvery === chat.failedEvery - 1 ? 'failed' : 'completed';
    await persister.save({ partitionKey: chat.partitionKey ?? null, appId: chat.appId, sequenceId: n, position, state, status });
  }
  return state;
}
