/**
 * Blank npm projects that install the workspace packages as they would be
 * published: `pnpm pack` tarballs, installed with npm from the registry like a
 * user would. Used by the packed-install and README-example tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Long enough for npm to compile better-sqlite3 (about 90 s alone) on a two-core
 * machine that is also running other suites: 8 minutes was seen to run out.
 */
export const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** The published workspace packages, by name. */
export const PUBLISHED_PACKAGES: Readonly<Record<string, string>> = Object.fromEntries(
  readdirSync(join(repoRoot, 'packages')).flatMap((folder) => {
    const manifestPath = join(repoRoot, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) return [];
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string; private?: boolean };
    return manifest.private ? [] : [[manifest.name, join(repoRoot, 'packages', folder)]];
  }),
);

/** The TypeScript the workspace builds with; blank projects install the same version. */
export const WORKSPACE_TYPESCRIPT = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;

/** `@types/node` of the lowest supported Node line, as a user on that line would install it. */
export const USER_TYPES_NODE = '^22.0.0';

/** What a blank project installs to type-check as a user would: the workspace's TypeScript and that `@types/node`. */
export const TYPESCRIPT_FOR_USERS: readonly string[] = [`typescript@${WORKSPACE_TYPESCRIPT}`, `@types/node@${USER_TYPES_NODE}`];

/**
 * TypeScript 7 (the native compiler, what `npm install typescript` gives today), installed beside the workspace's
 * under the name `typescript-7`: its defaults differ (`types: []` loads no `@types` package by itself).
 */
export const TYPESCRIPT_7_FOR_USERS = 'typescript-7@npm:typescript@^7.0.2';

/** tsc over a package's declarations (mongodb's are large) takes seconds, or minutes on a loaded machine. */
export const TSC_TIMEOUT_MS = 5 * 60_000;

const execFileAsync = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code and output instead of throwing on a non-zero exit. */
export async function runCommand(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? INSTALL_TIMEOUT_MS,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string; killed?: boolean; signal?: string };
    if (typeof failed.stdout !== 'string') throw error;
    const code = typeof failed.code === 'number' ? failed.code : 1;
    const killed = failed.killed ? `\n(killed by ${failed.signal ?? 'a signal'}: timed out)` : '';
    return { code, stdout: failed.stdout, stderr: `${failed.stderr ?? ''}${killed}` };
  }
}

/** Like {@link runCommand}, but a non-zero exit is an error carrying the output. */
export async function runOrThrow(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code} in ${options.cwd}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Newest modification time under `path` (files only). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** Every file a package's manifest points at (`main`, `types`, `bin`, each condition of `exports`). */
export function manifestOutputs(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const files = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') files.add(join(dir, value));
    else if (value && typeof value === 'object') for (const entry of Object.values(value)) visit(entry);
  };
  for (const field of ['main', 'module', 'types', 'bin', 'exports']) visit(manifest[field]);
  files.delete(join(dir, 'package.json')); // "./package.json" in exports is the manifest itself
  return [...files];
}

/**
 * Whether every output the manifest names exists and is newer than the sources. (It used to look for
 * dist/index.cjs, which the ESM-only CLI and inspector never have: they were rebuilt, `tsup --clean`
 * emptying their dist/ while their own tests ran from it.)
 */
