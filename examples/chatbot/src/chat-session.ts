import type { Application } from '@burr/core';
import { AI, HUMAN, TERMINAL, isExitQuestion } from './app-graph.js';
import { chatHistory, runCommand, type Ask, type SessionInfo } from './commands.js';
import type { LineReader } from './line-reader.js';
import { ReplyCancelledError, ResponderError } from './responders/index.js';
import { databaseOutage, describeReload, isSaveConflict } from './save-failures.js';
import { formatBotLine, promptText } from './transcript.js';

/**
 * How a chat session ended; `reply-cancelled` is Ctrl+C while the bot was
 * answering, `save-failed` a database outage, `deleted` a confirmed `/delete`.
 */
export type SessionEnd = 'exit' | 'quit' | 'deleted' | 'end-of-input' | 'reply-failed' | 'reply-cancelled' | 'save-failed';

/** Where the session reads and writes. */
export interface SessionIO {
  reader: LineReader;
  /** The transcript. */
  out: (text: string) => void;
  /** Failures. */
  err: (text: string) => void;
  /** Aborted by Ctrl+C: the session stops reading and leaves. */
  interrupted: AbortSignal;
}

/**
 * The chat loop: whenever the app's next action is `human_converse`, read a
 * line and pass it as the `user_input` input; otherwise step (the bot's
 * reply, or `terminal` after `exit`). Each step is saved by the persister
 * before `step()` returns. When another session saved the same step first,
 * the conversation is reloaded and the line that could not be saved is kept.
 */
export async function runChatSession(info: SessionInfo, io: SessionIO): Promise<SessionEnd> {
  const { style } = info;
  const { reader, out, err, interrupted } = io;
  let stepsThisSession = 0;
  /** A line whose save lost to another session: sent again (piped) or put back on the prompt (terminal). */
  let keptLine: string | undefined;
  let exitTypedHere = false;
  const ask: Ask = async (question) => {
    const answer = await reader.read(question);
    // Piped input is not shown by a terminal: echo the question and the answer read for it.
    if (!reader.interactive) out(`${question}${answer ?? ''}`);
    // Ctrl+C or Ctrl+D at the question: end its line.
    else if (answer === null) out('');
    return interrupted.aborted ? null : answer;
  };
  for (;;) {
    const app = info.app;
    const next = app.getNextAction();
    if (next === HUMAN) {
      let line: string | null;
      if (keptLine !== undefined && !reader.interactive) {
        line = keptLine;
        out(style.dim('(sending your line again, after them)'));
      } else {
        line = await reader.read(promptText(app.uid, app.sequenceId, style), keptLine);
      }
      keptLine = undefined;
      if (line === null || interrupted.aborted) return 'end-of-input';
      // Piped input is not shown by a terminal: echo it after the prompt, so the output reads as a transcript.
      if (!reader.interactive) out(`${promptText(app.uid, app.sequenceId)}${line}`);
      const text = line.trim();
      if (text === '') continue;
      if (text.startsWith('/')) {
        const { output, end } = await runCommand(text, info, ask);
        if (output) out(output);
        if (end) return end;
        continue;
      }
      try {
        await app.step({ inputs: { user_input: text } });
      } catch (error) {
        const outage = databaseOutage(error);
        if (outage) {
          err(style.error(`Could not save your line: ${outage.message}`));
          if (!reader.interactive) {
            err(`Not saved: ${JSON.stringify(text)}; everything before it is.`);
            return 'save-failed';
          }
          keptLine = text;
          err('It is back on the prompt: press Enter to try again, or /quit (everything before it is saved).');
          continue;
        }
        if (!isSaveConflict(error)) throw error;
        await reloadAfterConflict(info, out);
        keptLine = text;
        if (reader.interactive) out(style.dim('Your line was not sent; it is back on the prompt: press Enter to send it, or edit it.'));
        continue;
      }
      exitTypedHere = isExitQuestion(text);
      stepsThisSession++;
      continue;
    }
    if (next === null) throw new Error(`Conversation ${app.uid} has no next action`);

    if (next === AI && stepsThisSession === 0) {
      // Resumed after a failed reply, or forked right after a question: answer it first.
      out(style.dim('(the last question has no reply yet; answering it now)'));
    }
    let failure: Error | null;
    try {
      failure = await stepOrFailure(app);
    } catch (error) {
      const outage = databaseOutage(error);
      if (outage) {
        err(style.error(`Could not save the ${next === AI ? 'reply' : 'step'}: ${outage.message}`));
        if (!reader.interactive) return 'save-failed';
        const answer = await reader.read('Press Enter to try again, or type /quit to leave and resume later: ');
        if (interrupted.aborted || answer === null || answer.trim().toLowerCase().startsWith('/quit')) return 'save-failed';
        continue;
      }
      if (!isSaveConflict(error)) throw error;
      // Another session answered (or ended) the same step first: show its result instead.
      await reloadAfterConflict(info, out);
      continue;
    }
    stepsThisSession++;
    if (failure instanceof ReplyCancelledError) return 'reply-cancelled';
    if (failure !== null) {
      err(style.error(`The reply failed: ${failure.message}`));
      err(`That step is saved as failed; nothing you wrote is lost.`);
      if (!reader.interactive) {
        err(`Resume (the reply is retried first): ${info.baseCommand} --app-id ${app.uid}`);
        return 'reply-failed';
      }
      const answer = await reader.read('Press Enter to retry, or type /quit to leave and resume later: ');
      if (interrupted.aborted) return 'end-of-input';
      if (answer === null || answer.trim().toLowerCase().startsWith('/quit')) return 'reply-failed';
      continue;
    }
    if (next === AI) {
      const reply = chatHistory(app).at(-1);
      if (reply) out(formatBotLine(reply.content, style));
    } else if (next === TERMINAL && exitTypedHere) {
      return 'exit';
    }
  }
}

async function reloadAfterConflict(info: SessionInfo, out: (text: string) => void): Promise<void> {
  const before = chatHistory(info.app);
  info.app = await info.reload();
  out(describeReload(before, info.app, info.style));
}

/** Runs one step; a responder error comes back as a value (the runner has saved the step as failed). */
async function stepOrFailure(app: Application): Promise<Error | null> {
  try {
    await app.step();
    return null;
  } catch (error) {
    if (error instanceof ResponderError) return error;
    throw error;
  }
}
