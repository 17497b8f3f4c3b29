import { describe, expect, it } from 'vitest';
import { nextSaveTime } from '../src/persistence/timestamps.js';

describe('nextSaveTime', () => {
  it('is strictly increasing at microsecond resolution and stays on the wall clock under a burst', () => {
    const times = Array.from({ length: 5000 }, () => nextSaveTime());
    const micros = times.map(({ createdAt, createdAtMicros }) => createdAt.getTime() * 1000 + createdAtMicros);
    for (let i = 1; i < micros.length; i++) expect(micros[i]!).toBeGreaterThan(micros[i - 1]!);
    for (const { createdAtMicros } of times) expect(createdAtMicros).toBeGreaterThanOrEqual(0);
    // 5000 saves in a burst: a millisecond-bump clock would now be ~5 s ahead.
    expect(times.at(-1)!.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5);
  });
});
