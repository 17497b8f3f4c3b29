import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A temporary folder from {@link temporaryDirectory}. */
export interface TemporaryDirectory {
  /** The folder's absolute path. */
  readonly dir: string;
  /** The absolute path of `name` inside the folder, e.g. a database file. */
  path(name: string): string;
  /** The `file:` URL of `name` inside the folder (what libSQL takes). */
  url(name: string): string;
  /** Deletes the folder and everything in it; safe to call twice. */
  remove(): void;
}

/**
 * Creates a fresh folder under the system's temporary directory, named
 * `burr-<label>-XXXXXX`. Remove it when done (e.g. in `afterAll`).
 */
export function temporaryDirectory(label: string): TemporaryDirectory {
  const dir = mkdtempSync(join(tmpdir(), `burr-${label}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    url: (name) => pathToFileURL(join(dir, name)).href,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
