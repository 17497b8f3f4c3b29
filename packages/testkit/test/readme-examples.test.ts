/**
 * Every fenced `ts`/`js` example in the READMEs (root, packages/*, examples/*)
 * works for a user: the packages are packed as published and installed with
 * npm into one blank project, `ts` blocks are type-checked by that project's
 * `tsc --strict --module nodenext` without skipLibCheck (so our published
 * declarations are checked too), compiled and run; `js` blocks run as ESM or
 * CommonJS. When a `console` transcript follows a block, each `$ ` line is
 * one run and its output must match exactly. Conventions: support/readme-blocks.ts.
 *
 * PostgreSQL, MySQL, Redis and MongoDB examples run against the server the
 * testkit's providers find (BURR_TEST_*_URL, a container, or a local server;
 * a fresh database / the example's namespace emptied); without one they are
 * only type-checked and their run shows as skipped with the provider's reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provideMongo, provideMysql, providePostgres, provideRedis } from '../src/index.js';
import {
  INSTALL_TIMEOUT_MS,
  TYPESCRIPT_7_FOR_USERS,
  USER_TYPES_NODE,
  WORKSPACE_TYPESCRIPT,
  PUBLISHED_PACKAGES,
  installBlankProject,
  packWorkspacePackages,
  repoRoot,
  runCommand,
  runOrThrow,
  strictTsc,
  workspaceDependencies,
} from './support/packed-project.js';
import { importedPackages, readmeBlocks, repositoryReadmes, type ReadmeBlock } from './support/readme-blocks.js';

const blocks = repositoryReadmes(repoRoot).flatMap((path) => readmeBlocks(repoRoot, path));
const programs = blocks.filter((block) => !block.fragment);
const RUN_TIMEOUT_MS = 60_000;

const slug = (block: ReadmeBlock) => `${block.readme.replace(/\/?README\.md$/, '').replace(/[^a-z0-9]+/gi, '-') || 'root'}-L${block.line}`;
const label = (block: ReadmeBlock) => `${block.readme}:${block.line}`;
const isEsm = (block: ReadmeBlock) => block.language === 'ts' || /^\s*(import|export)\s/m.test(block.code);
const sourceFile = (block: ReadmeBlock) => `blocks/${slug(block)}.${block.language === 'ts' ? 'mts' : isEsm(block) ? 'mjs' : 'cjs'}`;
const runnableFile = (block: ReadmeBlock) => (block.language === 'ts' ? `out/${slug(block)}.mjs` : sourceFile(block));

/** The server a block needs, from the persister it imports, as the testkit's providers find it. */
const SERVERS = {
  '@burr/persister-pg': await providePostgres(),
  '@burr/persister-mysql': await provideMysql(),
  '@burr/persister-redis': await provideRedis(),
  '@burr/persister-mongo': await provideMongo(),
} as const;
const serverUrl = (name: keyof typeof SERVERS): string | undefined => {
  const provided = SERVERS[name];
  return 'url' in provided ? provided.url : undefined;
};
afterAll(() => Promise.all(Object.values(SERVERS).map((provided) => ('stop' in provided ? provided.stop() : undefined))));

function skipReason(block: ReadmeBlock): string | null {
  for (const name of importedPackages(block.code)) {
    const provided = SERVERS[name as keyof typeof SERVERS];
    if (provided && 'skip' in provided) return `${provided.skip} (type-checked only)`;
  }
  return null;
}

describe('README examples: conventions', () => {
  it('finds the examples of every package README', () => {
    const readmes = new Set(programs.map((block) => block.readme));
    for (const folder of ['core', 'persister-sqlite', 'persister-libsql', 'persister-pg', 'persister-mysql', 'persister-redis', 'persister-mongo', 'tracking', 'testkit']) {
      expect(readmes, `packages/${folder}/README.md has no runnable example`).toContain(`packages/${folder}/README.md`);
    }
  });

  it("each README's main (first) example is a complete program, and fragments are rare", () => {
    for (const readme of new Set(blocks.map((block) => block.readme))) {
      const own = blocks.filter((block) => block.readme === readme);
      expect(own[0]!.fragment, `${readme}: the first example is marked "fragment"`).toBe(false);
      expect(own.filter((block) => block.fragment).length, `${readme}: more than one fragment`).toBeLessThanOrEqual(1);
    }
  });
});

