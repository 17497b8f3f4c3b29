import { createInterface, type Interface } from 'node:readline';

/**
 * Reads the user's lines one at a time, from a terminal (with a prompt and
 * line editing) or from piped input (no prompt; the caller echoes the line
 * so the output reads as a transcript). Lines are buffered, so piped input
 * that arrives while the bot is busy is not lost.
 */
export class LineReader {
  readonly interactive: boolean;
  readonly #rl: Interface;
  readonly #lines: AsyncIterator<string>;
  #closed = false;

  /**
   * @param onCtrlC - called for Ctrl+C typed in the terminal (which then sends no signal);
   *   when omitted, Ctrl+C ends the input like Ctrl+D.
   */
  constructor(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream, onCtrlC?: () => void) {
    this.interactive = input.isTTY === true;
    this.#rl = createInterface({ input, ...(this.interactive ? { output, terminal: true } : { terminal: false }), crlfDelay: Infinity });
    // Without a listener readline would pause on Ctrl+C instead of telling anyone.
    this.#rl.on('SIGINT', () => (onCtrlC ? onCtrlC() : this.close()));
    this.#rl.on('close', () => {
      this.#closed = true;
    });
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  /**
   * The next line, or `null` at end of input (Ctrl+D, end of the pipe, or
   * {@link LineReader.close}). In a terminal, `prefill` is put on the prompt
   * line for the user to edit or send.
   */
  async read(prompt: string, prefill?: string): Promise<string | null> {
    // After a close, lines already received are still read; the iterator ends after them.
    if (this.interactive && !this.#closed) {
      this.#rl.setPrompt(prompt);
      this.#rl.prompt();
      if (prefill) this.#rl.write(prefill);
    }
    const next = await this.#lines.next();
    return next.done ? null : next.value;
  }

  close(): void {
    if (!this.#closed) this.#rl.close();
  }
}
