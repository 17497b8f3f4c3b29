import type { Options } from 'tsup';

/**
 * The build of a published package whose declarations name Node's types (`AbortSignal`, `node:http`...): the
 * declarations reference them, so a project that does not list them itself (TypeScript 7's default
 * `types: []`) still loads them.
 */
export function nodePackageBuild(entry: string[], format: NonNullable<Options['format']>): Options {
  return {
    entry,
    format,
    dts: { banner: '/// <reference types="node" />' },
    clean: true,
    sourcemap: true,
    target: 'node22',
  };
}
