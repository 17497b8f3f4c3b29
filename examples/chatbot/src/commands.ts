import { PRIOR_STEP_KEY, type BaseStatePersister } from '@burr/core';
import type { ChatApplication } from './app-graph.js';
import { asChatHistory } from './chat-message.js';
import { countSteps } from './conversations.js';
import { DEFAULT_HISTORY_STEPS, historyView } from './history-view.js';
import { formatHistory, type Style } from './transcript.js';

/** What the session knows that the slash commands show. */
export interface SessionInfo {
  /** The conversation; replaced by a fresh load when another session saved a step first. */
  app: ChatApplication;
  /** Loads the conversation again from the store, as it is now. */
  reload: () => Promise<ChatApplication>;
  /** Where the steps are saved: `/history` lists them, `/delete` removes them. */
  store: BaseStatePersister;
  where: string;
  responder: string;
  /** `pnpm chatbot` plus the storage and partition flags of this run, to which `--app-id` etc. are added. */
  baseCommand: string;
  /** What to do before running those commands, when they leave out a secret. */
  commandNote?: string | undefined;
  style: Style;
}

/** Asks the person a question and returns the answer line (`null` at end of input or Ctrl+C). */
export type Ask = (question: string) => Promise<string | null>;

/** What a command did: text to show, and whether the session ends (`/quit`, or the conversation was deleted). */
export interface CommandOutcome {
  output: string;
  end?: 'quit' | 'deleted';
}

export const COMMAND_HELP = `Commands (not saved as messages):
  /where          this conversation's app id, partition, latest step and how to resume or fork it
  /history [N]    the messages of the last N steps (default ${DEFAULT_HISTORY_STEPS}), each with the step that added it (for --fork-from ID --at STEP)
  /history all    every message
  /delete         delete this conversation (every saved step), after a y/N question; the session then ends
  /help           this list
  /quit           leave; the conversation stays saved (Ctrl+D does the same)
Type exit to end the conversation (saved as a step; resuming it continues anyway).`;

/**
 * Runs a `/command`. Unknown commands get a hint rather than being sent to
 * the bot. `ask` reads a confirmation (`/delete`).
 */
export async function runCommand(line: string, info: SessionInfo, ask: Ask): Promise<CommandOutcome> {
  const [word = '', ...args] = line.trim().split(/\s+/);
  const name = word.toLowerCase();
  switch (name) {
    case '/where':
      return { output: describeWhere(info) };
    case '/history':
      return { output: await describeHistory(info, args) };
    case '/delete':
      return deleteThisConversation(info, ask);
    case '/help':
    case '/?':
      return { output: COMMAND_HELP };
    case '/quit':
    case '/exit':
    case '/bye':
      return { output: '', end: 'quit' };
    default:
      return { output: info.style.dim(`Unknown command ${name}; /help lists the commands.`) };
  }
}

export function chatHistory(app: ChatApplication) {
  return asChatHistory(app.state.get('chat_history', []));
}

/** `/history`, `/history 50`, `/history all`. */
function historyStepCount(args: readonly string[]): number | 'all' | undefined {
  const [arg, ...extra] = args;
  if (extra.length > 0) return undefined;
  if (arg === undefined) return DEFAULT_HISTORY_STEPS;
  if (arg.toLowerCase() === 'all') return 'all';
  const count = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
  return Number.isSafeInteger(count) && count > 0 ? count : undefined;
}

async function describeHistory(info: SessionInfo, args: readonly string[]): Promise<string> {
  const { app, style, baseCommand } = info;
  const stepCount = historyStepCount(args);
  if (stepCount === undefined) return style.dim(`/history takes a number of steps or "all": /history, /history 50, /history all.`);
  const at = { partitionKey: app.partitionKey ?? '', appId: app.uid, sequenceId: app.sequenceId };
  const view = await historyView(info.store, at, chatHistory(app), stepCount);
  const lines: string[] = [];
  if (view.earlierMessages > 0) {
    const earlier = `${view.earlierMessages} earlier message${view.earlierMessages === 1 ? '' : 's'} not shown`;
    // Twice as many steps, unless that already covers every step up to now (then "all" is the same and simpler).
    const more = typeof stepCount === 'number' && stepCount * 2 <= (app.sequenceId ?? 0) ? stepCount * 2 : undefined;
    const how = more === undefined ? '/history all shows every message' : `/history ${more} shows the last ${more} steps, /history all every message`;
    lines.push(style.dim(`(${earlier}: ${how})`));
  }
  if (app.sequenceId === null) return formatHistory(view.messages, style);
  lines.push(formatHistory(view.messages, style, view.steps));
  lines.push(style.dim(`Continue from any step in a new conversation: ${baseCommand} --fork-from ${app.uid} --at STEP`));
  return lines.join('\n');
}

/**
 * `/delete`: says how many steps would go and asks; on `y`/`yes` deletes
 * every step and ends the session (its app id no longer exists, and a new
 * conversation is one command away, which the farewell prints). Any other
 * answer keeps the conversation and the session goes on.
 */
async function deleteThisConversation(info: SessionInfo, ask: Ask): Promise<CommandOutcome> {
  const { app, store, style } = info;
  const partitionKey = app.partitionKey ?? '';
  const steps = await countSteps(store, partitionKey, app.uid);
  if (steps === 0) return { output: style.dim('Nothing is saved under this conversation yet, so there is nothing to delete.') };
  const answer = await ask(`Delete this conversation (${steps} step${steps === 1 ? '' : 's'})? [y/N] `);
  if (!isYes(answer)) return { output: style.dim('Not deleted; the conversation goes on.') };
  const removed = await store.deleteApp(partitionKey, app.uid);
  return { output: style.bold(`Deleted conversation ${app.uid}: ${removed} step${removed === 1 ? '' : 's'} removed.`), end: 'deleted' };
}

/** `y` or `yes`, any case; anything else (an empty line included) is no. */
export function isYes(answer: string | null): boolean {
  return answer !== null && /^y(es)?$/i.test(answer.trim());
}

function describeWhere(info: SessionInfo): string {
  const { app } = info;
  const last = app.sequenceId;
  const lines = [
    `app id     ${app.uid}`,
    `partition  ${JSON.stringify(app.partitionKey ?? '')}`,
    `step       ${last === null ? 'none saved yet' : `#${last} (${app.state.get(PRIOR_STEP_KEY, 'loaded')})`}, next: ${app.getNextAction() ?? 'nothing'}`,
    `messages   ${chatHistory(app).length}`,
    `stored in  ${info.where}`,
    `replies    ${info.responder}`,
  ];
  if (app.parentPointer) lines.push(`forked from ${app.parentPointer.appId} at #${app.parentPointer.sequenceId}`);
  lines.push(`resume     ${info.baseCommand} --app-id ${app.uid}`);
  if (last !== null) lines.push(`fork here  ${info.baseCommand} --fork-from ${app.uid} --at ${last}`);
  if (info.commandNote) lines.push(info.style.dim(info.commandNote));
  return lines.join('\n');
}
