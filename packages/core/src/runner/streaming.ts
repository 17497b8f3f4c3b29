import type { State, StateValues } from '../state.js';

/** The final outcome of a streamed step, in an application of state `S`. */
export interface StreamedOutcome<S extends object = StateValues, R = unknown> {
  /** The action's result; `null` when the stream halted before a non-streaming action. */
  result: R | null;
  /** The application state after the step. */
  state: State<S>;
}

/**
 * What `Application.streamResult` hands back: iterate it for the action's
 * partial results, and `await get()` for the final result and state. The
 * step (state update, hooks, persistence) completes when the stream is
 * exhausted or `get()` is called; breaking out of a `for await` leaves the
 * rest for `get()` to drain, and the application stays busy until then.
 * An error thrown by the action rejects both the iteration and `get()`.
 */
export class StreamingResultContainer<P = unknown, S extends object = StateValues> implements AsyncIterable<P> {
  readonly #source: AsyncIterator<P, StreamedOutcome>;
  #queue: Promise<unknown> = Promise.resolve();
  #outcome: StreamedOutcome | null = null;
  #failure: { error: unknown } | null = null;

  /** @param source - yields partial results and returns the step's outcome. */
  constructor(source: AsyncIterator<P, StreamedOutcome>) {
    this.#source = source;
  }

  /** A container with no partial results whose `get()` gives `outcome`. */
  static of<P = unknown, S extends object = StateValues>(outcome: StreamedOutcome): StreamingResultContainer<P, S> {
    return new StreamingResultContainer<P, S>({ next: async () => ({ done: true, value: outcome }) });
  }

  /** Iterates the partial results not read yet (several iterations share one stream). */
  [Symbol.asyncIterator](): AsyncIterator<P, undefined> {
    return {
      next: () => this.#pull(),
      // Leaving a `for await` early must not cancel the step: get() drains the rest.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /** Waits for the stream to end (draining partial results not yet read) and returns the final result and state. */
  async get(): Promise<StreamedOutcome<S>> {
    for (;;) {
      const next = await this.#pull();
      if (next.done) return this.#outcome as StreamedOutcome<S>;
    }
  }

  /** Pulls one item; pulls are serialized so iteration and get() can interleave. */
  #pull(): Promise<IteratorResult<P, undefined>> {
    const pulled = this.#queue.then(async (): Promise<IteratorResult<P, undefined>> => {
      if (this.#failure) throw this.#failure.error;
      if (this.#outcome) return { done: true, value: undefined };
      try {
        const next = await this.#source.next();
        if (!next.done) return next;
        this.#outcome = next.value;
        return { done: true, value: undefined };
      } catch (error) {
        this.#failure = { error };
        throw error;
      }
    });
    this.#queue = pulled.catch(() => undefined);
    return pulled;
  }
}
