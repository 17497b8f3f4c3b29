import { BurrError } from '@burr/core';

/**
 * better-sqlite3's native addon cannot be loaded: it was never built (npm 12
 * runs no dependency install script it was not told to allow, and pnpm 10
 * none it was not told to build), or it was built for another Node.js
 * version. The message says which, and the command that mends it; `cause` is
 * the loader's own error.
 */
export class NativeAddonError extends BurrError {
  /** `'not-built'`: no compiled addon was found; `'wrong-node'`: one was found but this Node.js cannot load it. */
  readonly reason: 'not-built' | 'wrong-node';

  constructor(reason: 'not-built' | 'wrong-node', message: string, options?: { cause?: unknown }) {
    super('BURR_NATIVE_ADDON', message, options);
    this.reason = reason;
  }
}

/** `error`, thrown while opening a database, as a {@link NativeAddonError} when it is the addon failing to load; otherwise `undefined`. */
export function nativeAddonError(error: unknown): NativeAddonError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.message.startsWith('Could not locate the bindings file')) {
    return new NativeAddonError(
      'not-built',
      "better-sqlite3's native addon was never built: npm 12 runs no dependency install script it was not told to allow, and pnpm 10 builds none. " +
        'Allow and build it: npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3 (pnpm: pnpm approve-builds, then pnpm rebuild better-sqlite3).',
      { cause: error },
    );
  }
  if ((error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED' && /better[-_]sqlite3/.test(error.message)) {
    const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(error.message);
    const detail = versions ? ` (built for NODE_MODULE_VERSION ${versions[1]}, this Node.js ${process.version} needs ${versions[2]})` : '';
    return new NativeAddonError(
      'wrong-node',
      `better-sqlite3's native addon cannot be loaded by this Node.js${detail}: build it again with npm rebuild better-sqlite3 (pnpm: pnpm rebuild better-sqlite3).`,
      {
        cause: error,
      },
    );
  }
  return undefined;
}
