// Ids a store accepts but that sit at an edge: an id that would end a code comment, the largest sequence id.
import { InMemoryPersister, State } from '@burr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkCode, resumeCode } from '../src/fork-code.js';
import { type RunningInspector, startInspectorServer } from '../src/index.js';
import { httpRequest } from './support/http.js';

/** Ends a block comment and calls a function: code if it ever lands outside a string literal. */
const COMMENT_BREAKER = 'x*/ }); require("child_process").execSync("touch /tmp/pwned"); ({ /*';

describe('the fork code shown on a step page', () => {
  it('holds ids only as string literals, so an id cannot end a comment and run', () => {
    const code = forkCode({ partitionKey: COMMENT_BREAKER, appId: COMMENT_BREAKER, sequenceId: 3 }, { newAppId: COMMENT_BREAKER, entrypoint: COMMENT_BREAKER });
    expect(code).not.toContain(COMMENT_BREAKER);
    expect(code.split(JSON.stringify(COMMENT_BREAKER)).length - 1).toBe(5);
    const resume = resumeCode(COMMENT_BREAKER, COMMENT_BREAKER, COMMENT_BREAKER);
    expect(resume).not.toContain(COMMENT_BREAKER);
  });
});

describe('an id holding a right-to-left override or a zero-width space', () => {
  const persister = new InMemoryPersister();
  const appId = 'invoice\u202Efdp.exe\u200B';
  let inspector: RunningInspector | undefined;
  beforeAll(async () => {
    await persister.initialize();
    await persister.save({ partitionKey: 'ada', appId, sequenceId: 0, position: 'count', state: new State({ n: 0 }), status: 'completed' });
    inspector = await startInspectorServer({ persister, port: 0 });
  });
  afterAll(async () => inspector?.close());

  it('is shown with those characters written out, in headings, titles, links and the delete confirmation', async () => {
    const shown = 'invoice\\u{202E}fdp.exe\\u{200B}';
    const url = (path: string) => new URL(path, inspector!.url).href;
    const app = (await httpRequest(url(`/app?partition=ada&app=${encodeURIComponent(appId)}`))).body;
    expect(app).toContain(`<h1>App <code class="app-id">${shown}</code></h1>`);
    expect(app).toContain(`<title>App ${shown}`);
    expect(app).toContain(`data-confirm="Delete app ${shown} of ada,`);
    // The raw id stays where it is data: the write request names the app as stored.
    expect(app).toContain(`data-app="${appId}"`);
    expect((await httpRequest(url('/?partition=ada'))).body).toContain(`>${shown}</a></td>`);
    const step = (await httpRequest(url(`/step?partition=ada&app=${encodeURIComponent(appId)}&seq=0`))).body;
    expect(step).toContain(`<code class="app-id">${shown}</code></a></h1>`);
  });
});

describe('a step at the largest sequence id', () => {
  const persister = new InMemoryPersister();
  let inspector: RunningInspector | undefined;
  beforeAll(async () => {
    await persister.initialize();
    for (const sequenceId of [0, Number.MAX_SAFE_INTEGER]) {
      await persister.save({ partitionKey: 'ada', appId: 'far', sequenceId, position: 'count', state: new State({ sequenceId }), status: 'completed' });
    }
    inspector = await startInspectorServer({ persister, port: 0 });
  });
  afterAll(async () => inspector?.close());

  it('has its page, linked from the app page and to the step before it', async () => {
    const url = (path: string) => new URL(path, inspector!.url).href;
    const app = await httpRequest(url('/app?partition=ada&app=far'));
    expect(app.body).toContain(`href="/step?partition=ada&amp;app=far&amp;seq=${Number.MAX_SAFE_INTEGER}"`);
    const step = await httpRequest(url(`/step?partition=ada&app=far&seq=${Number.MAX_SAFE_INTEGER}`));
    expect(step.status).toBe(200);
    expect(step.body).toContain('id="state-tree"');
    expect(step.body).toContain('rel="prev" href="/step?partition=ada&amp;app=far&amp;seq=0"');
    expect((await httpRequest(url('/step?partition=ada&app=far&seq=0'))).body).toContain(`rel="next" href="/step?partition=ada&amp;app=far&amp;seq=${Number.MAX_SAFE_INTEGER}"`);
  });
});
