import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplicationGraph } from '@burr/core';
import { looksLikeStoreUrl, openStore, parseStoreUrl, UsageError, type StoreOptions } from '@burr/cli';
import { LOG_FILENAME, type ApplicationModel } from '@burr/tracking';
import type { InspectorStore } from './store.js';
import { graphFromModel, TrackingFolderStore } from './tracking-store.js';

/** What `burr-inspect` opened: the store, how to name it, and how to close it. */
export interface OpenedTarget {
  store: InspectorStore;
  description: string;
  close(): Promise<void>;
}

/**
 * Opens a store URL with `@burr/cli`'s opener (the same URL forms and
 * optional persister packages as the `burr` command), or a tracking project
 * folder read-only.
 */
export async function openTarget(target: string, options: StoreOptions): Promise<OpenedTarget> {
  if (looksLikeStoreUrl(target)) {
    const opened = await openStore(parseStoreUrl(target), options);
    return { store: opened.persister, description: opened.description, close: () => opened.persister.cleanup() };
  }
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`${JSON.stringify(target)} is neither a store URL nor a folder; use a URL (sqlite:./file.db, postgres://…) or a tracking project folder`);
  }
  const storeOnlyOptions = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => `--${key}`);
  if (storeOnlyOptions.length > 0) throw new UsageError(`${storeOnlyOptions.join(', ')} do not apply to a tracking folder`);
  const apps = readdirSync(target, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const isProject = apps.some((app) => existsSync(join(target, app.name, LOG_FILENAME)));
  if (!isProject) {
    const projects = apps.filter((entry) =>
      readdirSync(join(target, entry.name), { withFileTypes: true }).some((app) => app.isDirectory() && existsSync(join(target, entry.name, app.name, LOG_FILENAME))),
    );
    if (projects.length > 0)
      throw new UsageError(
        `${target} holds tracking projects; open one: ${projects
          .map((project) => join(target, project.name))
          .sort()
          .join(', ')}`,
      );
    throw new UsageError(`${target} holds no tracked apps (no <app>/${LOG_FILENAME} in it)`);
  }
  const store = new TrackingFolderStore(target);
  return { store, description: `tracking folder ${store.projectDir} (read-only)`, close: async () => {} };
}

/** Reads a `graph.json` as the tracker writes it, or an `Application.graph` saved as JSON. */
export function readGraphFile(path: string): ApplicationGraph {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--graph ${path}: ${(error as Error).message}`);
  }
  const candidate = parsed as Partial<ApplicationModel> & Partial<ApplicationGraph>;
  if (typeof candidate.entrypoint !== 'string' || !Array.isArray(candidate.actions) || !Array.isArray(candidate.transitions)) {
    throw new UsageError(`--graph ${path}: not a graph (expected entrypoint, actions and transitions)`);
  }
  return candidate.type === 'application' ? graphFromModel(candidate as ApplicationModel) : (candidate as ApplicationGraph);
}
