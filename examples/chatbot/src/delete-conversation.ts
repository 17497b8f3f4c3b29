import type { BaseStateManager } from '@burr/core';
import { isYes } from './commands.js';
import { countSteps } from './conversations.js';
import { LineReader } from './line-reader.js';
import type { Style } from './transcript.js';

/**
 * How `--delete` ended: `deleted`; `kept` (the person said no); `unknown`
 * (nothing saved under that id); `refused` (no terminal to ask on and no
 * `--yes`); `cancelled` (Ctrl+C at the question).
 */
export type DeleteOutcome = 'deleted' | 'kept' | 'unknown' | 'refused' | 'cancelled';

/** What `--delete` reads from and writes to. */
export interface DeleteIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where SIGINT arrives (Ctrl+C outside the question's line editor, or `kill -INT`). */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'> | undefined;
  style: Style;
}

/** What to delete, and whether the person already confirmed it (`--yes`). */
export interface DeleteRequest {
  partitionKey: string;
  appId: string;
  assumeYes: boolean;
}

/**
 * `--delete APP_ID`: counts the conversation's steps (no state is read),
 * asks on a terminal unless `--yes`, then removes every step with
 * `deleteApp` and says how many went. Without a terminal and without
 * `--yes` it refuses, so a script never deletes by accident.
 */
export async function deleteConversation(manager: BaseStateManager, request: DeleteRequest, io: DeleteIO): Promise<DeleteOutcome> {
  const { partitionKey, appId } = request;
  const { out, err, style } = io;
  const named = `conversation ${appId} of ${JSON.stringify(partitionKey)}`;
  const steps = await countSteps(manager, partitionKey, appId);
  if (steps === 0) {
    err(style.error(`No conversation ${appId} in partition ${JSON.stringify(partitionKey)}; nothing deleted. --list shows its conversations.`));
    return 'unknown';
  }
  const size = `${steps} step${steps === 1 ? '' : 's'}`;
  if (!request.assumeYes) {
    if (io.stdin.isTTY !== true) {
      err(style.error(`Not deleting ${named} (${size}): input is not a terminal, so there is no one to confirm. Add --yes to delete it without asking.`));
      return 'refused';
    }
    const answer = await askOnTerminal(`Delete ${named} (${size})? This cannot be undone. [y/N] `, io);
    if (answer === 'cancelled') {
      out('');
      out(`Cancelled; nothing deleted.`);
      return 'cancelled';
    }
    if (!isYes(answer)) {
      out(`Kept ${named}; nothing deleted.`);
      return 'kept';
    }
  }
  const removed = await manager.deleteApp(partitionKey, appId);
  if (removed === 0) {
    // Another session or command deleted it between the count and now.
    err(style.error(`No conversation ${appId} in partition ${JSON.stringify(partitionKey)} any more; nothing deleted.`));
    return 'unknown';
  }
  out(`Deleted ${named}: ${removed} step${removed === 1 ? '' : 's'} removed.`);
  return 'deleted';
}

/** One line typed at the terminal; `'cancelled'` for Ctrl+C, `null` for Ctrl+D. */
async function askOnTerminal(question: string, io: DeleteIO): Promise<string | null | 'cancelled'> {
  let cancelled = false;
  const onCtrlC = () => {
    cancelled = true;
    reader.close();
  };
  const reader = new LineReader(io.stdin, io.stdout, onCtrlC);
  io.signals?.on('SIGINT', onCtrlC);
  try {
    const answer = await reader.read(question);
    return cancelled ? 'cancelled' : answer;
  } finally {
    io.signals?.off('SIGINT', onCtrlC);
    reader.close();
  }
}
