import { createInterface } from 'node:readline';

/** Where a command reads and writes: the process's streams ({@link processIo}), or a test's. */
export interface CliIo {
  /** Writes to standard output (results). */
  out(text: string): void;
  /** Writes to standard error (progress, prompts, messages). */
  err(text: string): void;
  /** Environment variables; `BURR_URL` is read from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether standard input is a terminal: `burr delete` asks for confirmation only then. */
  readonly stdinIsTTY: boolean;
  /** Whether standard error is a terminal: `burr prune` shows its progress line only then (or with `--progress`). */
  readonly stderrIsTTY: boolean;
  /** Asks `question` on the terminal and resolves to the line typed (`''` on end of input or Ctrl-C). */
  ask(question: string): Promise<string>;
  /**
   * From this call on, the first interrupt (Ctrl-C) aborts the returned
   * signal instead of ending the process, so a long operation can stop
   * between batches and report; a second one ends the process.
   */
  interrupts(): AbortSignal;
}

/** The {@link CliIo} of this process: its standard streams, environment and SIGINT. */
export function processIo(): CliIo {
  let interrupt: AbortController | undefined;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    ask: askOnTerminal,
    interrupts() {
      if (!interrupt) {
        const controller = new AbortController();
        interrupt = controller;
        process.on('SIGINT', () => {
          if (controller.signal.aborted) process.exit(130);
          process.stderr.write('\nStopping after the current batch (Ctrl-C again to quit at once)…\n');
          controller.abort(new Error('interrupted (Ctrl-C)'));
        });
      }
      return interrupt.signal;
    },
  };
}

function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    const finish = (answer: string) => {
      if (answered) return;
      answered = true;
      terminal.close();
      resolve(answer);
    };
    // Ctrl-C or end of input at the prompt is a "no", never a crash.
    terminal.on('SIGINT', () => {
      process.stderr.write('\n');
      finish('');
    });
    terminal.on('close', () => finish(''));
    terminal.question(question, finish);
  });
}
