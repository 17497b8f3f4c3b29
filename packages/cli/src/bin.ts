#!/usr/bin/env node
import { processIo } from './io.js';
import { runBurr } from './run.js';

// `burr steps … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// exitCode, not exit(): output still being written to a pipe gets flushed first.
process.exitCode = await runBurr(process.argv.slice(2), processIo());
