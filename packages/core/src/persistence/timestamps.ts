/**
 * Timestamps as Python Burr stores them. SQL tables hold
 * `YYYY-MM-DD HH:MM:SS` in UTC; we add milliseconds, which still sorts
 * correctly against Python's rows. Redis and MongoDB hold ISO 8601.
 */

import { DeserializationError } from '../errors.js';

/** `2026-11-22 01:57:00.123` (UTC). */
export function toSqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

/** `2026-11-22T01:57:00.123000+00:00`, Python's `datetime.isoformat()` form. */
export function toIsoTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000+00:00`;
}

const NAIVE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

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
