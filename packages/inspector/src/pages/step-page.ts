import { printable } from '@burr/cli';
import type { StepSummary } from '@burr/core';
import { diffStates } from '../diff.js';
import { forkCode, suggestForkId } from '../fork-code.js';
import { graphSvg } from '../graph-svg.js';
import { type Html, html } from '../html.js';
import { InspectorRequestError, optionalInteger, requireString } from '../request.js';
import { storedForm } from '../state-view.js';
import { type PageContext, href } from './context.js';
import { diffView } from './diff-view.js';
import { formatBytes, formatTime, partitionLabel } from './format.js';
import { layout } from './layout.js';
import { type ListedStep, readableStepPage } from './readable-steps.js';
import { isUnreadable, nothingToCompare, readable, type Unreadable, unreadableStepSection } from './unreadable-step.js';

/**
 * One step: its state as a tree (drawn by the page's script from
 * `api/state`, a level at a time as it is opened), the diff against the
 * previous step or a chosen one, the graph with this step's action
 * highlighted, and the fork action. A step that is stored but cannot be
 * decoded gets its page all the same, saying why instead of the state.
 */
export async function stepPage(context: PageContext, params: URLSearchParams): Promise<Html> {
  const partitionKey = params.get('partition') ?? '';
  const appId = requireString(params.get('app'), 'app');
  const sequenceId = optionalInteger(params.get('seq'), 'seq');
  if (sequenceId === undefined) throw new InspectorRequestError(400, 'seq is required');
  const compareParam = optionalInteger(params.get('compare'), 'compare');
  const includeHidden = params.get('hidden') === '1';
  const { store } = context;

  const stepLink = (seq: number, extra: Record<string, string | number | null> = {}): string => href(context, '/step', { partition: partitionKey, app: appId, seq, ...extra });
  const place = { partitionKey, appId, sequenceId, stepLink };
  // Each read on its own, all at once: a row whose listed fields are broken (a status edited by hand) costs only its part of the page.
  const [loaded, listed, previous, next] = await Promise.all([
    readable(() => store.load(partitionKey, appId, sequenceId)),
    // Nothing lies above the largest sequence id, which has no `before` past it.
    readable(async () =>
      (await store.listSteps(partitionKey, appId, { ...(sequenceId < Number.MAX_SAFE_INTEGER && { before: sequenceId + 1 }), limit: 1 })).steps.find(
        (item) => item.sequenceId === sequenceId,
      ),
    ),
    readable(async () => (await readableStepPage(store, partitionKey, appId, { newestFirst: true, before: sequenceId, limit: 1 })).steps[0] ?? null),
    readable(async () => (await readableStepPage(store, partitionKey, appId, { newestFirst: false, after: sequenceId, limit: 1 })).steps[0] ?? null),
  ]);
  if (loaded === null) throw new InspectorRequestError(404, `No step ${sequenceId} of app ${JSON.stringify(appId)} in ${partitionLabel(partitionKey)}`);
  const summary = isUnreadable(listed) ? undefined : listed;
  // A neighbour whose row cannot be read is still linked: its own page says why.
  const previousStep = neighbourOf(previous);
  const nextStep = neighbourOf(next);
  const heading = html`
<h1>Step <span class="seq">#${sequenceId}</span> of <a href="${href(context, '/app', { partition: partitionKey, app: appId })}"><code class="app-id">${printable(appId)}</code></a></h1>
<p class="meta">${isUnreadable(loaded) ? (summary ? stepMeta(summary, summary) : '') : stepMeta(loaded, summary)}</p>
<nav class="pager">${previousStep ? html`<a rel="prev" href="${stepLink(previousStep.sequenceId)}">← #${previousStep.sequenceId}</a>` : ''} ${nextStep ? html`<a rel="next" href="${stepLink(nextStep.sequenceId)}">#${nextStep.sequenceId} →</a>` : ''}</nav>`;
  const crumbs = [
    { label: 'apps', link: href(context, '/', { partition: partitionKey }) },
    { label: partitionLabel(partitionKey), link: href(context, '/', { partition: partitionKey }) },
    { label: printable(appId), link: href(context, '/app', { partition: partitionKey, app: appId }) },
    { label: `#${sequenceId}` },
  ];
  if (isUnreadable(loaded))
    return layout(context, `Step #${sequenceId} of ${printable(appId)}`, crumbs, html`${heading}${unreadableStepSection(context, place, loaded.unreadable)}`);
  const step = loaded;

  const compareTo = compareParam ?? previousStep?.sequenceId ?? null;
  const other = compareTo === null ? null : await readable(() => store.load(partitionKey, appId, compareTo));
  if (compareTo !== null && other === null) throw new InspectorRequestError(404, `No step ${compareTo} of app ${JSON.stringify(appId)} to compare with`);
  const current = storedForm(step.state);
  const graph = await context.graphFor(partitionKey, appId);
  const newAppId = suggestForkId(appId, sequenceId);
  const comparedWith =
    compareTo !== null
      ? html`against <a href="${stepLink(compareTo)}">#${compareTo}</a>${compareParam === undefined ? ' (the previous step)' : ''}`
      : isUnreadable(previous)
        ? html`against the previous step`
        : html`(first step: everything is new)`;
  const diff =
    compareTo === null && isUnreadable(previous)
      ? nothingToCompare('The step before this one cannot be listed', previous.unreadable)
      : isUnreadable(other)
        ? nothingToCompare(`Step #${compareTo} cannot be loaded`, other.unreadable)
        : diffView(diffStates(other === null ? {} : storedForm(other.state), current, { includeHidden }));

  const body = html`${heading}
${graph ? html`<section class="graph-box"><h2>Graph</h2>${graphSvg(graph, step.position)}</section>` : ''}
<section class="diff-box">
<h2>Diff ${comparedWith}</h2>
<form method="get" action="${href(context, '/step')}" class="compare">
<input type="hidden" name="partition" value="${partitionKey}"><input type="hidden" name="app" value="${appId}"><input type="hidden" name="seq" value="${sequenceId}">
<label>Compare with step <input name="compare" inputmode="numeric" pattern="[0-9]+" size="8" value="${compareParam ?? ''}"></label>
<label><input type="checkbox" name="hidden" value="1"${includeHidden ? ' checked' : ''}> include hidden __ keys</label>
<button type="submit">Compare</button>
</form>
${diff}
</section>
<section class="state-box">
<h2>State</h2>
<p class="note">Values as stored: dates, sets, maps and your own types keep Burr's tags. <a href="${href(context, '/api/state', { partition: partitionKey, app: appId, seq: sequenceId })}">raw JSON</a></p>
<div id="state-tree" class="tree" data-src="${href(context, '/api/state', { partition: partitionKey, app: appId, seq: sequenceId })}">Loading the state…</div>
</section>
<section class="fork-box">
<h2>Fork from this step</h2>
<p>Run on from step #${sequenceId} as a new app (this app stays as it is): build your application with this loader call.</p>
<label>New app id <input id="fork-app-id" value="${newAppId}" autocomplete="off"></label>
<pre class="code" id="fork-code" data-app-id="${newAppId}">${forkCode({ partitionKey, appId, sequenceId }, { newAppId, entrypoint: graph?.entrypoint ?? null })}</pre>
<p>Or create the new app here: step #${sequenceId} is copied into it under the new id (same sequence id, action and status), so it shows in the listing, and <code>initializeFrom(persister, { resumeAtNextAction: true, … })</code> with that app id runs on from it.</p>
<button type="button" data-write="fork" data-partition="${partitionKey}" data-app="${appId}" data-seq="${sequenceId}"
 data-confirm="Create a new app from step #${sequenceId} of ${printable(appId)}?">Create fork…</button>
</section>`;
  return layout(context, `Step #${sequenceId} of ${printable(appId)}`, crumbs, body);
}

/** The step's action, status and save time (from its loaded state or its listing), and its stored size when listed. */
function stepMeta(step: Pick<StepSummary, 'position' | 'status' | 'createdAt'>, summary: StepSummary | undefined): Html {
  const status = step.status === 'failed' ? '✗ failed (the state from before the action)' : 'completed';
  const size = summary ? ` · ${formatBytes(summary.sizeBytes)}${summary.storedAs ? ` stored as a ${summary.storedAs}` : ''}` : '';
  return html`Action <strong class="position">${step.position}</strong> · <span class="status ${step.status}">${status}</span> · saved ${formatTime(step.createdAt)}${size}`;
}

/** The step to link to beside this one: a listed step, one whose row the listing named as unreadable, or none. */
function neighbourOf(outcome: ListedStep | null | Unreadable): { sequenceId: number } | null {
  return outcome !== null && 'sequenceId' in outcome ? outcome : null;
}
