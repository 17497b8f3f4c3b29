import { OfflineResponder } from './offline.js';
import { openAIResponderFromEnv } from './openai.js';
import type { Responder } from './responder.js';

export { ReplyCancelledError, ResponderError, type ReplyOptions, type Responder } from './responder.js';
export { OfflineResponder, offlineReply } from './offline.js';
export { OpenAIResponder, type OpenAIResponderOptions } from './openai.js';

/** An OpenAI-compatible model when `OPENAI_API_KEY` is set, else the offline bot. */
export function chooseResponder(env: NodeJS.ProcessEnv): Responder {
  return openAIResponderFromEnv(env) ?? new OfflineResponder();
}
