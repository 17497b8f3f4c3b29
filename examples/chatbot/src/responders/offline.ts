import type { ChatMessage } from '../chat-message.js';
import type { Responder } from './responder.js';

/**
 * A bot that needs no network and no key, and answers the same conversation
 * the same way every time (tests rely on it). Everything it "remembers" it
 * reads back from the history, so a resumed conversation remembers, and a
 * fork from before you said your name forgets it.
 */
export class OfflineResponder implements Responder {
  readonly description = 'offline bot (deterministic; set OPENAI_API_KEY for a real model)';

  async reply(history: readonly ChatMessage[]): Promise<string> {
    return offlineReply(history);
  }
}

const NAME_PATTERN = /\b(?:my name is|i am called|call me)\s+([\p{L}][\p{L}'-]*)/iu;

const EIGHT_BALL = [
  'Signs point to yes.',
  'Ask again after a coffee.',
  'My sources (a SQLite table) say no.',
  'Without a doubt.',
  'Outlook hazy; try forking the conversation and asking differently.',
  'It is decidedly so.',
  'Very doubtful.',
  'Concentrate and ask again.',
];

const NUDGES = ['Tell me more.', 'Go on...', 'Interesting. And then?', 'Noted, and saved to the database.', 'Hmm, fascinating.'];

/** The offline bot's answer; a pure function of the history. */
export function offlineReply(history: readonly ChatMessage[]): string {
  const userMessages = history.filter((message) => message.role === 'user').map((message) => message.content);
  const question = (userMessages.at(-1) ?? '').trim();
  const turn = userMessages.length;
  const name = rememberedName(userMessages);
  const saidNameNow = NAME_PATTERN.exec(question)?.[1];
  const lower = question.toLowerCase();

  if (saidNameNow) return `Nice to meet you, ${capitalize(saidNameNow)}! I'll remember that (it's in the saved state now).`;
  if (/^(hi|hello|hey|howdy|hiya|good (morning|afternoon|evening))\b/.test(lower)) {
    return name ? `Hello again, ${name}! This is turn ${turn} of our conversation.` : `Hello! I'm the Burr offline bot. Tell me your name ("my name is ...") or ask me anything.`;
  }
  if (/\b(what('| i)s|do you know|remember) my name\b/.test(lower)) {
    return name ? `You're ${name}. I read it back from the saved chat history.` : `You haven't told me your name in this conversation yet.`;
  }
  if (/\b(how many|count)\b.*\b(turns?|messages?)\b/.test(lower)) {
    return `You've sent ${turn} message${turn === 1 ? '' : 's'} in this conversation, and I've answered ${turn - 1} so far.`;
  }
  const sum = arithmetic(lower);
  if (sum !== undefined) return sum;
  if (lower.startsWith('reverse ')) return [...question.slice('reverse '.length)].reverse().join('');
  if (question.endsWith('?')) return `${EIGHT_BALL[hash(lower) % EIGHT_BALL.length]}${name ? ` (just my opinion, ${name}.)` : ''}`;
  if (question === '') return 'You said nothing at all. Very zen.';
  const words = question.split(/\s+/).length;
  return `Turn ${turn}: you said "${question}" (${words} word${words === 1 ? '' : 's'}). ${NUDGES[(turn - 1) % NUDGES.length]}`;
}

function rememberedName(userMessages: readonly string[]): string | undefined {
  for (let i = userMessages.length - 1; i >= 0; i--) {
    const match = NAME_PATTERN.exec(userMessages[i] ?? '');
    if (match?.[1]) return capitalize(match[1]);
  }
  return undefined;
}

/** `what is 6 * 7`, `12 / 4?`: one operation on two numbers. */
function arithmetic(text: string): string | undefined {
  const match = /(-?\d+(?:\.\d+)?)\s*([+\-*x/])\s*(-?\d+(?:\.\d+)?)\s*\??\s*$/.exec(text);
  if (!match) return undefined;
  const a = Number(match[1]);
  const b = Number(match[3]);
  const op = match[2];
  if (op === '/' && b === 0) return 'Dividing by zero? Not in this state machine.';
  const result = op === '+' ? a + b : op === '-' ? a - b : op === '/' ? a / b : a * b;
  return `${match[1]} ${op === 'x' ? '*' : op} ${match[3]} = ${Number(result.toFixed(10))}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A small stable string hash (FNV-1a), so the same question gets the same answer. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
