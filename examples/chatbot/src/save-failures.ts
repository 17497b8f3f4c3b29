import { PersisterConflictError, PersisterUnavailableError, StepHookFailedError } from '@burr/core';
import type { ChatApplication } from './app-graph.js';
import type { ChatMessage } from './chat-message.js';
import { chatHistory } from './commands.js';
import { formatHistory, type Style } from './transcript.js';

/**
 * Whether a step failed because another session (the same conversation open
 * in another terminal) saved that step first. The store kept the other
 * session's step; nothing was overwritten.
 */
export function isSaveConflict(error: unknown): boolean {
  if (error instanceof PersisterConflictError) return true;
  // A failed reply whose `failed` record could not be saved for the same reason.
  return error instanceof StepHookFailedError && error.hookError instanceof PersisterConflictError;
}

/**
 * The database outage behind a failed step, if that is why it failed: the
 * server could not be reached, stopped answering or dropped the connection.
 * The step was not committed, and saving it again is safe (saves are idempotent).
 */
export function databaseOutage(error: unknown): PersisterUnavailableError | undefined {
  if (error instanceof PersisterUnavailableError) return error;
  if (error instanceof StepHookFailedError && error.hookError instanceof PersisterUnavailableError) return error.hookError;
  return undefined;
}

/** What to tell the person after reloading: what the other session added since `before`. */
export function describeReload(before: readonly ChatMessage[], reloaded: ChatApplication, style: Style): string {
  const after = chatHistory(reloaded);
  const step = reloaded.sequenceId === null ? 'a step' : `step #${reloaded.sequenceId}`;
  const lines = [style.error(`This conversation is open somewhere else too, and ${step} was saved there first. Reloaded it.`)];
  const sharesPrefix = before.every((message, i) => after[i]?.role === message.role && after[i]?.content === message.content);
  const added = sharesPrefix ? after.slice(before.length) : after.slice(-6);
  if (added.length > 0) {
    lines.push(style.dim(sharesPrefix ? 'Added there:' : 'It now ends with:'));
    lines.push(formatHistory(added, style));
  }
  return lines.join('\n');
}
