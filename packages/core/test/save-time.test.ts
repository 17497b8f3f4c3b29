import { describe, expect, it } from 'vitest';
import { nextSaveTime } from '../src/persistence/timestamps.js';

describe('nextSaveTime', () => {
  it('is strictly increasing at microsecond resolution and stays on the wall clock under a burst', async () => {
    const times = Array.from({ length: 5000 }, () => nextSaveTime());
    const micros = times.map(({ createdAt, createdAtMicros }) => createdAt.getTime() * 1000 + createdAtMicros);
    for (let i = 1; i < micros.length; i++) expect(micros[i]!).toBeGreaterThan(micros[i - 1]!);
    for (const { createdAtMicros } of times) expect(createdAtMicros).toBeGreaterThanOrEqual(0);
    // 5000 saves in a burst: a millisecond-bump clock would now be ~5 s ahead.
    expect(times.at(-1)!.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5);
    // The burst ran the clock up to 5 ms ahead, and the test files of a worker share this module (isolate: false):
    // wait until the wall clock has passed it, so later files see save times that are not in the future.
    while (Date.now() <= times.at(-1)!.createdAt.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
  });

  it('never runs ahead of the wall clock when saves are microseconds apart', async () => {
    // Earlier saves of this worker may have run the clock ahead: start once the wall clock has passed them.
    const start = nextSaveTime().createdAt.getTime();
    while (Date.now() <= start) await new Promise((resolve) => setTimeout(resolve, 1));
    const ahead: string[] = [];
    const until = performance.now() + 30;
    while (performance.now() < until) {
      const { createdAt, createdAtMicros } = nextSaveTime();
      const wall = Date.now();
      if (createdAt.getTime() > wall) ahead.push(`${createdAt.getTime()}.${createdAtMicros} at ${wall}`);
      const spaced = performance.now();
      while (performance.now() - spaced < 0.005) {
        // a few microseconds between saves, as between two real ones
      }
    }
    expect(ahead).toEqual([]);
  });
});
