/**
 * Times as Python Burr's tracker writes them: `datetime.now()` (naive, local
 * time) through pydantic, e.g. `2026-11-22T14:03:07.123456`. We have
 * milliseconds, so the last three digits are always 0.
 */
export function formatPythonDateTime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}000`
  );
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Reads a time written by either tracker: naive means local time, as Python means it; `null` when unreadable. */
export function parsePythonDateTime(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  let date: Date;
  if (zone === undefined) {
    date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  } else {
    const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
    date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}${offset}`);
  }
  return Number.isNaN(date.getTime()) ? null : date;
}
