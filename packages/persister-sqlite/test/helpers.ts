import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Python Burr 0.40.2 fixture kept in the testkit package (see its README). */
export const PYTHON_FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-sqlite/', import.meta.url);

/** A temporary folder for database files, removed by `remove()`. */
export function tempDir(label: string): { path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `burr-${label}-`));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
