/** The result rows every scenario produces and the report prints. */
import type { Stats } from './timing.js';

export type Section = 'codec' | 'payload' | 'chatbot' | 'stored-steps' | 'history' | 'runner';

/** A contender that did not run, with the reason. */
export interface Unavailable {
  unavailable: string;
}

export type Cell = Stats | Unavailable | undefined;

export function isStats(cell: Cell): cell is Stats {
  return cell !== undefined && 'medianMs' in cell;
}

/** One line of a result table: the same work done by the floor, Burr and the peer. */
export interface Row {
  section: Section;
  backend: string;
  operation: string;
  /** Payload size, step number or stored row count. */
  size: string;
  floor?: Cell;
  /**
   * Payload rows: the floor's driver call plus plain `JSON.stringify` of the
   * same state inside the timed call (saves), or `JSON.parse` of the text it
   * read (loads): the lower bound of any JSON persister.
   */
  floorJson?: Cell;
  burr?: Cell;
  peer?: Cell;
  note?: string;
}

/** Median ratio a/b, or undefined when either side did not run. */
export function ratio(a: Cell, b: Cell): number | undefined {
  return isStats(a) && isStats(b) && b.medianMs > 0 ? a.medianMs / b.medianMs : undefined;
}
