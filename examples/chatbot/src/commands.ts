import type { Application, BaseStateLoader } from '@burr/core';
import { asChatHistory } from './chat-message.js';
import { messageSteps } from './conversations.js';
import { formatHistory, type Style } from './transcript.js';

/** What the session knows that the slash commands show. */
export interface SessionInfo {
  /** The conversation; replaced by a fresh load when another session saved a step first. */
  app: Application;
  /** Loads the conversation again from the store, as it is now. */
  reload: () => Promise<Application>;
  /** Where the steps are saved; `/history` reads them back to number the messages. */
  loader: BaseStateLoader;
  where: string;
  responder: string;
  /** `pnpm chatbot` plus the storage and partition flags of this run, to which `--app-id` etc. are added. */
  baseCommand: string;
  /** What to do before running those commands, when they leave out a secret. */
  commandNote?: string | undefined;
  style: Style;
}

export const COMMAND_HELP = `Commands (not saved as messages):
  /where     this conversation's app id, partition, latest step and how to resume or fork it
  /history   the whole conversation, each message with the step that added it (for --fork-from ID --at STEP)
  /help      this list
  /quit      leave; the conversation stays saved (Ctrl+D does the same)
Type exit to end the conversation (saved as a step; resuming it continues anyway).`;

/**
 * Runs a `/command`; returns `'quit'` for /quit. Unknown commands get a hint
 * rather than being sent to the bot.
 */
export async function runCommand(line: string, info: SessionInfo): Promise<{ output: string; quit: boolean }> {
  const name = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  switch (name) {
    case '/where':
      return { output: describeWhere(info), quit: false };
    case '/history':
      return { output: await describeHistory(info), quit: false };
    case '/help':
    case '/?':
      return { output: COMMAND_HELP, quit: false };
    case '/quit':
    case '/exit':
    case '/bye':
      return { output: '', quit: true };
    default:
      return { output: info.style.dim(`Unknown command ${name}; /help lists the commands.`), quit: false };
  }
}

export function chatHistory(app: Application) {
  return asChatHistory(app.state.has('chat_history') ? app.state.get('chat_history') : []);
}

async function describeHistory({ app, loader, style, baseCommand }: SessionInfo): Promise<string> {
  const history = chatHistory(app);
  if (app.sequenceId === null) return formatHistory(history, style);
  const steps = await messageSteps(loader, app.partitionKey ?? '', app.uid, app.sequenceId);
  const hint = style.dim(`Continue from any step in a new conversation: ${baseCommand} --fork-from ${app.uid} --at STEP`);
  return `${formatHistory(history, style, steps)}\n${hint}`;
}

function describeWhere(info: SessionInfo): string {
  const { app } = info;
  const last = app.sequenceId;
  const lines = [
    `app id     ${app.uid}`,
    `partition  ${JSON.stringify(app.partitionKey ?? '')}`,
    `step       ${last === null ? 'none saved yet' : `#${last} (${app.state.has('__PRIOR_STEP') ? String(app.state.get('__PRIOR_STEP')) : 'loaded'})`}, next: ${app.getNextAction() ?? 'nothing'}`,
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
