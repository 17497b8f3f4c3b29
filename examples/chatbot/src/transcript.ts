import type { AppSummary } from '@burr/core';
import { TERMINAL } from './app-graph.js';
import type { ChatMessage } from './chat-message.js';

/** ANSI styling that turns itself off for pipes and `NO_COLOR`. */
export interface Style {
  bot(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  error(text: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const paint = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bot: paint(36, 39), dim: paint(2, 22), bold: paint(1, 22), error: paint(31, 39) };
}

/** `3f2a1b9c…`: enough of a UUID to recognise it on screen. */
export function shortId(appId: string): string {
  return appId.length > 9 ? `${appId.slice(0, 8)}…` : appId;
}

/**
 * The "where you are" prompt: the conversation and the sequence id of its
 * last saved step (`#-` before the first one), e.g. `[app 3f2a1b9c… #4] you> `.
 */
export function promptText(appId: string, sequenceId: number | null, style?: Style): string {
  const where = `[app ${shortId(appId)} #${sequenceId ?? '-'}]`;
  return `${style ? style.dim(where) : where} you> `;
}

export function formatBotLine(content: string, style: Style): string {
  return style.bot(`bot> ${content}`);
}

/**
 * The conversation, one line per message; with `steps`, each line starts
 * with the sequence id of the step that added it (`   ` when unknown).
 */
export function formatHistory(history: readonly ChatMessage[], style: Style, steps?: ReadonlyArray<number | undefined>): string {
  if (history.length === 0) return style.dim('(no messages yet)');
  const width = steps ? Math.max(2, ...steps.map((step) => (step === undefined ? 0 : String(step).length + 1))) : 0;
  return history
    .map((message, i) => {
      const step = steps?.[i];
      const label = steps ? `${style.dim(`${step === undefined ? '' : `#${step}`}`.padStart(width))} ` : '';
      return label + (message.role === 'user' ? `you> ${message.content}` : formatBotLine(message.content, style));
    })
    .join('\n');
}

/** What `--list` prints around the rows. */
export interface ConversationListFrame {
  partitionKey: string;
  /** Whether this page continues an earlier one (`--more`). */
  continued: boolean;
  /** The command that prints the next page; `undefined` on the last page. */
  nextPageCommand: string | undefined;
  /** Suggested when the partition has no conversation at all. */
  startCommand: string;
}

/**
 * One `--list` page, most recently saved first as given: app id, latest
 * step (sequence id and action), its status, and when it was saved; then
 * the command for the next page, if any.
 */
export function formatConversationList(rows: readonly AppSummary[], frame: ConversationListFrame, style: Style): string {
  const partition = JSON.stringify(frame.partitionKey);
  if (rows.length === 0) {
    return frame.continued
      ? `No more conversations of ${partition} after the previous page.`
      : `No conversations for partition ${partition} yet. Start one with: ${frame.startCommand}`;
  }
  const lastSteps = rows.map((row) => `#${row.lastSequenceId} ${row.lastPosition}`);
  const idWidth = Math.max('APP ID'.length, ...rows.map((row) => row.appId.length));
  const stepWidth = Math.max('LAST STEP'.length, ...lastSteps.map((text) => text.length));
  const statusWidth = 'completed'.length;
  const lines = [`Conversations of ${partition}, most recently saved first${frame.continued ? ' (continued)' : ''}:`];
  lines.push(style.dim(`  ${'APP ID'.padEnd(idWidth)}  ${'LAST STEP'.padEnd(stepWidth)}  ${'STATUS'.padEnd(statusWidth)}  LAST SAVED`));
  rows.forEach((row, i) => {
    const status = row.lastStatus === 'failed' ? style.error(row.lastStatus.padEnd(statusWidth)) : row.lastStatus.padEnd(statusWidth);
    const ended = row.lastPosition === TERMINAL && row.lastStatus === 'completed' ? style.dim('  (ended)') : '';
    lines.push(`  ${row.appId.padEnd(idWidth)}  ${(lastSteps[i] ?? '').padEnd(stepWidth)}  ${status}  ${formatTime(row.lastSavedAt)}${ended}`);
  });
  if (frame.nextPageCommand) lines.push(`Next page: ${frame.nextPageCommand}`);
  return lines.join('\n');
}

/** `2024-05-01 12:34:56` in local time. */
function formatTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Quotes a value for a command line the user may copy. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
