import { LUA_PRELUDE } from './lua-prelude.js';

/** One top-level definition of the prelude: its text and the names it defines. */
interface Definition {
  text: string;
  names: string[];
}

/**
 * Splits the prelude at its top-level `local` lines (a line starting with
 * `local` at column 0): a definition runs from its line to the next one's.
 */
function definitionsOf(prelude: string): Definition[] {
  const definitions: Definition[] = [];
  let lines: string[] = [];
  let names: string[] | undefined;
  for (const line of prelude.split('\n')) {
    const defined = definedNames(line);
    if (defined && names) {
      definitions.push({ text: lines.join('\n'), names });
      lines = [];
    }
    if (defined) names = defined;
    lines.push(line);
  }
  if (names) definitions.push({ text: lines.join('\n'), names });
  return definitions;
}

/** The names a top-level line defines: `local function f(` or `local a, b = ...`; undefined for any other line. */
function definedNames(line: string): string[] | undefined {
  const fn = /^local function ([A-Za-z_]\w*)\s*\(/.exec(line);
  if (fn) return [fn[1]!];
  const variables = /^local ([A-Za-z_][\w, ]*?)\s*=/.exec(line);
  return variables ? variables[1]!.split(',').map((name) => name.trim()) : undefined;
}

/** Whether Lua `code` names `name` outside its comments (the prelude's and the scripts' strings hold no `--`). */
function mentions(code: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(code.replace(/--.*$/gm, ''));
}

const DEFINITIONS = definitionsOf(LUA_PRELUDE);

/**
 * The part of the prelude `body` uses: every definition its text names, and
 * theirs, in the prelude's order (a Lua local is seen only below its
 * definition). Redis runs a script's whole text at every call, and making a
 * closure for every helper cost a full-mode save about 16k of its 218k
 * instructions on the server when every script carried all of them. A name
 * that appears only in a string brings its definition along needlessly,
 * never leaves one out.
 */
export function preludeFor(body: string): string {
  const wanted = new Set<Definition>();
  let pending = [body];
  while (pending.length > 0) {
    const found = DEFINITIONS.filter((definition) => !wanted.has(definition) && pending.some((text) => definition.names.some((name) => mentions(text, name))));
    for (const definition of found) wanted.add(definition);
    pending = found.map((definition) => definition.text);
  }
  return DEFINITIONS.filter((definition) => wanted.has(definition))
    .map((definition) => definition.text)
    .join('\n');
}
