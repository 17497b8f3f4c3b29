/**
 * Deterministic chatbot-shaped state payloads. Every contender gets the same
 * plain JSON values: Burr as a State, the floor as Burr's serialized text,
 * the LangGraph peer as `channel_values`.
 */
import { State, encodeState, PRIOR_STEP_KEY, SEQUENCE_ID_KEY } from '@burr/core';

/** One chat message, about 200 bytes as JSON. */
export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The plain values of a benchmark state (no hidden keys). */
export interface ChatState extends Record<string, unknown> {
  user_id: string;
  model: string;
  turn: number;
  temperature: number;
  messages: ChatMessage[];
}

const WORDS =
  'the state of a step is saved after every action so a run can pause resume or fork from any earlier point while the ' +
  'database keeps each version "quoted" text, commas; numbers 42 3.14 and unicode café naïve — all must round trip';
const WORD_LIST = WORDS.split(' ');

/** A small linear congruential generator: the same payload on every run and machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The `index`-th message of a conversation, about 200 bytes of JSON. */
export function chatMessage(index: number): ChatMessage {
  const next = rng(index + 1);
  const words: string[] = [];
  let length = 0;
  while (length < 160) {
    const word = WORD_LIST[Math.floor(next() * WORD_LIST.length)]!;
    words.push(word);
    length += word.length + 1;
  }
  return { role: index % 2 === 0 ? 'user' : 'assistant', content: words.join(' ') };
}

/** A conversation state holding `messageCount` messages. */
export function chatState(messageCount: number): ChatState {
  return {
    user_id: 'user-7f3a9c',
    model: 'gpt-bench-1',
    turn: messageCount,
    temperature: 0.7,
    messages: Array.from({ length: messageCount }, (_, i) => chatMessage(i)),
  };
}

/** A state whose Burr JSON is at least `bytes` long (the smallest such conversation). */
export function chatStateOfSize(bytes: number): ChatState {
  const approxPerMessage = Buffer.byteLength(JSON.stringify(chatMessage(0))) + 1;
  let count = Math.max(1, Math.floor(bytes / approxPerMessage) - 1);
  while (Buffer.byteLength(JSON.stringify(chatState(count))) < bytes) count++;
  return chatState(count);
}

/** A Burr State of these values with the hidden keys the runner adds after a step. */
export function burrState(values: ChatState, sequenceId: number): State {
  return new State({ ...values, [SEQUENCE_ID_KEY]: sequenceId, [PRIOR_STEP_KEY]: 'respond' });
}

/** Everything one payload row needs, computed once outside the timers. */
export interface Payload {
  label: string;
  values: ChatState;
  state: State;
  /** Burr's serialized form of `state`: what the floor inserts. */
  json: string;
  bytes: number;
}

export function makePayload(label: string, bytes: number): Payload {
  const values = chatStateOfSize(bytes);
  const state = burrState(values, 0);
  const json = encodeState(state);
  return { label, values, state, json, bytes: Buffer.byteLength(json) };
}

/** The payload sizes of the main table. */
export const PAYLOAD_SIZES: ReadonlyArray<readonly [label: string, bytes: number]> = [
  ['1 KB', 1024],
  ['100 KB', 100 * 1024],
  ['1 MB', 1024 * 1024],
];
