import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Whether `builtFile` (a file of the package at `packageDir`, e.g. its `dist/bin.js`) is newer than every file under the package's `src/`. */
export function isBuildCurrent(packageDir: string, builtFile: string): boolean {
  if (!existsSync(builtFile)) return false;
  const built = statSync(builtFile).mtimeMs;
  const sources = readdirSync(`${packageDir}/src`, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return sources.every((entry) => statSync(`${entry.parentPath}/${entry.name}`).mtimeMs <= built);
}

/**
 * Builds the package at `packageDir` with its own build script (which must
 * run `tsup`) when `builtFile` is missing or older than its sources, so tests
 * of a package's bin never run stale code (under `pnpm test`, turbo has built
 * it already).
 */
export function buildIfStale(packageDir: string, builtFile: string): void {
  if (isBuildCurrent(packageDir, builtFile)) return;
  const { scripts } = JSON.parse(readFileSync(`${packageDir}/package.json`, 'utf8')) as { scripts: { build: string } };
  const [tool, ...args] = scripts.build.split(' ');
  if (tool !== 'tsup') throw new Error(`the build script of ${packageDir} no longer starts with tsup: ${scripts.build}`);
  const tsup = createRequire(`${packageDir}/package.json`).resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup, ...args], { cwd: packageDir, stdio: 'pipe' });
}