describe('README examples against the packed packages', () => {
  const work = mkdtempSync(join(tmpdir(), 'burr-readme-examples-'));
  const project = join(work, 'project');
  const diagnostics = new Map<string, string[]>();
  const serverEnv: Record<string, string> = {};
  let tscExitCode = -1;
  /** What TypeScript 7 as it comes (`types: []`) said of the examples with `--exactOptionalPropertyTypes` on. */
  let stricterOutput = 'not run';
  let pgDatabase: { admin: string; name: string } | null = null;
  let mysqlDatabase: { admin: string; name: string } | null = null;

  beforeAll(
    async () => {
      const imported = ['@burr/core', ...programs.flatMap((block) => importedPackages(block.code))];
      // Their own @burr/* dependencies too (@burr/inspector needs @burr/cli): npm would look for them in the registry.
      const needed = [...new Set([...imported, ...imported.flatMap((name) => (PUBLISHED_PACKAGES[name] ? workspaceDependencies(name) : []))])];
      const tarballs = await packWorkspacePackages(needed, work);
      await installBlankProject(project, {
        type: 'module',
        dependencies: [...Object.values(tarballs), `typescript@${WORKSPACE_TYPESCRIPT}`, `@types/node@${USER_TYPES_NODE}`, TYPESCRIPT_7_FOR_USERS],
      });
      mkdirSync(join(project, 'blocks'));
      for (const block of programs) writeFileSync(join(project, sourceFile(block)), block.code);

      const typescriptFiles = programs.filter((block) => block.language === 'ts').map(sourceFile);
      const checked = await strictTsc(project, typescriptFiles, ['--outDir', 'out', '--rootDir', 'blocks']);
      tscExitCode = checked.code;
      const stricter = await strictTsc(project, typescriptFiles, ['--noEmit', '--exactOptionalPropertyTypes'], 'typescript-7');
      stricterOutput = `${stricter.stdout}${stricter.stderr}`.trim() || (stricter.code === 0 ? '' : `tsc exited with ${stricter.code}`);
      let file = '';
      for (const line of `${checked.stdout}\n${checked.stderr}`.split('\n')) {
        const located = /^(.+?)\(\d+,\d+\): /.exec(line);
        if (located) file = located[1]!;
        else if (!line.startsWith(' ')) file = line.trim() ? '(no file)' : file;
        if (line.trim()) diagnostics.set(file, [...(diagnostics.get(file) ?? []), line]);
      }

      await prepareServers();
    },
    INSTALL_TIMEOUT_MS + 5 * 60_000,
  );

  /** Fresh PostgreSQL and MySQL databases for the examples; Redis and MongoDB URLs as given. */
  async function prepareServers(): Promise<void> {
    const postgresUrl = serverUrl('@burr/persister-pg');
    if (postgresUrl && programs.some((block) => importedPackages(block.code).includes('@burr/persister-pg'))) {
      const name = `burr_readme_${process.pid}_${Date.now()}`;
      await sqlInProject(postgresUrl, `CREATE DATABASE ${name}`);
      pgDatabase = { admin: postgresUrl, name };
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      serverEnv.DATABASE_URL = url.toString();
    }
    const mysqlUrl = serverUrl('@burr/persister-mysql');
    if (mysqlUrl && programs.some((block) => importedPackages(block.code).includes('@burr/persister-mysql'))) {
      const name = `burr_readme_${process.pid}_${Date.now()}`;
      await mysqlInProject(mysqlUrl, `CREATE DATABASE ${name}`);
      mysqlDatabase = { admin: mysqlUrl, name };
      const url = new URL(mysqlUrl);
      url.pathname = `/${name}`;
      serverEnv.MYSQL_URL = url.toString();
    }
    const redisUrl = serverUrl('@burr/persister-redis');
    const mongoUrl = serverUrl('@burr/persister-mongo');
    if (redisUrl) serverEnv.REDIS_URL = redisUrl;
    if (mongoUrl) serverEnv.MONGODB_URL = mongoUrl;
  }

  /** One statement through the blank project's own postgres.js (the testkit has no SQL client of its own). */
  function sqlInProject(url: string, statement: string): Promise<string> {
    const script = `import postgres from 'postgres';
const sql = postgres(process.argv[1], { max: 1, onnotice: () => {} });
try { await sql.unsafe(process.argv[2]); } finally { await sql.end({ timeout: 5 }); }`;
    return runOrThrow(process.execPath, ['--input-type=module', '-e', script, url, statement], { cwd: project, timeoutMs: 30_000 });
  }

  /** One statement through the blank project's own mysql2. */
  function mysqlInProject(url: string, statement: string): Promise<string> {
    const script = `import mysql from 'mysql2/promise';
const connection = await mysql.createConnection(process.argv[1]);
try { await connection.query(process.argv[2]); } finally { await connection.end(); }`;
    return runOrThrow(process.execPath, ['--input-type=module', '-e', script, url, statement], { cwd: project, timeoutMs: 30_000 });
  }

  /** Deletes the keys of the namespace a Redis example names, so its transcript starts from nothing. */
  function emptyRedisNamespace(url: string, namespace: string): Promise<string> {
    const script = `import { createClient } from 'redis';
const client = createClient({ url: process.argv[1] });
await client.connect();
try {
  for await (const found of client.scanIterator({ MATCH: process.argv[2] + ':*', COUNT: 500 })) {
    const keys = Array.isArray(found) ? found : [found];
    if (keys.length > 0) await client.del(keys);
  }
} finally { await client.quit(); }`;
    return runOrThrow(process.execPath, ['--input-type=module', '-e', script, url, namespace], { cwd: project, timeoutMs: 30_000 });
  }

  afterAll(async () => {
    if (pgDatabase) await sqlInProject(pgDatabase.admin, `DROP DATABASE IF EXISTS ${pgDatabase.name} WITH (FORCE)`);
    if (mysqlDatabase) await mysqlInProject(mysqlDatabase.admin, `DROP DATABASE IF EXISTS ${mysqlDatabase.name}`);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('our published declarations and their dependencies type-check under --strict without skipLibCheck', () => {
    const outside = [...diagnostics].filter(([file]) => !file.startsWith('blocks/'));
    expect(outside.flatMap(([, lines]) => lines)).toEqual([]);
    if (diagnostics.size === 0) expect(tscExitCode, 'tsc failed without printing a diagnostic').toBe(0);
  });

  it('the TypeScript examples type-check on TypeScript 7 as it comes (types: []) with --exactOptionalPropertyTypes too', () => {
    // Options passed as `value | undefined` need their optional properties typed `?: T | undefined`.
    expect(stricterOutput).toBe('');
  });

  for (const block of programs.filter((candidate) => candidate.language === 'ts')) {
    it(`${label(block)} type-checks (tsc --strict --module nodenext)`, () => {
      expect(diagnostics.get(sourceFile(block)) ?? []).toEqual([]);
    });
  }

  for (const block of programs) {
    const reason = skipReason(block);
    const runs = block.runs ?? [null];
    const title = `${label(block)} runs as ${isEsm(block) ? 'ESM' : 'CommonJS'}${block.runs ? `, ${runs.length}x with the output its transcript shows` : ''}`;
    if (reason) {
      it.skip(`${title} [skipped: ${reason}]`, () => {});
      continue;
    }
    it(
      title,
      async () => {
        const cwd = join(work, 'runs', slug(block));
        mkdirSync(cwd, { recursive: true });
        const namespace = /namespace: '([^']+)'/.exec(block.code)?.[1];
        const redisUrl = serverEnv.REDIS_URL;
        const redis = namespace && redisUrl && importedPackages(block.code).includes('@burr/persister-redis') ? { url: redisUrl, namespace } : undefined;
        if (redis) await emptyRedisNamespace(redis.url, redis.namespace);
        try {
          await runBlock(block, cwd, runs);
        } finally {
          // A shared server keeps nothing of the example.
          if (redis) await emptyRedisNamespace(redis.url, redis.namespace);
        }
      },
      RUN_TIMEOUT_MS * runs.length + 30_000,
    );
  }

  /** Runs a block's program once per transcript run in `cwd`, checking each run's output against its transcript. */
  async function runBlock(block: (typeof programs)[number], cwd: string, runs: readonly (readonly string[] | null)[]): Promise<void> {
    // HOME is the run's folder, so examples that default to ~/.burr write there.
    const env: NodeJS.ProcessEnv = { ...process.env, ...serverEnv, HOME: cwd };
    for (const unset of ['NODE_OPTIONS', 'TURSO_DATABASE_URL', 'TURSO_AUTH_TOKEN']) delete env[unset];
    // A shared MongoDB server may hold earlier runs of the example: compare the output's shape, not its numbers.
    const exact = !importedPackages(block.code).includes('@burr/persister-mongo');
    for (const [index, expected] of runs.entries()) {
      const result = await runCommand(process.execPath, [join(project, runnableFile(block))], { cwd, env, timeoutMs: RUN_TIMEOUT_MS });
      const context = `run ${index + 1} of ${label(block)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
      expect(result.code, context).toBe(0);
      if (expected === null) continue;
      const lines = result.stdout.replace(/\n$/, '').split('\n');
      if (exact) expect(lines, context).toEqual(expected);
      else
        expect(
          lines.map((line) => line.replace(/\d+/g, 'N')),
          context,
        ).toEqual(expected.map((line) => line.replace(/\d+/g, 'N')));
    }
  }
});
