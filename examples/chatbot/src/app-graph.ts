import { ApplicationBuilder, Result, action, always, expr, type Application, type BaseStatePersister, type State } from '@burr/core';
import { asChatHistory, type ChatMessage } from './chat-message.js';
import type { Responder } from './responders/index.js';

/** Action names, as stored in each saved step's `position`. */
export const HUMAN = 'human_converse';
export const AI = 'ai_converse';
export const TERMINAL = 'terminal';

/** A conversation's state: its messages, and the last line the user typed. */
export type ChatState = { chat_history: ChatMessage[]; question?: string };

/** A running conversation. */
export type ChatApplication = Application<ChatState>;

/** The state a new conversation starts with. */
export const DEFAULT_STATE: ChatState = { chat_history: [] };

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
  run: (state: State<ChatState>, inputs) => {
    const content = String(inputs.user_input);
    return state.update({ question: content }).append({ chat_history: { role: 'user', content } satisfies ChatMessage });
  },
});

function aiConverse(responder: Responder, signal: AbortSignal | undefined) {
  return action({
    reads: ['chat_history'],
    writes: ['chat_history'],
    run: async (state: State<ChatState>) => {
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
export function buildChatApplication(persister: BaseStatePersister, responder: Responder, identity: ChatAppIdentity, cancelReplies?: AbortSignal): Promise<ChatApplication> {
  return new ApplicationBuilder<ChatState>()
    .withActions({ [HUMAN]: humanConverse, [AI]: aiConverse(responder, cancelReplies), [TERMINAL]: new Result('chat_history') })
    .withTransitions(
      [AI, HUMAN, always],
      [HUMAN, TERMINAL, expr((state) => isExitQuestion(state.get('question', undefined)), "question == 'exit'")],
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
