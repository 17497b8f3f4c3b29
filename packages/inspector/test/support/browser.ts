import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { temporaryDirectory } from '@burr/testkit';

/** Debian's Chromium (`apt-get install chromium`); the tests download no browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or `null` when they can. */
export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium)`;
}

/** A headless Chromium with a fresh profile folder, removed again by `close`. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = temporaryDirectory('inspector-chromium');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      profile.remove();
    },
  };
}