export function isBuilt(dir: string): boolean {
  const outputs = manifestOutputs(dir);
  if (outputs.length === 0 || !outputs.every((file) => existsSync(file))) return false;
  const oldest = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return oldest >= Math.max(newestMtime(join(dir, 'src')), newestMtime(join(dir, 'package.json')));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lock file older than this with no process id in it was left by a process that died before writing it. */
const UNWRITTEN_LOCK_MS = 10_000;

/**
 * Holds a lock file while `body` runs, so two test files do not rebuild the
 * same dist/ (tsup --clean) at once. The file is created only if absent
 * (`wx`) and names its holder; a lock whose holder died is taken over.
 */
async function withWorkspaceLock<T>(body: () => Promise<T>): Promise<T> {
  const lock = join(repoRoot, 'node_modules/.cache/burr-pack.lock');
  mkdirSync(join(repoRoot, 'node_modules/.cache'), { recursive: true });
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(lock);
      // recursive: the lock of earlier versions was a directory.
      if (holder === 'stale') rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the workspace build lock ${lock} is still held by process ${String(holder)}`);
      await sleep(250);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * The process holding `lock`; `'stale'` when it died or never wrote its id
 * (or the lock is an earlier version's directory); `'unknown'` when the lock
 * was released meanwhile, or its holder is still writing its id.
 */
function lockHolder(lock: string): number | 'stale' | 'unknown' {
  let text: string;
  let age: number;
  try {
    if (statSync(lock).isDirectory()) return 'stale';
    text = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 'unknown';
  }
  const holder = Number(text);
  if (text === '' || !Number.isInteger(holder) || holder <= 0) return age > UNWRITTEN_LOCK_MS ? 'stale' : 'unknown';
  return isAlive(holder) ? holder : 'stale';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds (when dist/ is missing or older than the sources) and packs the
 * named workspace packages into `destination`; returns the tarball paths by package name.
 */
export async function packWorkspacePackages(names: readonly string[], destination: string): Promise<Record<string, string>> {
  const dirs = names.map((name) => {
    const dir = PUBLISHED_PACKAGES[name];
    if (!dir) throw new Error(`${name} is not a published workspace package`);
    return dir;
  });
  return withWorkspaceLock(async () => {
    const stale = names.filter((_, index) => !isBuilt(dirs[index]!));
    if (stale.length > 0) {
      await runOrThrow('pnpm', [...stale.flatMap((name) => ['--filter', name]), 'build'], { cwd: repoRoot });
    }
    const tarballs: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      const printed = (await runOrThrow('pnpm', ['pack', '--pack-destination', destination], { cwd: dirs[index]! })).trim().split('\n');
      tarballs[name] = printed[printed.length - 1]!.trim();
    }
    return tarballs;
  });
}

/**
 * better-sqlite3 binaries this machine compiled, as prebuild tarballs. npm
 * normally downloads a prebuilt binary from GitHub (unreachable here), so an
 * install would compile it (60-90 s, minutes on a busy machine); with the
 * workspace's own build (same version, same Node) or an earlier install's
 * kept here, it unpacks it like a download: same package, same install script.
 */
const PREBUILDS = join(repoRoot, 'node_modules/.cache/burr-prebuilds');

/** `-node-v<abi>-<platform>-<arch>.tar.gz`: the end of prebuild-install's file name for the `node` that runs npm. */
async function prebuildSuffix(dir: string): Promise<string> {
  const script = "'-node-v' + process.versions.modules + '-' + process.platform + '-' + process.arch + '.tar.gz'";
  return (await runOrThrow('node', ['-p', script], { cwd: dir })).trim();
}

/** Keeps the better-sqlite3 build under `dir`/node_modules in {@link PREBUILDS}, when the `node` running npm loads it. */
async function keepBetterSqliteBuild(dir: string): Promise<void> {
  const moduleDir = join(dir, 'node_modules/better-sqlite3');
  if (!existsSync(join(moduleDir, 'build/Release/better_sqlite3.node'))) return;
  const { version } = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}${await prebuildSuffix(dir)}`;
  if (existsSync(join(PREBUILDS, name))) return;
  // Kept only if this node loads it: headers of another Node (an npmrc's nodedir) build a binary of another ABI.
  const loads = await runCommand('node', ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: dir });
  if (loads.code !== 0) return;
  mkdirSync(PREBUILDS, { recursive: true });
  const partial = join(PREBUILDS, `${name}.${process.pid}.partial`);
  await runOrThrow('tar', ['-czf', partial, '-C', moduleDir, 'build/Release/better_sqlite3.node'], { cwd: dir });
  renameSync(partial, join(PREBUILDS, name));
}

