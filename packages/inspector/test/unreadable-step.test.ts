// A step that is stored but cannot be decoded (a delta edited by hand, a serde that throws) gets its page: the
// listing's facts, the error, and a link to the row of its chain that is broken, instead of an error page.
import { State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { httpRequest } from './support/http.js';
import { inspectedFile } from './support/inspected-file.js';

describe('the step page of a step that cannot be loaded (SQLite, incremental storage)', () => {
  const served = inspectedFile('inspector-unreadable', 'incremental', async (persister) => {
    for (let sequenceId = 0; sequenceId < 6; sequenceId++) {
      const messages = Array.from({ length: sequenceId + 1 }, (_, index) => `message ${index}`);
      await persister.save({ partitionKey: 'ada', appId: 'chat', sequenceId, position: 'respond', state: new State({ messages }), status: 'completed' });
    }
    // Step 3's delta, broken by hand: 3, 4 and 5 are rebuilt through it.
    const corrupted = persister.client.prepare(`UPDATE ${persister.tableName}_incremental SET state = '{"+messages": [' WHERE app_id = 'chat' AND sequence_id = 3`).run();
    expect(corrupted.changes).toBe(1);
    // Another app with step 1's status edited by hand: its listing fails too, not only its load.
    for (let sequenceId = 0; sequenceId < 4; sequenceId++) {
      await persister.save({ partitionKey: 'ada', appId: 'status', sequenceId, position: 'count', state: new State({ count: sequenceId }), status: 'completed' });
    }
    const edited = persister.client.prepare(`UPDATE ${persister.tableName}_incremental SET status = 'weird' WHERE app_id = 'status' AND sequence_id = 1`).run();
    expect(edited.changes).toBe(1);
  });
  const page = async (query: string) => httpRequest(served.url(`/step?partition=ada&app=chat&${query}`));

  it('a broken status costs only its own part of the pages around it', async () => {
    const statusPage = (query: string) => httpRequest(served.url(`/step?partition=ada&app=status&${query}`));
    const broken = await statusPage('seq=1');
    expect(broken.status).toBe(200);
    expect(broken.body).toContain('data-unreadable="BURR_DESERIALIZATION"');
    expect(broken.body).toContain('rel="prev" href="/step?partition=ada&amp;app=status&amp;seq=0"');
    expect(broken.body).toContain('rel="next" href="/step?partition=ada&amp;app=status&amp;seq=2"');
    // Step 2 loads; the step before it cannot be listed nor loaded: linked (its error names it), and no diff.
    const after = await statusPage('seq=2');
    expect(after.status).toBe(200);
    expect(after.body).toContain('id="state-tree"');
    expect(after.body).toContain('rel="prev" href="/step?partition=ada&amp;app=status&amp;seq=1"');
    expect(after.body).toMatch(/<p class="unreadable-compare">Step #1 cannot be loaded, so there is nothing to compare with: <code>BURR_DESERIALIZATION<\/code> /);
    expect(after.body).toContain('rel="next" href="/step?partition=ada&amp;app=status&amp;seq=3"');
    expect((await statusPage('seq=2&compare=0')).body).toContain('data-kind="changed"');
    // Step 0: linked on to the broken step.
    const before = await statusPage('seq=0');
    expect(before.status).toBe(200);
    expect(before.body).toContain('id="state-tree"');
    expect(before.body).toContain('rel="next" href="/step?partition=ada&amp;app=status&amp;seq=1"');
  });

  it('shows a step rebuilt through the broken row with its listing, the error, and a link to that row', async () => {
    const reply = await page('seq=5');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain("<h2>This step's state cannot be loaded</h2>");
    expect(reply.body).toContain('data-unreadable="BURR_DESERIALIZATION"');
    expect(reply.body).toMatch(
      /rebuilt from the delta stored at <a class="broken-row" href="\/step\?partition=ada&amp;app=chat&amp;seq=3">step #3<\/a> \(action <code>respond<\/code>\)/,
    );
    expect(reply.body).toMatch(
      /<code>BURR_DESERIALIZATION<\/code> Could not load the stored step at partition &quot;ada&quot;, app &quot;chat&quot;, sequence &quot;5&quot;: the delta at sequence 3/,
    );
    // The listing's facts, read without decoding the state, and the way on to the neighbours.
    expect(reply.body).toMatch(/Action <strong class="position">respond<\/strong> · <span class="status completed">completed<\/span> · saved .* UTC · \d+ B stored as a delta/);
    expect(reply.body).toContain('rel="prev" href="/step?partition=ada&amp;app=chat&amp;seq=4"');
    expect(reply.body).not.toContain('id="state-tree"');
    expect(reply.body).not.toContain('Create fork');
  });

  it('says so when the broken row is the step itself', async () => {
    const reply = await page('seq=3');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('The row stored for this step cannot be decoded.');
    expect(reply.body).not.toContain('class="broken-row"');
    expect(reply.body).toContain('rel="next" href="/step?partition=ada&amp;app=chat&amp;seq=4"');
  });

  it('shows a step that loads as usual, and says why it cannot compare it with a broken one', async () => {
    const before = await page('seq=2');
    expect(before.status).toBe(200);
    expect(before.body).toContain('id="state-tree"');
    expect(before.body).toContain('data-kind="appended"');
    const compared = await page('seq=2&compare=4');
    expect(compared.status).toBe(200);
    expect(compared.body).toContain('id="state-tree"');
    expect(compared.body).toMatch(/<p class="unreadable-compare">Step #4 cannot be loaded, so there is nothing to compare with: <code>BURR_DESERIALIZATION<\/code> /);
    expect(compared.body).not.toContain('data-kind="appended"');
  });

  it('answers the state API for a broken step with the error and its code, and 404 for a step that is not there', async () => {
    const state = await httpRequest(served.url('/api/state?partition=ada&app=chat&seq=4'));
    expect(state.status).toBe(500);
    expect(JSON.parse(state.body)).toMatchObject({ code: 'BURR_DESERIALIZATION', error: expect.stringContaining('the delta at sequence 3') });
    expect((await page('seq=9')).status).toBe(404);
  });
});

describe('the step page of a step that cannot be loaded (SQLite, full storage)', () => {
  const served = inspectedFile('inspector-unreadable-full', 'full', async (persister) => {
    for (const sequenceId of [0, 1]) {
      await persister.save({ partitionKey: '', appId: 'counter', sequenceId, position: 'count', state: new State({ count: sequenceId }), status: 'completed' });
    }
    expect(persister.client.prepare(`UPDATE ${persister.tableName} SET state = '{"count": ' WHERE sequence_id = 1`).run().changes).toBe(1);
  });

  it('names no chain row: the step is stored, and its state cannot be read back', async () => {
    const reply = await httpRequest(served.url('/step?app=counter&seq=1'));
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('This step is stored, but its state cannot be read back from what is stored.');
    expect(reply.body).toMatch(/<code>BURR_DESERIALIZATION<\/code> Could not load the stored step at partition &quot;&quot;, app &quot;counter&quot;, sequence &quot;1&quot;/);
    expect(reply.body).toContain('rel="prev" href="/step?partition=&amp;app=counter&amp;seq=0"');
    expect((await httpRequest(served.url('/step?app=counter&seq=0'))).body).toContain('id="state-tree"');
  });
});
