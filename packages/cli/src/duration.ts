import { UsageError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/**
 * The cut-off time `--older-than` names: a duration before `now` (`30d`,
 * `12h`, `15m`, `45s`, `2w`, or a sum such as `1d12h`) or an ISO date
 * (`2025-01-31`, `2025-01-31T12:00:00Z`; a date alone is midnight UTC).
 */
export function parseCutoff(text: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  if (/^(\d+[wdhms])+$/i.test(trimmed)) {
    let ms = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+)([wdhms])/gi)) ms += Number(amount) * UNIT_MS[unit!.toLowerCase()]!;
    // Nothing was saved before 1970: a longer duration is a typo, not a rule that keeps everything.
    if (!Number.isSafeInteger(ms) || ms > now.getTime()) throw new UsageError(`--older-than ${JSON.stringify(text)} reaches back before 1970`);
    return new Date(now.getTime() - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(trimmed)) {
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--older-than takes a duration such as 30d, 12h, 15m, 45s (or 1d12h) or an ISO date such as 2025-01-31, got ${JSON.stringify(text)}`);
}
