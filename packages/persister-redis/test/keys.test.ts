// Pure functions: no server needed.
import { InvalidIdentifierError } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { replyFields, replyList } from '../src/client.js';
import { RedisKeyLayout } from '../src/keys.js';

describe('RedisKeyLayout', () => {
  it('saveKeys lists the keys the save script takes, as the single-key methods spell them', () => {
    for (const layout of [new RedisKeyLayout('ns'), new RedisKeyLayout(undefined), new RedisKeyLayout('ns', 'incremental')]) {
      expect(layout.saveKeys('p', 'a', 7)).toEqual([
        layout.stepKey('p', 'a', 7),
        layout.appsBySequenceKey('p'),
        layout.appsBySaveKey('p'),
        layout.savedAtKey('p'),
        layout.appStepsKey('p', 'a'),
        layout.appUnindexedKey('p', 'a'),
      ]);
    }
    expect(() => new RedisKeyLayout('ns').saveKeys('p', 'a:b', 0)).toThrow(InvalidIdentifierError);
    expect(() => new RedisKeyLayout('ns').saveKeys('p*', 'a', 0)).toThrow(InvalidIdentifierError);
  });

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

  it('spells our keys beside them: the partition’s save order and save times, each app’s index and marker', () => {
    for (const [layout, prefix] of [
      [new RedisKeyLayout('ns'), 'ns:'],
      [new RedisKeyLayout(undefined), ''],
    ] as const) {
      expect(layout.appsBySaveKey('p')).toBe(`${prefix}p:burr:apps_by_save`);
      expect(layout.savedAtKey('p')).toBe(`${prefix}p:burr:saved_at`);
      expect(layout.appStepsKey('p', 'a')).toBe(`${prefix}p:a:burr:steps`);
      expect(layout.appUnindexedKey('p', 'a')).toBe(`${prefix}p:a:burr:unindexed`);
      expect(layout.partitionPrefix('p')).toBe(`${prefix}p:`);
      expect(layout.scanPattern()).toBe(`${prefix}*`);
    }
  });

  it('no key of one kind is a key of another, with or without a namespace, for components that hold no ":"', () => {
    const components = ['', 'burr', 'steps', 'apps_by_save', 'saved_at', 'unindexed', '0', '12', 'p'];
    const kinds = new Map<string, string>();
    for (const layout of [new RedisKeyLayout('ns'), new RedisKeyLayout('burr'), new RedisKeyLayout(undefined)]) {
      for (const p of components) {
        const add = (kind: string, key: string) => {
          const seen = kinds.get(key);
          if (seen !== undefined && seen !== kind) throw new Error(`${JSON.stringify(key)} is both ${seen} and ${kind}`);
          kinds.set(key, kind);
        };
        add('partition set', layout.appsBySequenceKey(p));
        add('apps by save', layout.appsBySaveKey(p));
        add('saved at', layout.savedAtKey(p));
        for (const a of components.filter(Boolean)) {
          add('index', layout.appStepsKey(p, a));
          add('marker', layout.appUnindexedKey(p, a));
          for (const sequenceId of [0, 12]) add('step', layout.stepKey(p, a, sequenceId));
        }
      }
    }
    expect(kinds.size).toBe(3 * (9 * 3 + 9 * 8 * 4));
  });

  it('tells a namespace’s partition sets apart in a scan by their shape', () => {
    const ns = new RedisKeyLayout('ns');
    expect(ns.partitionOfKey('ns:p')).toBe('p');
    expect(ns.partitionOfKey('ns:')).toBe('');
    for (const other of ['ns:p:burr:apps_by_save', 'ns:p:a:burr:steps', 'ns:p:a:3', 'other:p', 'nsp', 'ns:p*']) expect(ns.partitionOfKey(other), other).toBeNull();
    const none = new RedisKeyLayout(undefined);
    expect(none.partitionOfKey('p')).toBe('p');
    expect(none.partitionOfKey('ns:p')).toBeNull();
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
