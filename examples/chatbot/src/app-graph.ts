import { ApplicationBuilder, Result, action, always, expr, type Application, type BaseStatePersister, type State } from '@burr/core';
import { asChatHistory, type ChatMessage } from './chat-message.js';
import type { Responder } from './responders/index.js';

/** Action names, as stored in each saved step's `position`. */
export const HUMAN = 'human_converse';
export const AI = 'ai_converse';
export const TERMINAL = 'terminal';

/** The state a new conversation starts with. */
export const DEFAULT_STATE = { chat_history: [] as ChatMessage[] };

/** Whether a question ends the conversation: `exit`, any case, surrounding spaces ignored. */
export function isExitQuestion(question: unknown): boolean {
  return typeof question === 'string' && question.trim().toLowerCase() === 'exit';
}

/** Which conversation to run, and where it starts. */
export interface ChatAppIdentity {
  /** Resume (or create) this conversation; a new UUID when omitted. */
  appId?: string;
  partitionKey: string;
  /** Continue another conversation of the same partition into a new app id... */
  forkFrom?: string;
  /** ...from this step of it (its latest when omitted). */
  forkAt?: number;
}

/** `human_converse`: the user's line arrives as the `user_input` input (the app loop reads it, not the action). */
const humanConverse = action({
  reads: ['chat_history'],
  writes: ['question', 'chat_history'],
  inputs: ['user_input'],
  run: (state: State, inputs) => {
    const content = String(inputs.user_input);
    return state.update({ question: content }).append({ chat_history: { role: 'user', content } satisfies ChatMessage });
  },
});

function aiConverse(responder: Responder, signal: AbortSignal | undefined) {
  return action({
    reads: ['chat_history'],
    writes: ['chat_history'],
    run: async (state: State) => {
      const content = await responder.reply(asChatHistory(state.get('chat_history')), signal ? { signal } : {});
      return state.append({ chat_history: { role: 'assistant', content } satisfies ChatMessage });
    },
  });
}

/**
 * The seed's chatbot: human -> ai -> human ..., and human -> terminal on
 * `exit`. One addition: terminal -> human, so a conversation that ended with
 * `exit` continues when resumed instead of having nothing left to run.
 * Every step is saved by `persister` and the app starts from what it saved.
 *
 * @param cancelReplies - aborting it cancels a pending reply (Ctrl+C); the step is then saved as failed.
 */
export function buildChatApplication(persister: BaseStatePersister, responder: Responder, identity: ChatAppIdentity, cancelReplies?: AbortSignal): Promise<Application> {
  return new ApplicationBuilder()
    .withActions({ [HUMAN]: humanConverse, [AI]: aiConverse(responder, cancelReplies), [TERMINAL]: new Result('chat_history') })
    .withTransitions(
      [AI, HUMAN, always],
      [HUMAN, TERMINAL, expr((state) => isExitQuestion(state.has('question') ? state.get('question') : undefined), "question == 'exit'")],
      [HUMAN, AI, always],
      [TERMINAL, HUMAN, always],
    )
    .initializeFrom(persister, {
      resumeAtNextAction: true,
      defaultState: DEFAULT_STATE,
      defaultEntrypoint: HUMAN,
      ...(identity.forkFrom === undefined ? {} : { forkFromAppId: identity.forkFrom, forkFromPartitionKey: identity.partitionKey }),
      ...(identity.forkAt === undefined ? {} : { forkFromSequenceId: identity.forkAt }),
    })
    .withStatePersister(persister)
    .withIdentifiers({ partitionKey: identity.partitionKey, ...(identity.appId === undefined ? {} : { appId: identity.appId }) })
    .build();
}
