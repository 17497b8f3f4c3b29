import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Python Burr 0.40.2 fixture kept in the testkit package (see its README). */
export const PYTHON_FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-sqlite/', import.meta.url);

/** A temporary folder for database files (as `file:` URLs), removed by `remove()`. */
export function tempDir(label: string): { url(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `burr-${label}-`));
  return { url: (name) => pathToFileURL(join(dir, name)).href, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
