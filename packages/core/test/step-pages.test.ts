import { InMemoryPersister, State } from '@burr/core';
import { describe, expect, it } from 'vitest';

async function appWithTwoPositionsAt(sequenceId: number, steps: number): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  for (let i = 0; i < steps; i++) {
    const positions = i === sequenceId ? ['alpha', 'beta'] : ['step'];
    for (const position of positions) await persister.save({ appId: 'app', sequenceId: i, position, state: new State({ i }), status: 'completed' });
  }
  return persister;
}

describe('listSteps pages never end inside a sequence id', () => {
  it('keeps every position of the boundary sequence id on one page, in both orders, and the next page starts after it', async () => {
    const persister = await appWithTwoPositionsAt(1, 4);
    const newest = await persister.listSteps(null, 'app', { limit: 3 });
    expect(newest.steps.map((s) => `${s.sequenceId}:${s.position}`)).toEqual(['3:step', '2:step', '1:beta', '1:alpha']);
    expect(newest.nextCursor).toBe(1);
    const rest = await persister.listSteps(null, 'app', { limit: 3, before: 1 });
    expect(rest.steps.map((s) => `${s.sequenceId}:${s.position}`)).toEqual(['0:step']);
    expect(rest.nextCursor).toBeNull();

    const oldest = await persister.listSteps(null, 'app', { limit: 2, order: 'oldest-first' });
    expect(oldest.steps.map((s) => `${s.sequenceId}:${s.position}`)).toEqual(['0:step', '1:alpha', '1:beta']);
    const next = await persister.listSteps(null, 'app', { limit: 2, order: 'oldest-first', after: oldest.nextCursor! });
    expect(next.steps.map((s) => `${s.sequenceId}:${s.position}`)).toEqual(['2:step', '3:step']);
    expect(next.nextCursor).toBeNull();
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const persister = await appWithTwoPositionsAt(-1, 4);
    const page = await persister.listSteps(null, 'app', { limit: 4 });
    expect(page.steps).toHaveLength(4);
    expect(page.nextCursor).toBeNull();
    const boundary = await appWithTwoPositionsAt(0, 3);
    const last = await boundary.listSteps(null, 'app', { limit: 3 });
    expect(last.steps.map((s) => `${s.sequenceId}:${s.position}`)).toEqual(['2:step', '1:step', '0:beta', '0:alpha']);
    expect(last.nextCursor).toBeNull();
  });
});
