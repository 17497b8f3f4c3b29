import { describe, expect, it } from 'vitest';
import { always, Condition, expr, State, when } from '@burr/core';

const state = new State({ status: 'done', count: 3, tags: ['a', 'b'], meta: { x: 1 }, flag: true });

describe('when', () => {
  it('holds when every key equals the given value', () => {
    expect(when({ status: 'done' }).evaluate(state)).toBe(true);
    expect(when({ status: 'done', count: 3 }).evaluate(state)).toBe(true);
    expect(when({ status: 'done', count: 4 }).evaluate(state)).toBe(false);
    expect(when({ status: 'pending' }).evaluate(state)).toBe(false);
  });

  it('compares lists and plain objects by value', () => {
    expect(when({ tags: ['a', 'b'] }).evaluate(state)).toBe(true);
    expect(when({ tags: ['a'] }).evaluate(state)).toBe(false);
    expect(when({ meta: { x: 1 } }).evaluate(state)).toBe(true);
    expect(when({ meta: { x: 2 } }).evaluate(state)).toBe(false);
  });

  it('is false, not an error, when a key is missing', () => {
    expect(when({ missing: 'x' }).evaluate(state)).toBe(false);
    expect(when({ missing: undefined }).evaluate(state)).toBe(false);
  });

  it('is named like Python Burr: key=value, keys sorted, Python spellings', () => {
    expect(when({ b: 'done', a: 1 }).name).toBe('a=1, b=done');
    expect(when({ flag: true, none: null }).name).toBe('flag=True, none=None');
    expect(when({ b: 1, a: 2 }).reads).toEqual(['b', 'a']);
  });
});

describe('expr', () => {
  it('evaluates a predicate over the state', () => {
    const big = expr((s) => (s.get('count') as number) > 2);
    expect(big.evaluate(state)).toBe(true);
    expect(big.evaluate(state.update({ count: 1 }))).toBe(false);
  });

  it('is named by its source text unless a name is given', () => {
    const fn = (s: State) => s.has('count');
    expect(expr(fn).name).toBe(fn.toString());
    // The transpiler may respell quotes, so match loosely.
    expect(expr(fn).name).toMatch(/s\.has\(["']count["']\)/);
    expect(expr(fn, 'has count').name).toBe('has count');
  });

  it('counts only a literal true as holding', () => {
    const truthy = expr(() => 1 as unknown as boolean);
    expect(truthy.evaluate(state)).toBe(false);
  });
});

describe('default', () => {
  it('always holds and is named "default"', () => {
    expect(Condition.default.evaluate(new State())).toBe(true);
    expect(Condition.default.name).toBe('default');
    expect(always).toBe(Condition.default);
  });
});

describe('combinators', () => {
  const isDone = when({ status: 'done' });
  const isBig = expr((s) => (s.get('count') as number) > 5, 'big');

  it('not() negates and is named ~(x)', () => {
    expect(isDone.not().evaluate(state)).toBe(false);
    expect(isBig.not().evaluate(state)).toBe(true);
    expect(isDone.not().name).toBe('~(status=done)');
  });

  it('or() holds when either holds and is named (a) | (b)', () => {
    const either = isDone.or(isBig);
    expect(either.evaluate(state)).toBe(true);
    expect(either.evaluate(state.update({ status: 'x' }))).toBe(false);
    expect(either.evaluate(state.update({ status: 'x', count: 9 }))).toBe(true);
    expect(either.name).toBe('(status=done) | (big)');
  });

  it('and() holds when both hold and is named (a) & (b)', () => {
    const both = isDone.and(isBig);
    expect(both.evaluate(state)).toBe(false);
    expect(both.evaluate(state.update({ count: 9 }))).toBe(true);
    expect(both.name).toBe('(status=done) & (big)');
  });

  it('nests, and unions the keys read', () => {
    const nested = when({ a: 1 })
      .or(when({ b: 2 }))
      .and(when({ a: 1 }).not());
    expect(nested.name).toBe('((a=1) | (b=2)) & (~(a=1))');
    expect(nested.reads).toEqual(['a', 'b']);
    expect(nested.evaluate(new State({ a: 2, b: 2 }))).toBe(true);
    expect(nested.evaluate(new State({ a: 1, b: 2 }))).toBe(false);
  });

  it('Condition.when and Condition.expr are aliases', () => {
    expect(Condition.when({ status: 'done' }).evaluate(state)).toBe(true);
    expect(Condition.expr(() => true, 'yes').name).toBe('yes');
  });
});
