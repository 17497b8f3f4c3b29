// An app whose listing meets rows it cannot read (a status edited by hand) still gets its app page: each such
// row takes its place in the table with its error and a link, and the pager goes on past it.
import { State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { httpRequest } from './support/http.js';
import { inspectedFile } from './support/inspected-file.js';

/** The sequence ids of the page's table rows, in order, each marked `!` when its row is shown as unreadable. */
function tableRows(body: string): string[] {
  return [...body.matchAll(/<tr class="(\w+)" data-seq="(\d+)">/g)].map(([, kind, seq]) => (kind === 'unreadable' ? `${seq}!` : seq!));
}

/** The `before` or `after` cursor of the page's Older or Newer link, or undefined without one. */
function pagerCursor(body: string, rel: 'next' | 'prev'): string | undefined {
  return body.match(new RegExp(`rel="${rel}" href="/app\\?[^"]*?(?:before|after)=(\\d+)`))?.[1];
}

for (const storage of ['full', 'incremental'] as const) {
  describe(`the app page of an app with rows that cannot be read (SQLite, ${storage} storage)`, () => {
    const table = storage === 'full' ? 'burr_state' : 'burr_state_incremental';
    const served = inspectedFile(`inspector-unreadable-listing-${storage}`, storage, async (persister) => {
      const seed = async (appId: string, broken: number[]) => {
        for (let sequenceId = 0; sequenceId < 8; sequenceId++) {
          await persister.save({ partitionKey: 'ada', appId, sequenceId, position: 'count', state: new State({ count: sequenceId }), status: 'completed' });
        }
        for (const sequenceId of broken) {
          const edited = persister.client.prepare(`UPDATE ${table} SET status = 'weird' WHERE app_id = ? AND sequence_id = ?`).run(appId, sequenceId);
          expect(edited.changes).toBe(1);
        }
      };
      await seed('middle', [2, 5]);
      await seed('ends', [0, 7]);
    });
    const appPage = (query: string) => httpRequest(served.url(`/app?partition=ada&${query}`));

    it('lists every step, each unreadable row in its place with its error and a link to its step page', async () => {
      const reply = await appPage('app=middle');
      expect(reply.status).toBe(200);
      expect(tableRows(reply.body)).toEqual(['7', '6', '5!', '4', '3', '2!', '1', '0']);
      expect(reply.body).toMatch(/<tr class="unreadable" data-seq="5">\n<td class="num"><a href="\/step\?partition=ada&amp;app=middle&amp;seq=5">#5<\/a><\/td>/);
      expect(reply.body).toContain("This step's stored row cannot be read: <code>BURR_DESERIALIZATION</code>");
      expect(reply.body).toContain('unknown status &quot;weird&quot;');
      expect(reply.body).toContain('latest step <a href="/step?partition=ada&amp;app=middle&amp;seq=7">#7 count</a>');
    });

    it('pages past unreadable rows in both directions, a page ending on one included', async () => {
      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const reply = await appPage(`app=middle&limit=3${before === undefined ? '' : `&before=${before}`}`);
        expect(reply.status).toBe(200);
        pages.push(tableRows(reply.body));
        before = pagerCursor(reply.body, 'next');
        if (before === undefined) break;
        expect(pages.length).toBeLessThan(5);
      }
      expect(pages).toEqual([
        ['7', '6', '5!'],
        ['4', '3', '2!'],
        ['1', '0'],
      ]);
      // Towards newer steps from step 1: read oldest first, shown newest first.
      const newer = await appPage('app=middle&limit=3&after=1');
      expect(tableRows(newer.body)).toEqual(['4', '3', '2!']);
      expect(pagerCursor(newer.body, 'prev')).toBe('4');
    });

    it('names a latest step that cannot be read in the heading, and ends the pager on an unreadable first step', async () => {
      const reply = await appPage('app=ends');
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('latest step #7, whose stored row cannot be read');
      expect(tableRows(reply.body)).toEqual(['7!', '6', '5', '4', '3', '2', '1', '0!']);
      const last = await appPage('app=ends&limit=2&before=2');
      expect(tableRows(last.body)).toEqual(['1', '0!']);
      expect(pagerCursor(last.body, 'next')).toBeUndefined();
      const older = await appPage('app=ends&limit=2&before=4');
      expect(tableRows(older.body)).toEqual(['3', '2']);
      expect(pagerCursor(older.body, 'next')).toBe('2');
      expect((await appPage('app=ends&limit=1&before=1')).status).toBe(200);
    });
  });
}
