/**
 * @packageDocumentation
 * The `burr` command: list a store's apps and steps, show a saved state,
 * delete an app, prune old steps, compact, and convert apps between the
 * full and incremental storage modes, on any Burr persister chosen
 * by the URL. `runBurr` runs it in-process (e.g. from your own tooling).
 */
export { runBurr } from './run.js';
export { processIo, type CliIo } from './io.js';
export { EXIT, UsageError, CommandFailure } from './errors.js';
// The URL → persister opener, for other tools that take a store URL (e.g. @burr/inspector).
export { openStore, BACKEND_PACKAGES, type StoreOptions, type OpenedStore } from './open-store.js';
export { storeOptionsOf } from './args.js';
// Ids as text a person reads (control and format characters written out), for every tool that shows them.
export { printable } from './format.js';
export { parseStoreUrl, looksLikeStoreUrl, redactUrl, scrubSecrets, URL_FORMS, type StoreUrl, type BackendKind } from './store-url.js';
