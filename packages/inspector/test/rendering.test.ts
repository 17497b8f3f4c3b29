import { State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { graphSvg } from '../src/graph-svg.js';
import { escapeHtml, html } from '../src/html.js';
import { browserJson, previewValue, storedForm } from '../src/state-view.js';
import { CHAT_GRAPH } from './support/seed.js';

describe('html', () => {
  it('escapes every interpolated value, arrays item by item, and keeps nested html as is', () => {
    const hostile = '<script>alert("x")</script>&\'';
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html`<p title="${hostile}">${[hostile, html`<b>${hostile}</b>`]}</p>`.text).toBe(
      `<p title="${escapeHtml(hostile)}">${escapeHtml(hostile)}<b>${escapeHtml(hostile)}</b></p>`,
    );
    expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
  });
});

describe('the state as the page gets it', () => {
  it('is the stored form, with NaN, ±Infinity, -0 and big integers as marked strings and a stored NUL kept apart', () => {
    const state = new State({ at: new Date(Date.UTC(2025, 0, 1)), n: Number.NaN, inf: -Infinity, zero: -0, big: 2n ** 64n, nul: '\u0000n:NaN', tags: new Set(['a']) });
    const parsed = JSON.parse(browserJson(storedForm(state))) as Record<string, unknown>;
    expect(parsed).toEqual({
      at: { __burr_serde__: 'date', value: '2025-01-01T00:00:00.000Z' },
      n: '\u0000n:NaN',
      inf: '\u0000n:-Infinity',
      zero: '\u0000n:-0.0',
      big: { __burr_serde__: 'bigint', value: '18446744073709551616' },
      nul: '\u0000\u0000n:NaN',
      tags: { __burr_serde__: 'set', value: ['a'] },
    });
    // An integer past 2^53 in stored JSON (Python writes them bare) parses as a bigint, and reaches the page as its digits.
    expect(JSON.parse(browserJson({ big: 2n ** 64n }))).toEqual({ big: '\u0000n:18446744073709551616' });
  });

  it('previews a value in a few hundred characters without walking the rest', () => {
    const long = Array.from({ length: 100_000 }, (_, index) => ({ index }));
    const preview = previewValue(long, 50);
    expect(preview).toBe(`${'[{"index": 0}, {"index": 1}, {"index": 2}, {"index'.slice(0, 50)}…`);
    expect(previewValue({ n: Number.NaN, b: 10n, s: 'x' })).toBe('{"n": NaN, "b": 10, "s": "x"}');
  });
});

describe('graphSvg', () => {
  it('draws every action and transition, highlights the current one, and escapes names', () => {
    const graph = { ...CHAT_GRAPH, actions: [...CHAT_GRAPH.actions, { ...CHAT_GRAPH.actions[0]!, name: '<img src=x onerror=alert(1)>' }] };
    const svg = graphSvg(graph, 'ai_converse').text;
    expect(svg.match(/<g class="node/g)).toHaveLength(4);
    expect(svg.match(/<g class="edge"/g)).toHaveLength(4);
    expect(svg).toContain('<g class="node current" data-action="ai_converse">');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('question == &quot;exit&quot;');
  });
});
