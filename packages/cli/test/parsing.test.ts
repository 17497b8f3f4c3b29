import { describe, expect, it } from 'vitest';
import { parseCutoff } from '../src/duration.js';
import { formatBytes, formatTable, prettyJsonText, shellQuote } from '../src/format.js';
import { parseStoreUrl, redactUrl, scrubSecrets } from '../src/store-url.js';

describe('store URLs', () => {
  it('choose the backend by scheme', () => {
    const cases: Array<[string, string]> = [
      ['sqlite:./burr.db', 'sqlite'],
      ['sqlite:/var/data/burr.db', 'sqlite'],
      ['file:./burr.db', 'libsql'],
      ['libsql://db.turso.io', 'libsql'],
      ['https://db.example.com', 'libsql'],
      ['postgres://u@h/db', 'pg'],
      ['postgresql://u@h/db', 'pg'],
      ['mysql://root@h/test', 'mysql'],
      ['redis://h:6379', 'redis'],
      ['rediss://h:6380', 'redis'],
      ['mongodb://h:27017', 'mongo'],
      ['mongodb+srv://cluster.example.com', 'mongo'],
    ];
    for (const [url, backend] of cases) expect(parseStoreUrl(url).backend, url).toBe(backend);
    expect(parseStoreUrl('sqlite:./burr.db').target).toBe('./burr.db');
  });

  it('refuse unknown schemes and sqlite:// forms, naming the forms that work', () => {
    expect(() => parseStoreUrl('ftp://x')).toThrow(/not a store URL; use one of: sqlite:/);
    expect(() => parseStoreUrl('sqlite:///burr.db')).toThrow(/sqlite:\.\/file\.db or sqlite:\/absolute\/file\.db/);
    expect(() => parseStoreUrl('sqlite:')).toThrow(/needs a file path/);
  });

  it('never show a password or token', () => {
    expect(redactUrl('postgres://burr:s3cret-pw@db:5432/app')).toBe('postgres://burr:***@db:5432/app');
    expect(redactUrl('mongodb+srv://u:p%40ss@a:1,b:2/db?retryWrites=true')).toBe('mongodb+srv://u:***@a:1,b:2/db?retryWrites=true');
    expect(redactUrl('libsql://db.turso.io?authToken=eyJhbGciOi')).toBe('libsql://db.turso.io?authToken=***');
    expect(redactUrl('redis://h:6379')).toBe('redis://h:6379');
    // A URL parser takes the host after the last "@": so does the redaction, hiding the whole password.
    expect(redactUrl('postgres://burr:correct@horse@db:5432/app')).toBe('postgres://burr:***@db:5432/app');
    expect(new URL('postgres://burr:correct@horse@db:5432/app').host).toBe('db:5432');
    const store = parseStoreUrl('postgres://burr:p%40ss-word@db/app');
    expect(store.display).toBe('postgres://burr:***@db/app');
    expect(store.hasSecret).toBe(true);
    const message = scrubSecrets('connect to postgres://burr:p%40ss-word@db/app failed (password p@ss-word rejected)', store);
    expect(message).toBe('connect to postgres://burr:***@db/app failed (password *** rejected)');
  });
});

describe('--older-than', () => {
  const now = new Date('2025-06-30T12:00:00Z');
  it('takes durations and sums of them', () => {
    expect(parseCutoff('30d', now).toISOString()).toBe('2025-05-31T12:00:00.000Z');
    expect(parseCutoff('12h', now).toISOString()).toBe('2025-06-30T00:00:00.000Z');
    expect(parseCutoff('15m', now).toISOString()).toBe('2025-06-30T11:45:00.000Z');
    expect(parseCutoff('45s', now).toISOString()).toBe('2025-06-30T11:59:15.000Z');
    expect(parseCutoff('1d12h', now).toISOString()).toBe('2025-06-29T00:00:00.000Z');
    expect(parseCutoff('2w', now).toISOString()).toBe('2025-06-16T12:00:00.000Z');
  });

  it('takes ISO dates (a date alone is midnight UTC)', () => {
    expect(parseCutoff('2025-01-31', now).toISOString()).toBe('2025-01-31T00:00:00.000Z');
    expect(parseCutoff('2025-01-31T10:30:00+02:00', now).toISOString()).toBe('2025-01-31T08:30:00.000Z');
  });

  it('refuses anything else', () => {
    for (const bad of ['30', '30 days', '-1d', 'yesterday', '2025-13-45', '1y']) expect(() => parseCutoff(bad, now), bad).toThrow(/--older-than takes a duration/);
    for (const far of ['9999999d', '99999999999999w']) expect(() => parseCutoff(far, now), far).toThrow(/reaches back before 1970/);
    expect(parseCutoff('20000d', now).getTime()).toBeGreaterThan(0);
  });
});

describe('formatting', () => {
  it('re-indents stored JSON without changing key order, big integers or Python tokens', () => {
    const stored = '{"2":1,"b":{"__burr_serde__":"set","value":["x, y:{"]},"big":123456789012345678901234,"n":NaN,"e":{},"l":[],"s":"q\\"uote"}';
    const pretty = prettyJsonText(stored);
    expect(pretty).toBe(
      [
        '{',
        '  "2": 1,',
        '  "b": {',
        '    "__burr_serde__": "set",',
        '    "value": [',
        '      "x, y:{"',
        '    ]',
        '  },',
        '  "big": 123456789012345678901234,',
        '  "n": NaN,',
        '  "e": {},',
        '  "l": [],',
        '  "s": "q\\"uote"',
        '}',
      ].join('\n'),
    );
    expect(pretty.replace(/\n\s*/g, '').replace(/": /g, '":')).toBe(stored);
  });

  it('pads table columns, numbers on the right', () => {
    const text = formatTable(
      [{ heading: 'ID' }, { heading: 'N', alignRight: true }],
      [
        ['a', '5'],
        ['bbb', '12'],
      ],
    );
    expect(text).toBe('ID    N\na     5\nbbb  12\n');
  });

  it('sizes and shell words', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(shellQuote('app-1')).toBe('app-1');
    expect(shellQuote("it's here")).toBe("'it'\\''s here'");
  });
});
