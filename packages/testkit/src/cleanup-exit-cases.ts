import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runNode } from './child-process.js';
import type { TestApi } from './harness.js';
import type { ProvidedDatabase } from './providers.js';
import { groupOrSkip, skipReasonOf, type ScratchStores } from './server-groups.js';

/** What a child on a live server does before `cleanup()`: just use the persister, or also have its connection cut. */
export const SERVER_SCENARIOS = ['plain', 'after-cut'] as const;

/**
 * How long after printing `cleaned` the child may take to exit. A handle left open keeps it alive until the
 * child's own 30 s timeout; a clean exit took up to 2.1 s (on the child's own clock: tsx's loader thread, a
 * machine of 2 cores running every package's suites at once, Node 26, 2026-12-04), so 2 s failed clean runs.
 */
const PROMPT_EXIT_MS = 5000;
/** When a child that hangs is killed: far past `PROMPT_EXIT_MS`, so a hang shows as such. */
const CHILD_TIMEOUT_MS = 30_000;
/** A case's own limit: past the child's, so a stuck child is reported as such rather than as a test timeout. */
const CASE_TIMEOUT_MS = CHILD_TIMEOUT_MS + 30_000;
/** What the child prints on its `exit` event: the milliseconds since it printed `cleaned`, on its own clock. */
const EXIT_LINE = 'exit-after-cleaned ';
/**
 * Loaded into the child first (`--import`): times from its `cleaned` line to its `exit` event on the child's own
 * clock, so that a parent slow to read the pipe on a loaded machine does not count as the child lingering.
 * (Writes to a pipe are synchronous on Linux, so the line printed on `exit` arrives.)
 */
const EXIT_CLOCK = `data:text/javascript,${encodeURIComponent(`
let cleanedAt;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (cleanedAt === undefined && String(chunk).split('\\n').includes('cleaned')) cleanedAt = performance.now();
  return write(chunk, ...rest);
};
process.on('exit', () => {
  if (cleanedAt !== undefined) write('${EXIT_LINE}' + Math.round(performance.now() - cleanedAt) + '\\n');
});
`)}`;

/** One child run that needs no server (a local file, a refused port, a silent server). */
export interface ChildExitCase {
  /** The child's arguments after the script path, built when the case runs. */
  args(): string[] | Promise<string[]>;
  /** A line the child must print, e.g. `failed BURR_PERSISTER_UNAVAILABLE` when its connection is meant to fail. */
  prints?: string | undefined;
  /** Called after the child exited, pass or fail: close what `args()` started. */
  after?(): Promise<void>;
}

/** Options of {@link runCleanupExitCases}. */
export interface CleanupExitOptions {
  /** Shown in test names, e.g. `"PostgreSQLPersister"`. */
  name: string;
  /** The package folder (e.g. `new URL('..', import.meta.url)` from its test folder): the child runs there. */
  packageDir: URL;
  /**
   * The child, relative to `packageDir`, run with tsx under `test/child/tsconfig.json`: it opens a
   * persister as its arguments say, uses it, calls `cleanup()`, prints `cleaned` and returns, leaving
   * nothing that keeps Node running. Default `test/child/cleanup-exits.ts`.
   */
  script?: string | undefined;
  /** Child runs that need no server, by title. */
  cases?: Record<string, ChildExitCase> | undefined;
  /**
   * A live server for the children run as `<script> <url> <store> <scenario>`, once for each of
   * {@link SERVER_SCENARIOS}: `plain` (use the persister, then `cleanup()`) and `after-cut` (cut its
   * connection from the server side first). When it is `{ skip }`, those cases are registered as skipped,
   * saying why. Stopped after the cases.
   */
  server?: ProvidedDatabase | undefined;
  /** Where the children store on `server`, made once the server is there; dropped after the cases. */
  stores?: ((url: string) => ScratchStores) | undefined;
}

/**
 * Registers one test per child run: the child must exit by itself, with code
 * 0 and nothing on stderr, within 5 s of printing `cleaned`, i.e. after
 * `cleanup()` no handle of the persister (socket, timer, file, worker) is
 * left to keep the process alive.
 */
export function runCleanupExitCases(api: TestApi, options: CleanupExitOptions): void {
  const cwd = fileURLToPath(options.packageDir);
  const script = options.script ?? 'test/child/cleanup-exits.ts';
  const runChild = async (args: string[], prints: string | undefined) => {
    const run = await runNode(['--import', EXIT_CLOCK, '--import', 'tsx', script, ...args], {
      cwd,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'test/child/tsconfig.json' },
      timeoutMs: CHILD_TIMEOUT_MS,
    });
    assert.deepEqual({ timedOut: run.timedOut, code: run.code, stderr: run.stderr }, { timedOut: false, code: 0, stderr: '' }, `the child's stdout: ${run.stdout}`);
    const cleaned = run.lines.find((line) => line.text === 'cleaned');
    assert.ok(cleaned, `the child printed "cleaned": ${run.stdout}`);
    const timed = run.lines.find((line) => line.text.startsWith(EXIT_LINE));
    const lingered = timed ? Number(timed.text.slice(EXIT_LINE.length)) : run.exitMs - cleaned.atMs;
    assert.ok(lingered < PROMPT_EXIT_MS, `exited ${Math.round(lingered)} ms after cleanup(), more than ${PROMPT_EXIT_MS}`);
    if (prints !== undefined)
      assert.ok(
        run.lines.some((line) => line.text === prints),
        `the child printed "${prints}": ${run.stdout}`,
      );
  };
  const title = (label: string) => `${label}: the process exits by itself right after cleanup()`;

  const cases = Object.entries(options.cases ?? {});
  if (cases.length > 0) {
    api.describe(`${options.name} cleanup() in a child process`, () => {
      for (const [label, { args, prints, after }] of cases) {
        api.it(
          title(label),
          async () => {
            try {
              await runChild(await args(), prints);
            } finally {
              await after?.();
            }
          },
          CASE_TIMEOUT_MS,
        );
      }
    });
  }

  const { server } = options;
  if (server === undefined) return;
  groupOrSkip(api, `${options.name} cleanup() in a child process, on a live server`, skipReasonOf(server), (group) => {
    const url = 'url' in server ? server.url : '';
    let stores: ScratchStores | undefined;
    group.afterAll(async () => {
      await stores?.drop();
      if ('stop' in server) await server.stop();
    });
    for (const scenario of SERVER_SCENARIOS) {
      group.it(
        title(scenario),
        () => {
          stores ??= options.stores?.(url);
          return runChild([url, stores?.next() ?? '', scenario], undefined);
        },
        CASE_TIMEOUT_MS,
      );
    }
  });
}
