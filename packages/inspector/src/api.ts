import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertAppId } from '@burr/core';
import type { PageContext } from './pages/context.js';
import { href } from './pages/context.js';
import { partitionLabel } from './pages/format.js';
import { InspectorRequestError, optionalInteger, readJsonBody, requireString, sendJson } from './request.js';
import { browserJson, storedForm } from './state-view.js';

/** `GET api/state`: a step's state in its stored form, as JSON the page's script can parse (see `browserJson`). */
export async function stateApi(context: PageContext, params: URLSearchParams, res: ServerResponse): Promise<void> {
  const partitionKey = params.get('partition') ?? '';
  const appId = requireString(params.get('app'), 'app');
  const sequenceId = optionalInteger(params.get('seq'), 'seq');
  const step = await context.store.load(partitionKey, appId, sequenceId ?? null);
  if (step === null) throw new InspectorRequestError(404, `No step ${sequenceId ?? '(latest)'} of app ${JSON.stringify(appId)} in ${partitionLabel(partitionKey)}`);
  sendJson(res, 200, browserJson(storedForm(step.state)), true);
}

/** `POST api/delete` `{partitionKey, appId}`: removes every step of the app (the store's `deleteApp`). */
export async function deleteApi(context: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  const partitionKey = typeof body.partitionKey === 'string' ? body.partitionKey : '';
  const appId = requireString(body.appId, 'appId');
  const { store } = context;
  if (!store.deleteApp) throw new InspectorRequestError(405, 'this store is read-only: it cannot delete apps');
  const removed = await store.deleteApp(partitionKey, appId);
  if (removed === 0) throw new InspectorRequestError(404, `Nothing is saved under app ${JSON.stringify(appId)} in ${partitionLabel(partitionKey)}`);
  sendJson(res, 200, { removed, href: href(context, '/', { partition: partitionKey, deleted: appId }) });
}

/**
 * `POST api/fork` `{partitionKey, appId, sequenceId, newAppId}`: copies the
 * step into a new app under the same sequence id, position and status, so
 * `initializeFrom(persister, { resumeAtNextAction: true })` with the new
 * app id runs on from it. Refused (409) when the new app id already has steps.
 */
export async function forkApi(context: PageContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  const partitionKey = typeof body.partitionKey === 'string' ? body.partitionKey : '';
  const appId = requireString(body.appId, 'appId');
  const sequenceId = optionalInteger(body.sequenceId, 'sequenceId');
  if (sequenceId === undefined) throw new InspectorRequestError(400, 'sequenceId is required');
  const newAppId = requireString(body.newAppId, 'newAppId').trim();
  assertAppId(newAppId);
  const { store } = context;
  if (!store.save) throw new InspectorRequestError(405, 'this store is read-only: it cannot create apps');
  const step = await store.load(partitionKey, appId, sequenceId);
  if (step === null) throw new InspectorRequestError(404, `No step ${sequenceId} of app ${JSON.stringify(appId)} in ${partitionLabel(partitionKey)}`);
  const save = store.save.bind(store);
  await oneForkAtATime(JSON.stringify([partitionKey, newAppId]), async () => {
    const existing = await store.listSteps(partitionKey, newAppId, { limit: 1 });
    if (existing.steps.length > 0) throw new InspectorRequestError(409, `App ${JSON.stringify(newAppId)} already has steps in ${partitionLabel(partitionKey)}; pick another id`);
    await save({ partitionKey, appId: newAppId, sequenceId, position: step.position, state: step.state, status: step.status });
  });
  sendJson(res, 201, { appId: newAppId, sequenceId, href: href(context, '/app', { partition: partitionKey, app: newAppId }) });
}

/** Forks in progress in this process, by new app id: each one's check that the id is free and its save. */
const forksInProgress = new Map<string, Promise<void>>();

/**
 * Runs `fork` after any fork of this process to the same new app id, so two
 * forks to one id (two clicks, two people) cannot both find it free. Forks
 * from two inspector processes can still both pass: the store has no
 * "create if absent" for an app.
 */
async function oneForkAtATime(newApp: string, fork: () => Promise<void>): Promise<void> {
  const previous = forksInProgress.get(newApp) ?? Promise.resolve();
  const run = previous.then(fork);
  const settled = run.catch(() => {});
  forksInProgress.set(newApp, settled);
  try {
    await run;
  } finally {
    if (forksInProgress.get(newApp) === settled) forksInProgress.delete(newApp);
  }
}
