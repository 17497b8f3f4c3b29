/**
 * The states of the incremental storage section, built the way an
 * application builds them (`State.append`/`update`, so untouched values keep
 * their identity): a chat, and a tool-calling agent that also rewrites a few
 * large keys every step.
 */
import { SEQUENCE_ID_KEY, type State } from '@burr/core';
import { burrState, chatMessage, chatState } from '../payload.js';

/** One step of a workload: the Burr state, the same values for the LangGraph peer, and the JSON bytes the step changed. */
export interface WorkloadStep {
  state: State;
  values: Record<string, unknown>;
  changedBytes: number;
}

export interface Workload {
  name: string;
  /** How a step changes the state, for the report. */
  description: string;
  /** A new conversation: the state after step `step` (1-based), given the steps before it in order. */
  start(): (step: number) => WorkloadStep;
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** Each step appends a ~200-byte message (the bench's chatbot). */
export const chatWorkload: Workload = {
  name: 'chat',
  description: 'each step appends a ~200-byte message and updates `turn`',
  start() {
    let state: State = burrState(chatState(0), 0);
    return (step) => {
      const message = chatMessage(step - 1);
      state = state.append({ messages: message }).update({ turn: step, [SEQUENCE_ID_KEY]: step });
      return { state, values: valuesOf(state), changedBytes: jsonBytes(message) };
    };
  },
};

/** Deterministic text of about `bytes` bytes, different for each `seed`. */
function text(seed: number, bytes: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const word = chatMessage(seed * 31 + i).content;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ').slice(0, bytes);
}

/** Variants of each large key, so consecutive steps hold different values (built once: generating text is not what is timed). */
const VARIANTS = 8;
const SCRATCHPAD = Array.from({ length: VARIANTS }, (_, v) => text(1000 + v, 8 * 1024));
const TOOL_RESULT = Array.from({ length: VARIANTS }, (_, v) => ({
  tool: 'search',
  rows: Array.from({ length: 64 }, (_, r) => ({ id: `${v}-${r}`, score: (r * 7 + v) / 100, snippet: text(2000 + v * 64 + r, 220) })),
}));
const PLAN = Array.from({ length: VARIANTS }, (_, v) =>
  text(3000 + v, 4 * 1024)
    .split(' ')
    .slice(0, 400),
);

/**
 * A tool-calling agent: each step appends a message and rewrites three large
 * keys (an 8 KB scratchpad, a ~17 KB tool result, a ~4 KB plan), so most of
 * what a step writes is new anyway: the shape where incremental storage helps least.
 */
export const agentWorkload: Workload = {
  name: 'tool-calling agent',
  description: 'each step appends a ~200-byte message and rewrites an 8 KB scratchpad, a ~17 KB tool result and a ~4 KB plan',
  start() {
    let state: State = burrState(chatState(0), 0).update({ scratchpad: '', tool_result: {}, plan: [] as string[] });
    return (step) => {
      const message = chatMessage(step - 1);
      const variant = step % VARIANTS;
      const rewritten = { scratchpad: SCRATCHPAD[variant]!, tool_result: TOOL_RESULT[variant]!, plan: PLAN[variant]! };
      state = state.append({ messages: message }).update({ ...rewritten, turn: step, [SEQUENCE_ID_KEY]: step });
      return { state, values: valuesOf(state), changedBytes: jsonBytes(message) + jsonBytes(rewritten) };
    };
  },
};

/** The state's values without the hidden keys, for the LangGraph peer. */
function valuesOf(state: State): Record<string, unknown> {
  const values = state.getAll();
  for (const key of Object.keys(values)) if (key.startsWith('__')) delete values[key];
  return values;
}

/**
 * The state `next` (one step after `previous`) rebuilt on `loaded` (the
 * stored `previous`), the way an application that loaded it makes its next
 * state: values unchanged since `previous` stay the loaded ones, a list that
 * grew at its end gets its new items appended to the loaded list, anything
 * else is set.
 */
export function continueFrom(loaded: State, previous: State, next: State): State {
  let state = loaded;
  const updates: Record<string, unknown> = {};
  for (const [key, value] of next.entries()) {
    const before = previous.get(key);
    if (Object.is(value, before) && loaded.has(key)) continue;
    if (Array.isArray(value) && Array.isArray(before) && value.length > before.length && (before.length === 0 || value[before.length - 1] === before[before.length - 1])) {
      state = state.extend({ [key]: value.slice(before.length) });
    } else updates[key] = value;
  }
  const gone = loaded.keys().filter((key) => !next.has(key));
  state = state.update(updates);
  return gone.length > 0 ? state.wipe({ delete: gone }) : state;
}
