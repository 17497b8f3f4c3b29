/**
 * Finds the fenced `ts` and `js` examples of the repository's READMEs.
 *
 * Conventions (documented in the README-example test):
 * - A `ts` or `js` block is a complete program that runs as it is; `ts` is
 *   type-checked, compiled and run as ESM; `js` runs as ESM when it has
 *   `import`/`export` statements, else as CommonJS.
 * - `ts fragment` / `js fragment` marks a piece of code that is not a program
 *   (it refers to things defined elsewhere): neither checked nor run. Rare.
 * - A `console` block right after a program (only prose between) is its
 *   transcript: each `$ ` line is one run, in the same folder, and the lines
 *   after it are that run's exact output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: 'ts' | 'js';
  fragment: boolean;
  code: string;
  /** Expected output of consecutive runs, from the `console` block that follows; null when none does. */
  runs: string[][] | null;
}

interface Fence {
  line: number;
  info: string;
  body: string;
}

const FENCE = /^```(.*)$/;

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const found: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && lines[index] !== '```'; index++) body.push(lines[index]!);
    if (index >= lines.length) throw new Error(`unclosed code fence at line ${start + 1}`);
    found.push({ line: start + 1, info: open[1]!.trim(), body: `${body.join('\n')}\n` });
  }
  return found;
}

/** `$ ` lines start runs; the lines after each are its output. */
function transcriptRuns(body: string): string[][] {
  const runs: string[][] = [];
  for (const line of body.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) runs.push([]);
    else if (runs.length > 0) runs[runs.length - 1]!.push(line);
  }
  return runs;
}

/** The `ts`/`js` blocks of one README. Unknown attributes on a `ts`/`js` fence are an error. */
export function readmeBlocks(repoRoot: string, path: string): ReadmeBlock[] {
  const all = fences(readFileSync(path, 'utf8'));
  const blocks: ReadmeBlock[] = [];
  for (const [index, fence] of all.entries()) {
    const [language, ...attributes] = fence.info.split(/\s+/);
    if (language !== 'ts' && language !== 'js') continue;
    const unknown = attributes.filter((attribute) => attribute !== 'fragment');
    if (unknown.length > 0) throw new Error(`${path}:${fence.line}: unknown code block attribute ${unknown.join(' ')} (only "fragment")`);
    const next = all[index + 1];
    blocks.push({
      readme: relative(repoRoot, path),
      line: fence.line,
      language,
      fragment: attributes.includes('fragment'),
      code: fence.body,
      runs: next?.info === 'console' && next.body.startsWith('$ ') ? transcriptRuns(next.body) : null,
    });
  }
  return blocks;
}

/** The root README and those of every folder under packages/ and examples/. */
export function repositoryReadmes(repoRoot: string): string[] {
  const nested = ['packages', 'examples'].flatMap((parent) =>
    readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(repoRoot, parent, entry.name, 'README.md')),
  );
  return [join(repoRoot, 'README.md'), ...nested].filter((path) => existsSync(path));
}

/** The `@burr/...` packages a block imports or requires. */
export function importedPackages(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](@burr\/[a-z-]+)['"]/g)) names.add(match[1]!);
  return [...names];
}
