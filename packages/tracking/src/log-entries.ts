import { decodeState, parsePythonJson, SEQUENCE_ID_KEY, State, type SerdeKwargs } from '@burr/core';
import { rawMemberText } from './json-text.js';
import { completeLinesFromEnd } from './log-lines.js';
import { parsePythonDateTime } from './python-time.js';

/** An `end_entry` read back from `log.jsonl`. */
export interface LoggedStep {
  sequenceId: number;
  action: string;
  /** Whether the step threw (its `exception` is set). */
  failed: boolean;
  /** When the step ended, or `null` if the line holds no readable time. */
  endedAt: Date | null;
  /** The state as written, hidden keys included. */
  state: State;
}

/**
 * The last `end_entry` of a log, or the last one with `sequenceId` when it
 * is given (a step re-run after a failure logs its sequence id twice; the
 * later line wins). Lines that are cut short, not JSON, or not a
 * well-formed `end_entry` are skipped: a crash mid-write never blocks
 * resuming from the steps before it.
 */
export async function findEndEntry(logPath: string, sequenceId: number | null, kwargs: SerdeKwargs): Promise<LoggedStep | null> {
  for await (const line of completeLinesFromEnd(logPath)) {
    if (sequenceId !== null && endsWithOtherSequenceId(line, sequenceId)) continue;
    const entry = parseEndEntry(line);
    if (entry === null) continue;
    if (sequenceId !== null && entry.sequenceId !== sequenceId) continue;
    // A decode failure of a complete, well-formed line is real (a missing serde), so it is raised, not skipped.
    const state = decodeState(entry.stateText, kwargs);
    return { sequenceId: entry.sequenceId, action: entry.action, failed: entry.failed, endedAt: entry.endedAt, state };
  }
  return null;
}

// Both trackers write `sequence_id` last, so most lines of other steps are skipped without parsing them.
const TRAILING_SEQUENCE_ID = /"sequence_id":\s*(\d+)\s*\}\s*$/;

/** Whether the line visibly belongs to another step (a line of another shape is parsed to find out). */
function endsWithOtherSequenceId(line: string, sequenceId: number): boolean {
  const match = TRAILING_SEQUENCE_ID.exec(line);
  return match !== null && Number(match[1]) !== sequenceId;
}

interface ParsedEndEntry {
  sequenceId: number;
  action: string;
  failed: boolean;
  endedAt: Date | null;
  stateText: string;
}

function parseEndEntry(line: string): ParsedEndEntry | null {
  // Cheap test first: most lines of a log are not the one we want.
  if (!line.includes('end_entry')) return null;
  let parsed: unknown;
  try {
    parsed = parsePythonJson(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const entry = parsed as Record<string, unknown>;
  if (entry.type !== 'end_entry') return null;
  const { sequence_id: sequenceId, action, exception, state } = entry;
  if (typeof sequenceId !== 'number' || !Number.isSafeInteger(sequenceId) || sequenceId < 0) return null;
  if (typeof action !== 'string' || action.length === 0) return null;
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return null;
  const stateText = rawMemberText(line, 'state');
  if (stateText === undefined) return null;
  return { sequenceId, action, failed: exception !== null && exception !== undefined, endedAt: parsePythonDateTime(entry.end_time), stateText };
}

/**
 * The state a loader hands back, as Python's tracker builds it: hidden `__`
 * keys dropped (so no stale `__PRIOR_STEP` can steer the next action) and
 * `__SEQUENCE_ID` set to the loaded step's id.
 */
export function loadedState(state: State, sequenceId: number): State {
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of state.entries()) if (!key.startsWith('__')) entries.push([key, value]);
  entries.push([SEQUENCE_ID_KEY, sequenceId]);
  return new State(entries);
}
