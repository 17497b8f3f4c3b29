/**
 * Timestamps as Python Burr stores them. SQL tables hold
 * `YYYY-MM-DD HH:MM:SS` in UTC; we add microseconds, which sorts correctly
 * against Python's rows across seconds. Within one second a Python row
 * (`…:05`, no fraction) sorts before ours (`…:05.123456`), even when Python
 * saved later: "most recently saved" is exact only to the second across the
 * two. Redis and MongoDB hold ISO 8601.
 */

import { DeserializationError } from '../errors.js';

/** `2026-11-22 01:57:00.123456` (UTC); `micros` are the microseconds within the millisecond of `date`. */
export function toSqlTimestamp(date: Date, micros = 0): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)}${threeDigits(micros)}`;
}

/** `2026-11-22T01:57:00.123456+00:00`, Python's `datetime.isoformat()` form. */
export function toIsoTimestamp(date: Date, micros = 0): string {
  return `${date.toISOString().slice(0, 23)}${threeDigits(micros)}+00:00`;
}

function threeDigits(micros: number): string {
  return String(Math.min(999, Math.max(0, Math.trunc(micros)))).padStart(3, '0');
}

/** A save time: wall-clock milliseconds plus the microseconds within them. */
export interface SaveTime {
  createdAt: Date;
  /** 0-999: the microseconds within `createdAt`'s millisecond. */
  createdAtMicros: number;
}

let lastSaveMicros = 0;
/** How far the monotonic clock read as wall time runs ahead of `Date.now()`, in µs, as far as saves have seen. */
let monotonicLeadMicros = 0;
/** The longest a save waits for `Date.now()` to reach the millisecond the monotonic clock is already in. */
const MAX_TICK_WAIT_MICROS = 200;

/** The monotonic clock read as wall time, in µs. */
function monotonicWallMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * The time of a save, strictly increasing within this process at microsecond
 * resolution, so "most recently saved" is never a tie between two saves of
 * one process. Milliseconds come from the wall clock (`Date.now()`); the
 * microseconds within them from the monotonic clock read as wall time
 * (`performance.timeOrigin + performance.now()`), aligned with the wall
 * clock's milliseconds. So a save time is ahead of the wall clock only when
 * more saves than microseconds are left in a millisecond.
 */
export function nextSaveTime(): SaveTime {
  let millis = Date.now();
  // The two clocks differ by a few µs (more once the wall clock is set). Taken as is, the fraction would let the
  // counter pass into the next millisecond while Date.now() still gives this one: the difference is learnt.
  let within = monotonicWallMicros() - monotonicLeadMicros - millis * 1000;
  if (within > 999 && within <= 999 + MAX_TICK_WAIT_MICROS) {
    // Date.now() is about to reach the next millisecond: wait for it (once, and again only if the clocks drift),
    // and learn the difference at that moment (an overestimate at worst, which keeps fractions behind the clock).
    const waited = millis;
    while (millis === waited) millis = Date.now();
    monotonicLeadMicros = monotonicWallMicros() - millis * 1000;
    within = 0;
  } else if (within > 999) {
    // The wall clock was set back: realign to the end of this millisecond.
    monotonicLeadMicros += within - 999;
    within = 999;
  } else if (within < -1000) {
    // The wall clock was set forward: realign to the start of this millisecond.
    monotonicLeadMicros += within;
    within = 0;
  }
  const now = millis * 1000 + Math.max(within, 0);
  lastSaveMicros = Math.max(now, lastSaveMicros + 1);
  return { createdAt: new Date(Math.floor(lastSaveMicros / 1000)), createdAtMicros: lastSaveMicros % 1000 };
}

const NAIVE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;
/** The fraction of a second in a stored time's text, when it has one. */
const FRACTION = /\.(\d+)(?=$|[Z+-])/i;

/**
 * A stored time as a {@link SaveTime}, the microseconds within its
 * millisecond kept (`parseTimestamp` drops them): writing it back with a
 * dialect's `createdAtParam` stores the same instant to the microsecond.
 * `null` (a row written without a time) is the epoch, as listings show it.
 */
export function parseSaveTime(value: string | Date | number | null): SaveTime {
  if (value === null) return { createdAt: new Date(0), createdAtMicros: 0 };
  const createdAt = parseTimestamp(value);
  const fraction = typeof value === 'string' ? FRACTION.exec(value.trim())?.[1] : undefined;
  return { createdAt, createdAtMicros: fraction === undefined ? 0 : Number(fraction.padEnd(6, '0').slice(3, 6)) };
}

/**
 * Reads any of the forms above (a zone-less time is UTC; digits beyond
 * milliseconds are dropped); a `Date` is returned as is, a number is epoch
 * milliseconds. Throws {@link DeserializationError} for anything else rather
 * than handing back an Invalid Date.
 */
export function parseTimestamp(value: string | Date | number): Date {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(value);
  else {
    const text = String(value).trim();
    date = NAIVE.test(text) ? new Date(`${text.replace(' ', 'T').replace(/(\.\d{3})\d+$/, '$1')}Z`) : new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  }
  if (Number.isNaN(date.getTime())) throw new DeserializationError(`Stored timestamp ${JSON.stringify(String(value))} is not a valid date`);
  return date;
}
