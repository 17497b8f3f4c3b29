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

/** One row of `--list`. */
export interface ConversationSummary {
  appId: string;
  /** Latest sequence id + 1. */
  steps: number;
  lastSavedAt: Date;
  /** The action the latest step ran, and whether it failed. */
  position: string;
  failed: boolean;
  firstQuestion: string | undefined;
}

/** The `--list` table, newest first as given; `startCommand` is suggested when there is nothing to list. */
export function formatConversationList(partitionKey: string, rows: readonly ConversationSummary[], style: Style, startCommand: string): string {
  if (rows.length === 0) return `No conversations for partition ${JSON.stringify(partitionKey)} yet. Start one with: ${startCommand}`;
  const lines = [`Conversations of ${JSON.stringify(partitionKey)}, newest first:`];
  for (const row of rows) {
    const steps = `${row.steps} step${row.steps === 1 ? '' : 's'}`.padEnd(9);
    const ended = row.failed ? style.error(` (last step ${row.position} failed)`) : row.position === 'terminal' ? style.dim(' (ended)') : '';
    const first = row.firstQuestion === undefined ? '' : `  ${JSON.stringify(truncate(row.firstQuestion, 40))}`;
    lines.push(`  ${row.appId}  ${steps}  ${formatTime(row.lastSavedAt)}${first}${ended}`);
  }
  return lines.join('\n');
}

/** `2024-05-01 12:34` in local time. */
function formatTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Quotes a value for a command line the user may copy. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
