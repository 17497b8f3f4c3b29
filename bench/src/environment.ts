/** The machine and software versions printed at the top of the report. */
import { fileURLToPath } from 'node:url';
import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Version of an installed package as code in `from` (default: the bench)
 * resolves it, or `'not installed'`. Walks node_modules folders instead of
 * resolving `name/package.json`, which packages with an `exports` map hide.
 */
export function packageVersion(name: string, from: string = HERE): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return 'not installed';
  }
}

/** Directory of an installed package, to resolve its own dependencies (e.g. LangGraph's `pg`). */
export function packageDir(name: string, from: string = HERE): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed`);
  }
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

/** Packages whose versions the report lists. */
export const REPORTED_PACKAGES = [
  'better-sqlite3',
  '@libsql/client',
  'postgres',
  'mysql2',
  'redis',
  'mongodb',
  '@langchain/langgraph-checkpoint',
  '@langchain/langgraph-checkpoint-sqlite',
  '@langchain/langgraph-checkpoint-postgres',
  '@langchain/langgraph-checkpoint-redis',
  '@langchain/langgraph-checkpoint-mongodb',
] as const;

export function softwareVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of REPORTED_PACKAGES) versions[name] = packageVersion(name);
  try {
    versions['pg (used by PostgresSaver)'] = packageVersion('pg', packageDir('@langchain/langgraph-checkpoint-postgres'));
  } catch {
    // The peer is not installed; its row says so.
  }
  return versions;
}
