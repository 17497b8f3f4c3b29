import { formatKeyPath } from '@burr/core';
import type { DiffEntry, StateDiff } from '../diff.js';
import { type Html, html } from '../html.js';
import { previewValue } from '../state-view.js';

const KIND_LABELS: Readonly<Record<DiffEntry['kind'], string>> = {
  added: 'added',
  removed: 'removed',
  changed: 'changed',
  appended: 'appended',
  truncated: 'removed from end',
};

/** The diff as a table: what changed where, with a short preview of the values. */
export function diffView(diff: StateDiff): Html {
  if (diff.entries.length === 0) return html`<p class="empty" data-diff="none">No differences${diff.hiddenKeysSkipped ? ' (hidden __ keys not compared)' : ''}.</p>`;
  return html`<table class="diff">
<thead><tr><th>Change</th><th>Where</th><th>Before</th><th>After</th></tr></thead>
<tbody>${diff.entries.map(entryRow)}</tbody></table>
${diff.omitted > 0 ? html`<p class="note">and ${diff.omitted.toLocaleString('en')} more differences not shown.</p>` : ''}`;
}

function entryRow(entry: DiffEntry): Html {
  const where = formatKeyPath(entry.path);
  const cells = (() => {
    switch (entry.kind) {
      case 'added':
        return html`<td></td><td>${value(entry.after)}</td>`;
      case 'removed':
        return html`<td>${value(entry.before)}</td><td></td>`;
      case 'changed':
        return html`<td>${value(entry.before)}</td><td>${value(entry.after)}</td>`;
      case 'appended':
        return html`<td class="count">${itemCount(entry.fromIndex)}</td><td><ol class="items" start="${entry.fromIndex}">${entry.items.slice(0, 50).map((item) => html`<li>${value(item)}</li>`)}</ol>${more(entry.items.length)}</td>`;
      case 'truncated':
        return html`<td><ol class="items" start="${entry.fromIndex}">${entry.items.slice(0, 50).map((item) => html`<li>${value(item)}</li>`)}</ol>${more(entry.items.length)}</td><td class="count">${itemCount(entry.fromIndex)}</td>`;
    }
  })();
  return html`<tr class="diff-${entry.kind}" data-kind="${entry.kind}" data-path="${where}"><td><span class="kind ${entry.kind}">${KIND_LABELS[entry.kind]}${entry.kind === 'appended' || entry.kind === 'truncated' ? ` ${entry.items.length}` : ''}</span></td><td><code>${where}</code></td>${cells}</tr>`;
}

function value(item: unknown): Html {
  return html`<code class="value">${previewValue(item, 300)}</code>`;
}

function more(count: number): Html {
  return count > 50 ? html`<p class="note">… ${count - 50} more</p>` : html``;
}

function itemCount(count: number): string {
  return `${count} item${count === 1 ? '' : 's'}`;
}
