// An install whose better-sqlite3 addon was never built (npm 12 skips unapproved install scripts) or was built for
// another Node.js: opening a database says so, naming the command that mends it. Each case is a real installation in
// a folder of its own (the persister's sources, a copy of better-sqlite3), opened in a child process: a process loads
// the addon once, so this one, which has it, cannot show the failure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(packageDir, 'package.json'));
const betterSqlite3Dir = dirname(require.resolve('better-sqlite3/package.json'));
const bindingsDir = dirname(createRequire(join(betterSqlite3Dir, 'package.json')).resolve('bindings/package.json'));
const dir = temporaryDirectory('sqlite-addon');
afterAll(() => dir.remove());

/** A folder holding the persister's sources and a copy of better-sqlite3, with its compiled addon only when `withAddon`. */
function installation(name: string, withAddon: boolean): string {
  const root = dir.path(name);
  cpSync(join(packageDir, 'src'), join(root, 'src'), { recursive: true });
  const copy = join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(copy, { recursive: true });
  for (const part of ['package.json', 'lib']) cpSync(join(betterSqlite3Dir, part), join(copy, part), { recursive: true });
  if (withAddon) cpSync(join(betterSqlite3Dir, 'build', 'Release', 'better_sqlite3.node'), join(copy, 'build', 'Release', 'better_sqlite3.node'));
  symlinkSync(realpathSync(bindingsDir), join(root, 'node_modules', 'bindings'));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ extends: join(packageDir, 'tsconfig.json'), compilerOptions: { paths: { '@burr/core': [join(packageDir, '..', 'core', 'src', 'index.ts')] } } }),
  );
  writeFileSync(
    join(root, 'open.ts'),
    `import { NativeAddonError, SQLitePersister } from './src/index.js';
try {
  SQLitePersister.fromValues({ dbPath: ':memory:' });
  console.log(JSON.stringify({ opened: true }));
} catch (error) {
  const { name, code, reason, message } = error as NativeAddonError;
  console.log(JSON.stringify({ name, code, reason, message, typed: error instanceof NativeAddonError }));
}
`,
  );
  return root;
}

/** Runs the installation's open.ts with the Node.js at `node`; what it printed. */
function open(root: string, node: string): Record<string, unknown> {
  const run = spawnSync(node, ['--import', 'tsx', join(root, 'open.ts')], {
    cwd: packageDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`the child printed no result (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** A Node.js of another ABI than this one (the machine's own, when it differs), for an addon built for this one. */
const otherNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (path) => existsSync(path) && spawnSync(path, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim() !== process.versions.modules,
);

describe('better-sqlite3 whose addon cannot be loaded', () => {
  it('never built: a NativeAddonError naming the approve and rebuild commands', () => {
    const result = open(installation('not-built', false), process.execPath);
    expect(result).toMatchObject({ name: 'NativeAddonError', code: 'BURR_NATIVE_ADDON', reason: 'not-built', typed: true });
    expect(result.message).toContain('npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3');
  }, 60_000);

  it('the same installation with its addon opens (what the case above lacks is the addon, nothing else)', () => {
    expect(open(installation('built', true), process.execPath)).toEqual({ opened: true });
  }, 60_000);

  const wrongNode = 'built for another Node.js: a NativeAddonError naming both ABI versions and the rebuild';
  (otherNode ? it : it.skip)(
    otherNode ? wrongNode : `${wrongNode} [skipped: no Node.js of another ABI than ${process.version} at /usr/bin/node or /usr/local/bin/node]`,
    () => {
      const result = open(installation('wrong-node', true), otherNode!);
      expect(result).toMatchObject({ name: 'NativeAddonError', code: 'BURR_NATIVE_ADDON', reason: 'wrong-node', typed: true });
      expect(result.message).toContain(`built for NODE_MODULE_VERSION ${process.versions.modules}`);
      expect(result.message).toContain('npm rebuild better-sqlite3');
    },
    60_000,
  );
});
