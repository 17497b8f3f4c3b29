// Which list a list grew from: what lets incremental storage find a list's new tail in O(1).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { grewFrom, grownList } from '../src/list-growth.js';
import { State } from '../src/index.js';

describe('grewFrom', () => {
  it('follows appends back to an ancestor; an unrelated or copied list is not one', () => {
    const root = ['a'];
    const once = grownList(root, ['b']);
    const twice = grownList(once, new Set(['c']));
    expect(twice).toEqual(['a', 'b', 'c']);
    expect([grewFrom(twice, root), grewFrom(twice, once), grewFrom(once, once)]).toEqual([true, true, true]);
    expect([grewFrom(root, once), grewFrom([...twice], root), grewFrom(twice, ['a'])]).toEqual([false, false, false]);
  });

  it('gives up past 64 appends (the caller then compares elements)', () => {
    const root: unknown[] = [];
    let list: unknown[] = root;
    for (let i = 0; i < 64; i++) list = grownList(list, [i]);
    expect(grewFrom(list, root)).toBe(true);
    expect(grewFrom(grownList(list, [64]), root)).toBe(false);
  });

  it('State.append and State.extend record it; update does not', () => {
    const state = new State({ messages: ['a'] as string[] });
    const before = state.get('messages');
    const grown = state.append({ messages: 'b' }).extend({ messages: ['c'] });
    expect(grewFrom(grown.get('messages'), before)).toBe(true);
    expect(grewFrom(state.update({ messages: [...before, 'b'] }).get('messages'), before)).toBe(false);
  });

  it('keeps no earlier list alive: after 1,000 more appends, the list they started from can be collected', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    let state = new State({ messages: [] as number[] });
    state = state.append({ messages: 0 });
    const start = new WeakRef(state.get('messages') as number[]);
    for (let i = 1; i < 1000; i++) state = state.append({ messages: i });
    // This test's own WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collect();
    expect(start.deref()).toBeUndefined();
    expect(state.get('messages')).toHaveLength(1000);
  });
});
