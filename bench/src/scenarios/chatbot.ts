/**
 * A chatbot-shaped run: 1,000 steps, each appending a ~200-byte message and
 * saving the whole state. Per-step save cost at steps 1, 100, 500 and 1000
 * (median of the steps within ±5 of it, over every run), and the whole run.
 */
import { encodeState, SEQUENCE_ID_KEY, type State } from '@burr/core';
import type { BackendSession } from '../backends/types.js';
import { burrState, chatMessage, chatState, type ChatMessage } from '../payload.js';
import { isPeerAvailable, type PeerCheckpointer, type PeerUnavailable } from '../peer.js';
import type { Cell, Row } from '../rows.js';
import { collectGarbage, nextUnique, summarize, type Stats } from '../timing.js';

export const CHAT_STEPS = 1000;
export const REPORTED_STEPS = [1, 100, 500, 1000] as const;
const WINDOW = 5;
const WARMUP_STEPS = 50;
const PARTITION = 'bench-chat';

/** Milliseconds of each step's save, index 0 = step 1. */
type RunTimes = number[];

/** One contender's conversation: advances its own copy of the state and saves it, timed. */
interface Conversation {
  times: RunTimes;
  step(step: number, message: ChatMessage): Promise<void>;
}

async function timed(times: RunTimes, save: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await save();
  times.push(performance.now() - t0);
}

/**
 * A conversation over a Burr state: `prepare` (untimed) and `save` (timed)
 * are what differs between Burr's persister and the raw-driver floor.
 */
function stateConversation<P>(prepare: (state: State) => P, save: (step: number, prepared: P) => Promise<unknown>): Conversation {
  const times: RunTimes = [];
  let state: State = burrState(chatState(0), 0);
  return {
    times,
    async step(step, message) {
      state = state.append({ messages: message }).update({ turn: step, [SEQUENCE_ID_KEY]: step });
      const prepared = prepare(state);
      await timed(times, () => save(step, prepared));
    },
  };
}

function burrConversation(session: BackendSession, appId: string): Conversation {
  return stateConversation(
    (state) => state,
    (sequenceId, state) => session.persister.save({ partitionKey: PARTITION, appId, sequenceId, position: 'respond', status: 'completed', state }),
  );
}

function floorConversation(session: BackendSession, appId: string): Conversation {
  // The floor stores text it is given: encoding is outside its timing.
  return stateConversation(
    (state) => encodeState(state),
    (sequenceId, json) => session.floor.insert({ partitionKey: PARTITION, appId, sequenceId, position: 'respond', status: 'completed', state: json }),
  );
}

function peerConversation(peer: PeerCheckpointer, thread: string): Conversation {
  const times: RunTimes = [];
  let values = chatState(0);
  return {
    times,
    async step(step, message) {
      values = { ...values, turn: step, messages: [...values.messages, message] };
      await timed(times, () => peer.put(thread, values));
    },
  };
}

/**
 * One run: the contenders' conversations advance together, step by step, in
 * a rotating order, so WAL checkpoints, vacuum or GC pauses land on each of
 * them alike.
 */
async function interleavedRun(conversations: Conversation[], steps: number): Promise<void> {
  for (let step = 1; step <= steps; step++) {
    const message = chatMessage(step - 1);
    for (let k = 0; k < conversations.length; k++) await conversations[(step + k) % conversations.length]!.step(step, message);
  }
}

function atStep(runs: RunTimes[], step: number): Stats {
  const from = Math.max(1, step - WINDOW);
  const to = Math.min(CHAT_STEPS, step + WINDOW);
  return summarize(runs.flatMap((times) => times.slice(from - 1, to)));
}

function wholeRun(runs: RunTimes[]): Stats {
  return summarize(runs.map((times) => times.reduce((sum, t) => sum + t, 0)));
}

/** Rows of the chatbot scenario for one backend; `runs` full conversations per contender. */
export async function chatbotRows(backend: string, session: BackendSession, runs: number): Promise<Row[]> {
  const floor: RunTimes[] = [];
  const burr: RunTimes[] = [];
  const peer: RunTimes[] | undefined = isPeerAvailable(session.peer) ? [] : undefined;
  // One short run first, untimed, so JIT and caches are warm for step 1.
  for (let run = -1; run < runs; run++) {
    collectGarbage();
    const id = `${nextUnique()}`;
    const conversations = [floorConversation(session, `chat-floor-${id}`), burrConversation(session, `chat-burr-${id}`)];
    if (isPeerAvailable(session.peer)) conversations.push(peerConversation(session.peer, `chat-peer-${id}`));
    await interleavedRun(conversations, run < 0 ? WARMUP_STEPS : CHAT_STEPS);
    if (run < 0) continue;
    floor.push(conversations[0]!.times);
    burr.push(conversations[1]!.times);
    peer?.push(conversations[2]!.times);
  }
  const peerCell = (stats: (r: RunTimes[]) => Stats): Cell => (peer ? stats(peer) : (session.peer as PeerUnavailable));
  const rows: Row[] = REPORTED_STEPS.map((step) => ({
    section: 'chatbot',
    backend,
    operation: 'save',
    size: `step ${step}`,
    floor: atStep(floor, step),
    burr: atStep(burr, step),
    peer: peerCell((r) => atStep(r, step)),
  }));
  rows.push({
    section: 'chatbot',
    backend,
    operation: `whole run (${CHAT_STEPS} saves)`,
    size: `${runs} run${runs > 1 ? 's' : ''}`,
    floor: wholeRun(floor),
    burr: wholeRun(burr),
    peer: peerCell(wholeRun),
  });
  return rows;
}
