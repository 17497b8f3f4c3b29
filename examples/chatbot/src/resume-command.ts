import { URL_ENV_VARIABLES } from './backends.js';
import { BACKENDS, type BackendName } from './cli-args.js';
import { shellQuote } from './transcript.js';

/** The start of the commands the chatbot suggests (resume, fork, list), and what to do before pasting them. */
export interface CommandHint {
  /** `pnpm chatbot` plus the flags that choose the same storage and partition. */
  base: string;
  /** Set when the commands leave out a secret: how to supply it. */
  note: string | undefined;
}

/** Query parameters that carry credentials in some connection URLs (libSQL's authToken, MongoDB's options...). */
const SECRET_PARAMETER = /pass|secret|token|key/i;

/**
 * The flags of this run that choose the storage and partition, ready to
 * paste: `--backend`, `--db`, `--storage`, `--partition-key`, and `--url` when it holds
 * no password. A URL with a password is never printed; the note then says
 * which environment variable to put it in (the chatbot reads it when
 * `--url` is absent), so the commands work as printed.
 */
export function commandHint(argv: readonly string[]): CommandHint {
  const parts = ['pnpm chatbot'];
  let backend: BackendName = 'sqlite';
  let secretUrl = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    if (!['--backend', '--db', '--storage', '--partition-key', '--url'].includes(flag)) continue;
    const value = equals > 0 ? arg.slice(equals + 1) : argv[++i];
    if (value === undefined) continue;
    if (flag === '--backend' && (BACKENDS as readonly string[]).includes(value)) backend = value as BackendName;
    if (flag === '--url' && holdsSecret(value)) {
      secretUrl = true;
      continue;
    }
    parts.push(flag, shellQuote(value));
  }
  const variable = backend === 'sqlite' ? undefined : URL_ENV_VARIABLES[backend][0];
  const note =
    secretUrl && variable
      ? `The URL holds a password, so these commands leave --url out: first set ${variable} to your URL (the chatbot reads it when --url is absent).`
      : undefined;
  return { base: parts.join(' '), note };
}

function holdsSecret(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || [...parsed.searchParams.keys()].some((name) => SECRET_PARAMETER.test(name));
  } catch {
    // Not a URL the chatbot could open either; treat it as sensitive rather than echo it.
    return true;
  }
}
