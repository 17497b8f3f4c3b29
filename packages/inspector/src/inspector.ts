import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationGraph } from '@burr/core';
import { deleteApi, forkApi, stateApi } from './api.js';
import { INSPECTOR_CSS, inspectorScriptSource } from './assets.js';
import { type PageContext, href } from './pages/context.js';
import { appPage } from './pages/app-page.js';
import { appsPage } from './pages/apps-page.js';
import { errorPage } from './pages/layout.js';
import { stepPage } from './pages/step-page.js';
import { InspectorRequestError, sendAsset, sendHtml, sendJson } from './request.js';
import { crossOriginReason, generateToken, readCookie, setSecurityHeaders, tokenCookieName, tokenMatches } from './security.js';
import type { InspectorStore } from './store.js';
import { InspectorOptionsError } from './errors.js';

/** The app whose graph is asked for. */
export interface InspectedApp {
  partitionKey: string;
  appId: string;
}

/**
 * Where the inspector finds an app's graph: one graph for every app (an
 * `ApplicationGraph`, or an `Application`, whose `graph` is used), or a
 * function that picks one per app (`null` when unknown). A store that keeps
 * graphs (a tracking folder) is asked first.
 */
export type InspectorGraphSource =
  | ApplicationGraph
  | { readonly graph: ApplicationGraph }
  | ((app: InspectedApp) => ApplicationGraph | null | undefined | Promise<ApplicationGraph | null | undefined>);

/** Options of {@link createInspector}. */
export interface InspectorOptions {
  /** What to inspect: any Burr persister (or an {@link InspectorStore}); the inspector reads only through its public API. */
  persister: InspectorStore;
  /** Allow deleting apps and creating forks (default `false`: every write is refused with 403). */
  allowWrites?: boolean | undefined;
  /**
   * When set, every request needs it: once as `?token=…` in the URL (the
   * inspector then sets a same-site cookie and drops it from the address),
   * after that from the cookie. Writes always need a token sent by the page
   * itself, and a same-origin request, token or not.
   */
  token?: string | undefined;
  /** Path the inspector is mounted at, e.g. `/inspector` (default: the root). */
  basePath?: string | undefined;
  /** Shown in the header and titles (default `Burr inspector`). */
  title?: string | undefined;
  /** What the store is, shown in the header; never put a password in it. */
  storeDescription?: string | undefined;
  /** The application's graph, when the store does not keep one. */
  graph?: InspectorGraphSource | undefined;
  /** Partition keys to offer on the front page (a database cannot list them); the first one's apps are listed there. */
  partitions?: readonly string[] | undefined;
  /**
   * `Host` header values accepted (e.g. `127.0.0.1:4343`), against DNS rebinding; default: any. With
   * `allowWrites`, give these or a `token`.
   */
  allowedHosts?: readonly string[] | undefined;
}

/**
 * A request handler for `node:http` (`http.createServer(inspector)`) or a
 * framework that passes `(req, res, next)`: outside `basePath` it calls `next`
 * (or answers 404 without one).
 */
export interface InspectorHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<void>;
  /** The token the page's script sends with each write (`null` when writes are off). */
  readonly writeToken: string | null;
}

/**
 * The inspector as a request handler, to mount in your own server behind
 * your own authentication:
 *
 * @example
 * const inspector = createInspector({ persister, basePath: '/inspector', graph: app });
 * http.createServer(inspector).listen(4343, '127.0.0.1');
 */
