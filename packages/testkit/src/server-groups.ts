import type { TestApi } from './harness.js';
import { skippingApi } from './conformance/skipping.js';

/**
 * Registers the cases `body` adds under `title`; when `skipReason` is set,
 * registers the same cases as skipped under a title carrying the reason, so a
 * skip summary lists every case that did not run and why. `body` only
 * registers: it may touch a server inside its hooks and cases, never before.
 */
export function groupOrSkip(api: TestApi, title: string, skipReason: string | undefined, body: (api: TestApi) => void): void {
  if (skipReason === undefined) {
    api.describe(title, () => body(api));
    return;
  }
  const skipping = skippingApi(api);
  skipping.describe(`${title} [skipped: ${skipReason}]`, () => body(skipping));
}

/** The reason in `{ skip }`, else `undefined`. */
export function skipReasonOf(value: object | undefined): string | undefined {
  return value !== undefined && 'skip' in value && typeof value.skip === 'string' ? value.skip : undefined;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fresh store names on a server (tables, key namespaces) and their removal. */
export interface ScratchStores {
  /** A store name no other test uses. */
  next(): string;
  /** Removes every store `next()` named. */
  drop(): Promise<void>;
}