/** How many times a blank project's install runs when npm reports a network error. */
const NETWORK_ATTEMPTS = 3;

/**
 * Creates a blank npm project in `dir` and installs `dependencies` (tarball
 * paths or registry specs) into it with one `npm install` (again after a network error).
 */
export async function installBlankProject(dir: string, options: { dependencies: readonly string[]; type?: 'module' | 'commonjs' }): Promise<void> {
  // The workspace's own better-sqlite3, which pnpm compiled for this Node: when npm picks the same version, it unpacks that.
  await keepBetterSqliteBuild(PUBLISHED_PACKAGES['@burr/persister-sqlite']!);
  mkdirSync(dir, { recursive: true });
  // allowScripts as the SQLite README tells users: npm 12 runs no dependency install script a project does not allow.
  const packageJson = { name: 'burr-blank-project', version: '1.0.0', private: true, type: options.type ?? 'commonjs', allowScripts: { 'better-sqlite3': true } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  // More patience with the registry than npm's default (2 retries within a minute): a hiccup is not a failed test.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JOBS: 'max',
    npm_config_better_sqlite3_local_prebuilds: PREBUILDS,
    npm_config_fetch_retries: '5',
    npm_config_fetch_retry_mintimeout: '2000',
    npm_config_fetch_retry_maxtimeout: '30000',
  };
  // Without a kept binary, compile better-sqlite3 straight away: prebuild-install's download cannot succeed
  // here and only waits. ~/.npmrc's nodedir stays in effect.
  const suffix = await prebuildSuffix(dir);
  if (!existsSync(PREBUILDS) || !readdirSync(PREBUILDS).some((file) => file.endsWith(suffix))) env.npm_config_build_from_source = 'better-sqlite3';
  const npm = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  const args = [...npm, ...options.dependencies];
  // npm retries a request that failed, not a connection reset in the middle of a download: then the install runs again.
  for (let attempt = 1; ; attempt++) {
    const result = await runCommand('npm', args, { cwd: dir, env });
    if (result.code === 0) break;
    if (attempt >= NETWORK_ATTEMPTS || !result.stderr.includes('npm error network')) {
      throw new Error(`npm ${args.join(' ')} exited with ${result.code} in ${dir} (attempt ${attempt})\n${result.stdout}\n${result.stderr}`);
    }
  }
  await keepBetterSqliteBuild(dir);
}

/**
 * Runs the blank project's `tsc` (its own, or one a folder above it
 * installed) as strictly as a user's strict project would: `--strict`,
 * `--module nodenext`, and without `--skipLibCheck`, so every published
 * declaration file (ours and our dependencies') is checked.
 */
export function strictTsc(
  projectDir: string,
  files: readonly string[],
  extraArgs: readonly string[] = ['--noEmit'],
  compiler: 'typescript' | 'typescript-7' = 'typescript',
): Promise<CommandResult> {
  // Through its manifest's bin: TypeScript 7's `exports` do not list bin/tsc.
  const manifestPath = createRequire(join(projectDir, 'package.json')).resolve(`${compiler}/package.json`);
  const tsc = join(dirname(manifestPath), (JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { tsc: string } }).bin.tsc);
  return runCommand(process.execPath, [tsc, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--pretty', 'false', ...extraArgs, ...files], {
    cwd: projectDir,
    timeoutMs: 5 * 60_000,
  });
}

/**
 * The other `@burr/*` packages `name` depends on (e.g. @burr/inspector on
 * @burr/cli), transitively: packed here too, since npm would look for them
 * in the registry.
 */
export function workspaceDependencies(name: string): string[] {
  const found = new Set<string>();
  const visit = (current: string): void => {
    const manifest = JSON.parse(readFileSync(join(PUBLISHED_PACKAGES[current]!, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (dependency === '@burr/core' || found.has(dependency) || !PUBLISHED_PACKAGES[dependency]) continue;
      found.add(dependency);
      visit(dependency);
    }
  };
  visit(name);
  return [...found];
}
