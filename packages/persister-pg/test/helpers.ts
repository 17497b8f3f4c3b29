import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { PostgresClient } from '../src/index.js';

/** A unique lower-case SQL name, e.g. `burr_t_1a2b3c4d`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A client for test set-up and inspection, with notices silenced. */
export function testClient(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): PostgresClient {
  return postgres(url, { onnotice: () => {}, max: 2, ...options });
}

/**
 * Tables and schemas a test file made, dropped at the end. Each `table()` is
 * a fresh name; `schema()` likewise.
 */
export function scratch(url: string) {
  const tables: string[] = [];
  const schemas: string[] = [];
  return {
    table(prefix = 'burr_t'): string {
      const name = uniqueName(prefix);
      tables.push(name);
      return name;
    },
    schema(prefix = 'burr_s'): string {
      const name = uniqueName(prefix);
      schemas.push(name);
      return name;
    },
    async drop(): Promise<void> {
      const sql = testClient(url);
      try {
        for (const table of tables) await sql.unsafe(`DROP TABLE IF EXISTS "${table}"`);
        for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}
