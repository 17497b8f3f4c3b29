import type { ChatMessage } from '../chat-message.js';

/** Writes the assistant's next message from the conversation so far (the last message is the user's). */
export interface Responder {
  /** Shown at start-up, e.g. `offline bot` or `OpenAI gpt-4o-mini`. */
  readonly description: string;
  reply(history: readonly ChatMessage[]): Promise<string>;
}

/** The reply could not be produced (network, HTTP status, malformed answer); the message says which. */
export class ResponderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResponderError';
  }
}
