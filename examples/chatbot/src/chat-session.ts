import type { Application } from '@burr/core';
import { AI, HUMAN, TERMINAL } from './app-graph.js';
import { chatHistory, runCommand, type SessionInfo } from './commands.js';
import type { LineReader } from './line-reader.js';
import { ResponderError } from './responders/index.js';
import { formatBotLine, promptText } from './transcript.js';

/** How a chat session ended. */
export type SessionEnd = 'exit' | 'quit' | 'end-of-input' | 'reply-failed';

/** Where the session writes: the transcript to `out`, failures to `err`. */
export interface SessionIO {
  reader: LineReader;
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * The chat loop: whenever the app's next action is `human_converse`, read a
 * line and pass it as the `user_input` input; otherwise step (the bot's
 * reply, or `terminal` after `exit`). Each step is saved by the persister
 * before `step()` returns.
 */
export async function runChatSession(info: SessionInfo, io: SessionIO): Promise<SessionEnd> {
  const { app, style } = info;
  const { reader, out, err } = io;
  let stepsThisSession = 0;
  for (;;) {
    const next = app.getNextAction();
    if (next === HUMAN) {
      const line = await reader.read(promptText(app.uid, app.sequenceId, style));
      if (line === null) return 'end-of-input';
      // Piped input is not shown by a terminal: echo it after the prompt, so the output reads as a transcript.
      if (!reader.interactive) out(`${promptText(app.uid, app.sequenceId)}${line}`);
      const text = line.trim();
      if (text === '') continue;
      if (text.startsWith('/')) {
        const { output, quit } = await runCommand(text, info);
        if (quit) return 'quit';
        if (output) out(output);
        continue;
      }
      await app.step({ inputs: { user_input: text } });
      stepsThisSession++;
      continue;
    }
    if (next === null) throw new Error(`Conversation ${app.uid} has no next action`);

    if (next === AI && stepsThisSession === 0) {
      // Resumed after a failed reply, or forked right after a question: answer it first.
      out(style.dim('(the last question has no reply yet; answering it now)'));
    }
    const failure = await stepOrFailure(app);
    stepsThisSession++;
    if (failure !== null) {
      err(style.error(`The reply failed: ${failure.message}`));
      err(`That step is saved as failed; nothing you wrote is lost.`);
      if (!reader.interactive) {
        err(`Resume (the reply is retried first): ${info.baseCommand} --app-id ${app.uid}`);
        return 'reply-failed';
      }
      const answer = await reader.read('Press Enter to retry, or type /quit to leave and resume later: ');
      if (answer === null || answer.trim().toLowerCase().startsWith('/quit')) return 'reply-failed';
      continue;
    }
    if (next === AI) {
      const reply = chatHistory(app).at(-1);
      if (reply) out(formatBotLine(reply.content, style));
    } else if (next === TERMINAL) {
      return 'exit';
    }
  }
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
