import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses, e.g. `uniqueName('burr_t')` → `burr_t_1a2b3c4d`:
 * lower-case hex after the prefix, so it is a valid SQL identifier, Redis
 * namespace, MongoDB database or collection name whenever the prefix is.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
