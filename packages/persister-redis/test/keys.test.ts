// Pure functions: no server needed.
import { InvalidIdentifierError } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { replyFields, replyList } from '../src/client.js';
import { RedisKeyLayout } from '../src/keys.js';

describe('RedisKeyLayout', () => {
  it('spells Python Burr’s keys, with and without a namespace, for empty partition keys too', () => {
    const ns = new RedisKeyLayout('ns');
    expect(ns.stepKey('p', 'a', 3)).toBe('ns:p:a:3');
    expect(ns.appsBySequenceKey('p')).toBe('ns:p');
    expect(ns.stepKey('', 'a', 0)).toBe('ns::a:0');
    expect(ns.appsBySequenceKey('')).toBe('ns:');
    expect(ns.appsBySaveKey('p')).toBe('ns:p:burr:apps_by_save');
    for (const none of [new RedisKeyLayout(undefined), new RedisKeyLayout('')]) {
      expect(none.stepKey('p', 'a', 3)).toBe('p:a:3');
      expect(none.appsBySequenceKey('')).toBe('');
      expect(none.stepKeyPrefix('', 'a')).toBe(':a:');
    }
  });

  it('refuses components that could reach another tenant’s keys', () => {
    const layout = new RedisKeyLayout('ns');
    expect(() => layout.stepKey('p:other', 'a', 0)).toThrow(InvalidIdentifierError);
    expect(() => layout.stepKey('p', 'a:9', 0)).toThrow(/Invalid app id/);
    expect(() => layout.appsBySequenceKey('*')).toThrow(/Invalid partition key/);
    expect(() => new RedisKeyLayout('ns:x')).toThrow(/Invalid namespace/);
    expect(() => new RedisKeyLayout(3 as unknown as string)).toThrow(InvalidIdentifierError);
  });
});

describe('reply shapes', () => {
  const expected = new Map([
    ['state', '{}'],
    ['status', 'completed'],
  ]);

  it('reads a hash from a flat list, pairs, a Map, an object or Buffers', () => {
    expect(replyFields(['state', '{}', 'status', 'completed'])).toEqual(expected);
    expect(
      replyFields([
        ['state', '{}'],
        ['status', 'completed'],
      ]),
    ).toEqual(expected);
    expect(replyFields(new Map(expected))).toEqual(expected);
    expect(replyFields({ state: '{}', status: 'completed' })).toEqual(expected);
    expect(replyFields([Buffer.from('state'), Buffer.from('{}'), 'status', Buffer.from('completed')])).toEqual(expected);
    expect(replyFields(null).size).toBe(0);
    expect(replyFields([]).size).toBe(0);
  });

  it('reads a list of members', () => {
    expect(replyList(['a', Buffer.from('b')])).toEqual(['a', 'b']);
    expect(replyList(null)).toEqual([]);
  });
});
