import type { ChatMessage } from '../chat-message.js';
import { ReplyCancelledError, ResponderError, type ReplyOptions, type Responder } from './responder.js';

/** Settings of {@link OpenAIResponder}, usually read from the environment by {@link chooseResponder}. */
export interface OpenAIResponderOptions {
  apiKey: string;
  /** Default `https://api.openai.com/v1`; any OpenAI-compatible server works. */
  baseUrl?: string;
  /** Default `gpt-4o-mini`. */
  model?: string;
  /** Give up after this long; default 60 s. */
  timeoutMs?: number;
}

const SYSTEM_PROMPT = "You are a friendly assistant in a terminal chat demo of Burr, a library that saves an application's state after every step. Keep answers short.";

/** Replies through an OpenAI-compatible `POST /chat/completions` (global fetch, no SDK). */
export class OpenAIResponder implements Responder {
  readonly description: string;
  readonly #options: Required<OpenAIResponderOptions>;

  constructor(options: OpenAIResponderOptions) {
    this.#options = {
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 60_000,
      ...options,
    };
    this.description = `${this.#options.model} at ${this.#options.baseUrl}`;
  }

  async reply(history: readonly ChatMessage[], options: ReplyOptions = {}): Promise<string> {
    const { apiKey, baseUrl, model, timeoutMs } = this.#options;
    const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const cancel = options.signal;
    if (cancel?.aborted) throw new ReplyCancelledError({ cause: cancel.reason });
    const signal = cancel ? AbortSignal.any([cancel, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ model, messages: [{ role: 'system', content: SYSTEM_PROMPT }, ...history] }),
        signal,
      });
      // The signal covers the body too: a server that sends headers and then stalls is cancelled as well.
      body = await response.text();
    } catch (error) {
      if (cancel?.aborted) throw new ReplyCancelledError({ cause: error });
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : describeCause(error);
      throw new ResponderError(`Could not reach ${url}: ${reason}`, { cause: error });
    }
    if (!response.ok) {
      throw new ResponderError(`${url} answered HTTP ${response.status}: ${apiErrorMessage(body) ?? (body.slice(0, 300) || response.statusText)}`);
    }
    const content = replyContent(body);
    if (content === undefined) throw new ResponderError(`${url} answered without a message: ${body.slice(0, 300)}`);
    return content;
  }
}

/** The OpenAI responder when `OPENAI_API_KEY` is set, else undefined. */
export function openAIResponderFromEnv(env: NodeJS.ProcessEnv): OpenAIResponder | undefined {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return undefined;
  return new OpenAIResponder({
    apiKey,
    ...(env.OPENAI_BASE_URL?.trim() ? { baseUrl: env.OPENAI_BASE_URL.trim() } : {}),
    ...(env.OPENAI_MODEL?.trim() ? { model: env.OPENAI_MODEL.trim() } : {}),
  });
}

function apiErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    return typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}

function replyContent(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = parsed.choices?.[0]?.message?.content;
    return typeof content === 'string' ? content : undefined;
  } catch {
    return undefined;
  }
}

/** fetch wraps network failures as `TypeError: fetch failed` with the real reason in `cause`. */
function describeCause(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