export function createInspector(options: InspectorOptions): InspectorHandler {
  const base = normalizeBasePath(options.basePath);
  const writesAllowed = options.allowWrites === true;
  const token = options.token ?? null;
  if (token !== null && !/^[A-Za-z0-9._~-]{16,}$/.test(token))
    throw new InspectorOptionsError('the inspector token must be at least 16 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-"');
  if (writesAllowed && token === null && options.allowedHosts === undefined)
    throw new InspectorOptionsError(
      'allowWrites needs allowedHosts (the Host names this inspector is reached by) or a token: otherwise a web page reaching it through DNS rebinding could read its pages and write',
    );
  // Never the access token: a page that leaks its write token must not also let the reader in.
  const writeToken = writesAllowed ? generateToken() : null;
  const cookieName = token === null ? null : tokenCookieName(token);
  const scriptSource = inspectorScriptSource();
  const context: PageContext = {
    store: options.persister,
    base,
    title: options.title ?? 'Burr inspector',
    storeDescription: options.storeDescription ?? '',
    writesAllowed,
    writeToken,
    frontPartition: options.partitions?.[0] ?? '',
    knownPartitions: async () => [...new Set([...(options.partitions ?? []), ...((await options.persister.listPartitions?.()) ?? [])])].sort(),
    graphFor: async (partitionKey, appId) => (await options.persister.graphOf?.(partitionKey, appId)) ?? (await graphFromOption(options.graph, { partitionKey, appId })),
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      if (next) return next();
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    const path = url.pathname.slice(base.length) || '/';
    const isApi = path.startsWith('/api/');
    setSecurityHeaders(res);
    try {
      if (options.allowedHosts && !options.allowedHosts.includes(req.headers.host ?? '')) {
        throw new InspectorRequestError(421, `this inspector answers to ${options.allowedHosts.join(', ')}, not to ${JSON.stringify(req.headers.host ?? '')}`);
      }
      if (token !== null && cookieName !== null) {
        const presented = url.searchParams.get('token');
        if (presented !== null && tokenMatches(presented, token)) {
          url.searchParams.delete('token');
          res.setHeader('Set-Cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=${base || '/'}`);
          res.statusCode = 303;
          // One leading slash: "//host/..." would send the browser to another site.
          res.setHeader('Location', `${url.pathname.replace(/^\/+/, '/')}${url.search}`);
          res.end();
          return;
        }
        if (!tokenMatches(readCookie(req, cookieName), token))
          throw new InspectorRequestError(401, 'This inspector needs its token: open the URL burr-inspect printed (it ends with ?token=…).');
      }
      await route(path, url.searchParams, req, res, isApi);
    } catch (error) {
      respondWithError(error, res, isApi);
    }
  };

  const route = async (path: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse, isApi: boolean): Promise<void> => {
    if (req.method === 'POST' && (path === '/api/delete' || path === '/api/fork')) {
      checkWrite(req);
      await (path === '/api/delete' ? deleteApi(context, req, res) : forkApi(context, req, res));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new InspectorRequestError(405, `${req.method} is not allowed here`);
    switch (path) {
      case '/':
        return sendHtml(res, 200, await appsPage(context, params));
      case '/app':
        return sendHtml(res, 200, await appPage(context, params));
      case '/step':
        return sendHtml(res, 200, await stepPage(context, params));
      case '/api/state':
        return stateApi(context, params, res);
      case '/assets/inspector.css':
        return sendAsset(res, 'text/css; charset=utf-8', INSPECTOR_CSS);
      case '/assets/inspector.js':
        return sendAsset(res, 'text/javascript; charset=utf-8', scriptSource);
      default:
        throw new InspectorRequestError(404, isApi ? 'no such API' : `No page here; the apps are at ${href(context, '/')}`);
    }
  };

  const checkWrite = (req: IncomingMessage): void => {
    if (!writesAllowed || writeToken === null)
      throw new InspectorRequestError(403, 'Writes are off: start burr-inspect with --allow-writes (or createInspector with allowWrites: true) to delete or fork.');
    const crossOrigin = crossOriginReason(req);
    if (crossOrigin !== null) throw new InspectorRequestError(403, `Refused: ${crossOrigin}.`);
    const presented = req.headers['x-burr-inspector-token'];
    if (!tokenMatches(Array.isArray(presented) ? presented[0] : presented, writeToken))
      throw new InspectorRequestError(403, 'Refused: a write needs the token of this inspector page.');
  };

  const respondWithError = (error: unknown, res: ServerResponse, isApi: boolean): void => {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (isApi) sendJson(res, status, { error: message, code: (error as { code?: unknown }).code ?? null });
    else sendHtml(res, status, errorPage(context, status, message));
  };

  return Object.assign(handler, { writeToken });
}

function statusOf(error: unknown): number {
  if (error instanceof InspectorRequestError) return error.status;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'BURR_INVALID_IDENTIFIER' || code === 'BURR_INVALID_PERSIST_ARGUMENT') return 400;
  // A mode mismatch: the app's steps are in the other storage mode than the one opened.
  if (code === 'BURR_PERSISTER_CONFLICT' || code === 'BURR_STORAGE_MODE_MISMATCH') return 409;
  if (code === 'BURR_PERSISTER_UNAVAILABLE') return 503;
  return 500;
}

function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (!basePath.startsWith('/') || /[?#\s]/.test(basePath)) throw new InspectorOptionsError(`basePath must be a path starting with "/", not ${JSON.stringify(basePath)}`);
  return basePath.replace(/\/+$/, '');
}

async function graphFromOption(source: InspectorGraphSource | undefined, app: InspectedApp): Promise<ApplicationGraph | null> {
  if (source === undefined) return null;
  if (typeof source === 'function') return (await source(app)) ?? null;
  return 'entrypoint' in source ? source : source.graph;
}
