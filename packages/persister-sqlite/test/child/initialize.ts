// Child process: waits until the wall-clock time given as second argument (so sibling processes start together),
// then opens the database file given as first argument and runs initialize() once; prints "ok" or the error.
import { SQLitePersister } from '../../src/index.js';

const [dbPath, startAt] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt ?? 0) - Date.now())));
let persister: SQLitePersister | undefined;
try {
  persister = SQLitePersister.fromValues({ dbPath: dbPath! });
  await persister.initialize();
  console.log('ok');
} catch (error) {
  const { code, message } = error as { code?: string; message?: string };
  console.log(`error ${code ?? ''} ${message ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await persister?.cleanup();
}
