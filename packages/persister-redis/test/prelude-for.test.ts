// Pure functions: no server needed. Every script running against a real server is the rest of the check
// (a helper left out is a call of a nil global there).
import { describe, expect, it } from 'vitest';
import { LUA_PRELUDE } from '../src/lua-prelude.js';
import { preludeFor } from '../src/prelude-for.js';

const defined = (prelude: string) => [...prelude.matchAll(/^local function (\w+)/gm)].map((match) => match[1]);

describe('preludeFor', () => {
  it('takes the helpers a body calls and nothing else', () => {
    expect(defined(preludeFor('return fmt(1)'))).toEqual(['fmt']);
    expect(preludeFor('return 1')).toBe('');
  });

  it('takes what those helpers call in turn, in the prelude’s order (a Lua local is seen only below it)', () => {
    const helpers = defined(preludeFor('return step_stored(ARGV[1], ARGV[2])'));
    expect(helpers).toContain('packed_step');
    expect(helpers).toContain('segment_field');
    expect(helpers).toContain('fmt');
    expect(helpers).not.toContain('walk');
    const order = defined(LUA_PRELUDE);
    expect(helpers).toEqual(order.filter((name) => helpers.includes(name)));
  });

  it('takes the constants a body names', () => {
    const prelude = preludeFor('return SEGMENT_STEPS');
    expect(prelude).toMatch(/^local SEGMENT_STEPS = \d+$/m);
    expect(defined(prelude)).toEqual([]);
  });

  it('ignores names in comments, and names that only contain a helper’s', () => {
    expect(preludeFor('-- walk(key) would do\nreturn my_fmt_count')).toBe('');
  });

  it('with every helper named, is the whole prelude', () => {
    const callingEach = defined(LUA_PRELUDE)
      .map((name) => `${name}()`)
      .join('\n');
    expect(defined(preludeFor(callingEach))).toEqual(defined(LUA_PRELUDE));
  });
});
