// Child process: converts the database file given as first argument from full to incremental storage, and kills
// itself (SIGKILL: no cleanup, no flush, as a crash) once the conversion reports at least the number of steps given
// as second argument. Prints "converted" if it ever finishes.
import { convertStorage } from '@burr/core';
import { SQLitePersister } from '../../src/index.js';

const [dbPath, killAfter] = process.argv.slice(2);
const from = SQLitePersister.fromValues({ dbPath: dbPath! });
const to = SQLitePersister.fromValues({ dbPath: dbPath!, storage: 'incremental' });
await convertStorage({
  from,
  to,
  batchSize: 20,
  onProgress: (report) => {
    if (report.stepsConverted >= Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
});
console.log('converted');
