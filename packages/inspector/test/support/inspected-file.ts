import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll } from 'vitest';
import { type RunningInspector, startInspectorServer } from '../../src/index.js';

/**
 * An inspector server over a SQLite file that `seed` fills and breaks by hand, for the describe block it is
 * called in; `url(path)` addresses the server.
 */
export function inspectedFile(name: string, storage: 'full' | 'incremental', seed: (persister: SQLitePersister) => Promise<void>) {
  const dir = temporaryDirectory(name);
  const persister = SQLitePersister.fromValues({ dbPath: dir.path('broken.db'), storage });
  let inspector: RunningInspector | undefined;
  beforeAll(async () => {
    await persister.initialize();
    await seed(persister);
    inspector = await startInspectorServer({ persister, port: 0 });
  });
  afterAll(async () => {
    await inspector?.close();
    await persister.cleanup();
    dir.remove();
  });
  return { url: (path: string) => new URL(path, inspector!.url).href };
}
