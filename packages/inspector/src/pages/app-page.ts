import { printable } from '@burr/cli';
import { MAX_PAGE_SIZE } from '@burr/core';
import { graphSvg } from '../graph-svg.js';
import { type Html, html } from '../html.js';
import { InspectorRequestError, optionalInteger, requireString } from '../request.js';
import { type PageContext, href } from './context.js';
import { formatBytes, formatTime, partitionLabel } from './format.js';
import { layout } from './layout.js';
import { type ListedStep, readableStepPage } from './readable-steps.js';
import { isUnreadable } from './unreadable-step.js';

const DEFAULT_STEPS_PER_PAGE = 100;

/** One app: its graph (when known), its steps as a timeline a page at a time, and the delete action. */
export async function appPage(context: PageContext, params: URLSearchParams): Promise<Html> {
  const partitionKey = params.get('partition') ?? '';
  const appId = requireString(params.get('app'), 'app');
  const before = optionalInteger(params.get('before'), 'before');
  const after = optionalInteger(params.get('after'), 'after');
  const limit = optionalInteger(params.get('limit'), 'limit') ?? DEFAULT_STEPS_PER_PAGE;
  if (limit < 1 || limit > MAX_PAGE_SIZE) throw new InspectorRequestError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
  const { store } = context;

  // Newest first; `after` pages towards newer steps (read oldest first, then shown newest first).
  // A row that cannot be read (a status edited by hand) takes its place in the table, not the whole page.
  const page =
    after !== undefined
      ? await readableStepPage(store, partitionKey, appId, { newestFirst: false, after, limit }).then((result) => ({
          steps: [...result.steps].reverse(),
          olderCursor: null,
          newerCursor: result.nextCursor,
        }))
      : await readableStepPage(store, partitionKey, appId, { newestFirst: true, before, limit }).then((result) => ({
          steps: result.steps,
          olderCursor: result.nextCursor,
          newerCursor: null,
        }));
  const latest = before === undefined && after === undefined ? page.steps[0] : (await readableStepPage(store, partitionKey, appId, { newestFirst: true, limit: 1 })).steps[0];
  if (latest === undefined) throw new InspectorRequestError(404, `No steps of app ${JSON.stringify(appId)} in ${partitionLabel(partitionKey)}`);
  const graph = await context.graphFor(partitionKey, appId);
  const incremental = page.steps.some((step) => !isUnreadable(step) && step.storedAs !== undefined);
  const newest = page.steps[0];
  const oldest = page.steps.at(-1);
  const hasNewer = newest !== undefined && newest.sequenceId < latest.sequenceId;
  // A page read with `after` came from an older page, so older steps exist.
  const hasOlder = after !== undefined ? oldest !== undefined : page.olderCursor !== null;
  const pageLink = (cursor: { before?: number; after?: number }): string =>
    href(context, '/app', { partition: partitionKey, app: appId, limit: limit === DEFAULT_STEPS_PER_PAGE ? null : limit, ...cursor });

  const body = html`
<h1>App <code class="app-id">${printable(appId)}</code></h1>
<p class="meta">Partition ${partitionLabel(partitionKey)} · latest step ${latestStep(context, latest)}</p>
<section class="actions">
<form method="get" action="${href(context, '/step')}" class="jump">
<input type="hidden" name="partition" value="${partitionKey}"><input type="hidden" name="app" value="${appId}">
<label>Go to step <input name="seq" inputmode="numeric" pattern="[0-9]+" size="8" required></label> <button type="submit">Open</button>
</form>
<button type="button" class="danger" data-write="delete" data-partition="${partitionKey}" data-app="${appId}"
 data-confirm="Delete app ${printable(appId)} of ${partitionLabel(partitionKey)}, every saved step of it? This cannot be undone.">Delete app…</button>
</section>
${graph ? html`<section class="graph-box"><h2>Graph</h2>${graphSvg(graph, isUnreadable(latest) ? null : latest.position)}</section>` : ''}
<section>
<h2>Steps</h2>
<table class="steps">
<thead><tr><th>Seq</th><th>Action</th><th>Status</th><th>Saved</th><th>Size</th>${incremental ? html`<th>Stored as</th>` : ''}<th></th></tr></thead>
<tbody>${page.steps.map((step) => stepRow(context, partitionKey, appId, step, incremental))}</tbody>
</table>
<nav class="pager">
${hasNewer ? html`<a href="${pageLink({})}">Newest</a> <a rel="prev" href="${pageLink({ after: newest.sequenceId })}">Newer</a>` : ''}
${hasOlder && oldest ? html`<a rel="next" href="${pageLink({ before: oldest.sequenceId })}">Older</a>` : ''}
</nav>
</section>`;
  return layout(
    context,
    `App ${printable(appId)}`,
    [
      { label: 'apps', link: href(context, '/', { partition: partitionKey }) },
      { label: partitionLabel(partitionKey), link: href(context, '/', { partition: partitionKey }) },
      { label: printable(appId) },
    ],
    body,
  );
}

/** The app's latest step, for the heading. */
function latestStep(context: PageContext, latest: ListedStep): Html {
  if (isUnreadable(latest)) return html`#${latest.sequenceId}, whose stored row cannot be read`;
  const link = href(context, '/step', { partition: latest.partitionKey, app: latest.appId, seq: latest.sequenceId });
  return html`<a href="${link}">#${latest.sequenceId} ${latest.position}</a> (<span class="status ${latest.status}">${latest.status}</span>) · saved ${formatTime(latest.createdAt)}`;
}

/** `incremental`: the store keeps snapshots and deltas, so a column says which each step is. */
function stepRow(context: PageContext, partitionKey: string, appId: string, step: ListedStep, incremental: boolean): Html {
  const link = href(context, '/step', { partition: partitionKey, app: appId, seq: step.sequenceId });
  if (isUnreadable(step)) {
    return html`<tr class="unreadable" data-seq="${step.sequenceId}">
<td class="num"><a href="${link}">#${step.sequenceId}</a></td><td colspan="${incremental ? 5 : 4}" class="message">This step's stored row cannot be read: <code>${step.unreadable.code}</code> ${step.unreadable.message}</td><td><a href="${link}">open</a></td></tr>`;
  }
  return html`<tr class="${step.status}" data-seq="${step.sequenceId}">
<td class="num"><a href="${link}">#${step.sequenceId}</a></td><td>${step.position}</td>
<td><span class="status ${step.status}">${step.status === 'failed' ? '✗ failed' : 'completed'}</span></td>
<td>${formatTime(step.createdAt)}</td><td class="num">${formatBytes(step.sizeBytes)}</td>
${incremental ? html`<td><span class="stored ${step.storedAs ?? ''}">${step.storedAs ?? ''}</span></td>` : ''}<td><a href="${link}">state &amp; diff</a></td></tr>`;
}
