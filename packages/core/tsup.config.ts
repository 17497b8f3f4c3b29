import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // The declarations name Node's types (AbortSignal and AsyncDisposable): the reference loads them where a project does not list
  // them itself (TypeScript 7's default `types: []`).
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
