/**
 * @packageDocumentation
 * The `burr` command: list a store's apps and steps, show a saved state,
 * delete an app, prune old steps and compact, on any Burr persister chosen
 * by the URL. `runBurr` runs it in-process (e.g. from your own tooling).
 */
export { runBurr } from './run.js';
export { processIo, type CliIo } from './io.js';
export { EXIT } from './errors.js';
