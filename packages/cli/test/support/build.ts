import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { binIsCurrent } from './run-cli.js';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds dist/ with the package's own build script when it is missing or
 * older than the sources, so the bin tests never run stale code (under
 * `pnpm test`, turbo has built it already).
 */
export function ensureBuilt(): void {
  if (binIsCurrent()) return;
  const { scripts } = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as { scripts: { build: string } };
  const [tool, ...args] = scripts.build.split(' ');
  if (tool !== 'tsup') throw new Error(`the build script no longer starts with tsup: ${scripts.build}`);
  const tsup = createRequire(`${packageDir}package.json`).resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup, ...args], { cwd: packageDir, stdio: 'pipe' });
}
