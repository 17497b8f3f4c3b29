/** Command-line flags: `--quick`, `--only sqlite,pg`, `--sections history`, `--out DIR`. */

export const BACKEND_IDS = ['sqlite', 'libsql', 'pg', 'mysql', 'redis', 'mongo'] as const;
export type BackendId = (typeof BACKEND_IDS)[number];

/** Parts of the report that `--sections` chooses from. */
export const SECTION_IDS = ['codec', 'payload', 'chatbot', 'stored', 'history', 'runner'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

const ALIASES: Record<string, BackendId> = { postgres: 'pg', postgresql: 'pg', mongodb: 'mongo', sqlite3: 'sqlite', mariadb: 'mysql' };

export interface CliOptions {
  quick: boolean;
  only: ReadonlySet<BackendId> | undefined;
  /** Sections to run; `undefined` for all. */
  sections: ReadonlySet<SectionId> | undefined;
  /** Where results go; a quick or filtered run defaults to a git-ignored folder so it never replaces the full results. */
  outDir: string | undefined;
  /** Skip the runner-alone section. */
  noRunner: boolean;
  /** Add the 50,000-step chat to the incremental storage section (about 12 more minutes). */
  veryLongChat: boolean;
}

export const USAGE = `Usage: pnpm bench [--quick] [--only sqlite,libsql,pg,mysql,redis,mongo] [--sections LIST] [--out DIR] [--no-runner]
  --quick      shorter time budgets, one chatbot run, 100k stored rows (and pruned rows) instead of 1M
  --only LIST  run only these backends (comma-separated)
  --sections LIST
               run only these sections: ${SECTION_IDS.join(', ')} (a partial run, like --only)
  --out DIR    write latest.md / latest.json there (default bench/results, or bench/results/partial.tmp
               for a --quick or --only run)
  --no-runner  skip the runner-alone section
  --very-long-chat
               add a 50,000-step chat to the incremental storage section (about 12 minutes more)`;

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { quick: false, only: undefined, sections: undefined, outDir: undefined, noRunner: false, veryLongChat: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--':
        break;
      case '--quick':
        options.quick = true;
        break;
      case '--only':
        options.only = new Set(value().split(',').map(parseBackendId));
        break;
      case '--sections':
        options.sections = new Set(value().split(',').map(parseSectionId));
        break;
      case '--out':
        options.outDir = value();
        break;
      case '--no-runner':
        options.noRunner = true;
        break;
      case '--very-long-chat':
        options.veryLongChat = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        return process.exit(0);
      default:
        throw new Error(`Unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return options;
}

function parseBackendId(text: string): BackendId {
  const id = text.trim().toLowerCase();
  const resolved = ALIASES[id] ?? (BACKEND_IDS as readonly string[]).find((b) => b === id);
  if (!resolved) throw new Error(`Unknown backend ${JSON.stringify(text)}; choose from ${BACKEND_IDS.join(', ')}`);
  return resolved as BackendId;
}

function parseSectionId(text: string): SectionId {
  const id = text.trim().toLowerCase();
  const resolved = (SECTION_IDS as readonly string[]).find((s) => s === id);
  if (!resolved) throw new Error(`Unknown section ${JSON.stringify(text)}; choose from ${SECTION_IDS.join(', ')}`);
  return resolved as SectionId;
}
