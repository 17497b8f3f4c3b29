import type { ChatMessage } from '../chat-message.js';

/** Per-call settings of {@link Responder.reply}. */
export interface ReplyOptions {
  /** Aborting it (Ctrl+C) cancels the request at once; the reply then rejects with {@link ReplyCancelledError}. */
  signal?: AbortSignal;
}

/** Writes the assistant's next message from the conversation so far (the last message is the user's). */
export interface Responder {
  /** Shown at start-up, e.g. `offline bot` or `OpenAI gpt-4o-mini`. */
  readonly description: string;
  reply(history: readonly ChatMessage[], options?: ReplyOptions): Promise<string>;
}

/** The reply could not be produced (network, HTTP status, malformed answer); the message says which. */
export class ResponderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The person cancelled the pending reply (Ctrl+C); nothing was answered. */
export class ReplyCancelledError extends ResponderError {
  constructor(options?: { cause?: unknown }) {
    super('The reply was cancelled.', options);
  }
}
