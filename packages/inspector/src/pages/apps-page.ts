import { printable } from '@burr/cli';
import { type AppSummary, MAX_PAGE_SIZE } from '@burr/core';
import { type Html, html } from '../html.js';
import { InspectorRequestError, optionalInteger } from '../request.js';
import { type PageContext, href } from './context.js';
import { formatTime, partitionLabel } from './format.js';
import { layout } from './layout.js';

/** Apps a prefix search reads through before it stops and offers to go on. */
const PREFIX_SCAN_LIMIT = 10_000;
const DEFAULT_APPS_PER_PAGE = 50;

/** Query of the apps page. */
interface AppsQuery {
  partitionKey: string;
  search: string;
  match: 'prefix' | 'exact';
  cursor: string | null;
  limit: number;
  deleted: string | null;
}

function readQuery(params: URLSearchParams, frontPartition: string): AppsQuery {
  const limit = optionalInteger(params.get('limit'), 'limit') ?? DEFAULT_APPS_PER_PAGE;
  if (limit < 1 || limit > MAX_PAGE_SIZE) throw new InspectorRequestError(400, `limit must be 1 to ${MAX_PAGE_SIZE}`);
  return {
    // `?partition=` (the form's empty field) asks for no partition; no parameter at all is the front page.
    partitionKey: params.get('partition') ?? frontPartition,
    search: params.get('q') ?? '',
    match: params.get('match') === 'exact' ? 'exact' : 'prefix',
    cursor: params.get('cursor') || null,
    limit,
    deleted: params.get('deleted'),
  };
}

/** A partition's apps, newest first, a page at a time; or the apps whose id matches a search. */
export async function appsPage(context: PageContext, params: URLSearchParams): Promise<Html> {
  const query = readQuery(params, context.frontPartition);
  const { apps, nextCursor, note } = query.search
    ? await searchApps(context, query)
    : await context.store.listApps(query.partitionKey, { limit: query.limit, cursor: query.cursor }).then((page) => ({ ...page, note: null }));
  const partitions = await context.knownPartitions();
  const body = html`
${query.deleted !== null ? html`<p class="notice" data-notice="deleted">Deleted app <code>${query.deleted}</code>.</p>` : ''}
<section class="controls">
<form method="get" action="${href(context, '/')}" class="partition-form">
<label>Partition <input name="partition" value="${query.partitionKey}" list="partitions" placeholder="(no partition)" autocomplete="off"></label>
<datalist id="partitions">${partitions.map((key) => html`<option value="${key}"></option>`)}</datalist>
<label>App id <input name="q" value="${query.search}" placeholder="search by app id" autocomplete="off"></label>
<select name="match" aria-label="match"><option value="prefix"${query.match === 'prefix' ? ' selected' : ''}>starts with</option><option value="exact"${query.match === 'exact' ? ' selected' : ''}>is exactly</option></select>
<button type="submit">Show</button>
</form>
${partitions.length > 0 ? html`<p class="partitions">Partitions: ${partitions.map((key) => html`<a href="${href(context, '/', { partition: key })}">${partitionLabel(key)}</a> `)}</p>` : ''}
</section>
<h1>Apps of ${partitionLabel(query.partitionKey)}${query.search ? html` matching <code>${query.search}</code>` : ''}</h1>
${note ? html`<p class="note">${note}</p>` : ''}
${apps.length === 0 ? html`<p class="empty">No apps${query.search ? ' match' : ' saved in this partition'}.</p>` : appsTable(context, apps)}
<nav class="pager">${query.cursor ? html`<a href="${href(context, '/', { partition: query.partitionKey, q: query.search || null, match: query.search ? query.match : null })}">First page</a>` : ''}
${nextCursor ? html`<a rel="next" href="${href(context, '/', { partition: query.partitionKey, q: query.search || null, match: query.search ? query.match : null, cursor: nextCursor, limit: query.limit === DEFAULT_APPS_PER_PAGE ? null : query.limit })}">Next page</a>` : ''}</nav>`;
  return layout(context, `Apps of ${partitionLabel(query.partitionKey)}`, [{ label: 'apps' }, { label: partitionLabel(query.partitionKey) }], body);
}

function appsTable(context: PageContext, apps: readonly AppSummary[]): Html {
  return html`<table class="apps">
<thead><tr><th>App id</th><th>Last step</th><th>Status</th><th>Last saved</th></tr></thead>
<tbody>${apps.map(
    (app) => html`<tr class="${app.lastStatus}">
<td><a class="app-link" href="${href(context, '/app', { partition: app.partitionKey, app: app.appId })}">${printable(app.appId)}</a></td>
<td><a href="${href(context, '/step', { partition: app.partitionKey, app: app.appId, seq: app.lastSequenceId })}">#${app.lastSequenceId} ${app.lastPosition}</a></td>
<td><span class="status ${app.lastStatus}">${app.lastStatus}</span></td>
<td>${formatTime(app.lastSavedAt)}</td></tr>`,
  )}</tbody></table>`;
}

interface SearchResult {
  apps: AppSummary[];
  nextCursor: string | null;
  note: string | null;
}

/**
 * Exact: one look-up of the app's latest step. Prefix: the listing read a
 * page of 1000 at a time, newest first, until a page of matches is found or
 * {@link PREFIX_SCAN_LIMIT} apps were read (then the next link goes on from there).
 */
async function searchApps(context: PageContext, query: AppsQuery): Promise<SearchResult> {
  if (query.match === 'exact') {
    const { steps } = await context.store.listSteps(query.partitionKey, query.search, { limit: 1 });
    const latest = steps[0];
    const apps = latest
      ? [
          {
            partitionKey: latest.partitionKey,
            appId: latest.appId,
            lastSequenceId: latest.sequenceId,
            lastPosition: latest.position,
            lastStatus: latest.status,
            lastSavedAt: latest.createdAt,
          },
        ]
      : [];
    return { apps, nextCursor: null, note: null };
  }
  const found: AppSummary[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  do {
    const page = await context.store.listApps(query.partitionKey, { limit: MAX_PAGE_SIZE, cursor });
    scanned += page.apps.length;
    for (const app of page.apps) if (app.appId.startsWith(query.search)) found.push(app);
    cursor = page.nextCursor;
  } while (cursor !== null && found.length < query.limit && scanned < PREFIX_SCAN_LIMIT);
  const note = cursor !== null ? `Read ${scanned.toLocaleString('en')} apps (newest first) for this search; the next page reads on.` : null;
  return { apps: found, nextCursor: cursor, note };
}
