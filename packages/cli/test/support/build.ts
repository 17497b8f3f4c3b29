import { fileURLToPath } from 'node:url';
import { buildIfStale } from '@burr/testkit';
import { BIN } from './run-cli.js';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));

/** Builds dist/ with the package's own build script when it is missing or older than the sources. */
export function ensureBuilt(): void {
  buildIfStale(packageDir, BIN);
}
