/**
 * Timestamps as Python Burr stores them. SQL tables hold
 * `YYYY-MM-DD HH:MM:SS` in UTC; we add milliseconds, which still sorts
 * correctly against Python's rows. Redis and MongoDB hold ISO 8601.
 */

/** `2026-11-22 01:57:00.123` (UTC). */
export function toSqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

/** `2026-11-22T01:57:00.123000+00:00`, Python's `datetime.isoformat()` form. */
export function toIsoTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000+00:00`;
}

const NAIVE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** Reads any of the forms above (a zone-less time is UTC); a `Date` is returned as is. */
export function parseTimestamp(value: string | Date | number): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = value.trim();
  if (NAIVE.test(text)) return new Date(`${text.replace(' ', 'T').replace(/(\.\d{3})\d+$/, '$1')}Z`);
  return new Date(text.replace(/(\.\d{3})\d+/, '$1'));
}
