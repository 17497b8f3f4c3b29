import { UsageError } from './errors.js';

/** The backends a store URL can name. */
export type BackendKind = 'sqlite' | 'libsql' | 'pg' | 'mysql' | 'redis' | 'mongo';

/** A parsed store URL: which backend, what to hand its persister, and what may be shown. */
export interface StoreUrl {
  backend: BackendKind;
  /** The URL as given (for `sqlite:` the file path), with any password: never print it. */
  target: string;
  /** The URL with its password and tokens replaced by `***`, safe to print. */
  display: string;
  /** Whether the URL holds a password or token (so a printed command cannot repeat it). */
  hasSecret: boolean;
  /** Strings to scrub from any message a driver produces: the URL itself and its secrets. */
  secrets: string[];
}

/** Scheme prefixes, lower case, and the backend each names. */
const SCHEMES: ReadonlyArray<readonly [string, BackendKind]> = [
  ['sqlite:', 'sqlite'],
  ['file:', 'libsql'],
  ['libsql://', 'libsql'],
  ['http://', 'libsql'],
  ['https://', 'libsql'],
  ['postgres://', 'pg'],
  ['postgresql://', 'pg'],
  ['mysql://', 'mysql'],
  ['redis://', 'redis'],
  ['rediss://', 'redis'],
  ['mongodb://', 'mongo'],
  ['mongodb+srv://', 'mongo'],
];

/** The URL forms, for messages and help. */
export const URL_FORMS = 'sqlite:./file.db, file:./file.db, libsql://…, http(s)://…, postgres(ql)://…, mysql://…, redis(s)://…, mongodb(+srv)://…';

const SECRET_QUERY = /([?&](?:authToken|auth_token|token|password|pass|secret|sslpassword|sslkey)=)([^&#]*)/gi;

function backendOf(text: string): BackendKind | undefined {
  const lower = text.toLowerCase();
  return SCHEMES.find(([prefix]) => lower.startsWith(prefix))?.[1];
}

/** Whether `text` starts with a scheme the CLI knows (so it is a store URL, not an app id). */
export function looksLikeStoreUrl(text: string | undefined): boolean {
  return text !== undefined && backendOf(text) !== undefined;
}

/** Parses a store URL; throws {@link UsageError} for an unknown scheme or an unusable `sqlite:` path. */
export function parseStoreUrl(text: string): StoreUrl {
  const backend = backendOf(text);
  if (backend === undefined) throw new UsageError(`${JSON.stringify(redactUrl(text))} is not a store URL; use one of: ${URL_FORMS}`);
  if (backend === 'sqlite') {
    const path = text.slice('sqlite:'.length);
    if (path === '') throw new UsageError('sqlite: needs a file path, e.g. sqlite:./burr.db or sqlite:/var/data/burr.db');
    if (path.startsWith('//')) throw new UsageError(`write the SQLite file as sqlite:./file.db or sqlite:/absolute/file.db, not ${JSON.stringify(text)}`);
    return { backend, target: path, display: text, hasSecret: false, secrets: [] };
  }
  const secrets = secretsOf(text);
  const display = redactUrl(text);
  return { backend, target: text, display, hasSecret: secrets.length > 0, secrets: display === text ? secrets : [text, ...secrets] };
}

/** `text` with the password of its user info and secret query values replaced by `***`. */
export function redactUrl(text: string): string {
  return text.replace(userInfoPassword(), '$1***@').replace(SECRET_QUERY, '$1***');
}

/**
 * `scheme://user:` then the password up to the last `@` before the path: as a
 * URL parser reads it, so a password holding `@` is hidden whole.
 */
function userInfoPassword(): RegExp {
  return /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)[^/?#]*@/i;
}

function secretsOf(text: string): string[] {
  const found: string[] = [];
  const password = userInfoPassword().exec(text);
  if (password) found.push(text.slice(password[1]!.length, password[0].length - 1));
  for (const match of text.matchAll(SECRET_QUERY)) found.push(match[2]!);
  const decoded = found.map((secret) => {
    try {
      return decodeURIComponent(secret);
    } catch {
      return secret;
    }
  });
  // A one- or two-character password would scrub ordinary letters out of every message.
  return [...new Set([...found, ...decoded])].filter((secret) => secret.length >= 3);
}

/** `message` with every secret of `store` replaced by `***`: driver messages may quote the URL. */
export function scrubSecrets(message: string, store: StoreUrl | undefined): string {
  if (!store) return message;
  let scrubbed = message;
  for (const secret of [...store.secrets].sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(secret).join(secret === store.target ? store.display : '***');
  return scrubbed;
}
