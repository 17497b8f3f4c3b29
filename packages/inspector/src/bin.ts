#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { EXIT, UsageError } from '@burr/cli';
import { parseCommandLine, USAGE } from './command-line.js';
import { InspectorOptionsError } from './errors.js';
import { openTarget, readGraphFile } from './open-target.js';
import { startInspectorServer } from './server.js';

async function main(): Promise<number> {
  const line = parseCommandLine(process.argv.slice(2), process.env);
  if (line.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const graph = line.graphFile === undefined ? undefined : readGraphFile(line.graphFile);
  const opened = await openTarget(line.target, line.store);
  let running: Awaited<ReturnType<typeof startInspectorServer>>;
  try {
    running = await startInspectorServer({
      persister: opened.store,
      storeDescription: opened.description,
      host: line.host,
      port: line.port,
      allowWrites: line.allowWrites,
      token: line.token,
      partitions: line.partitions,
      graph,
    });
  } catch (error) {
    await opened.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${line.port} is in use; pick another with --port (0 picks a free one)`);
    throw error;
  }
  process.stdout.write(`Burr inspector: ${opened.description}, ${line.allowWrites ? 'writes allowed (delete, fork)' : 'read-only'}\n`);
  process.stdout.write(`Open ${running.url}\n`);
  process.stdout.write('Ctrl+C stops it.\n');
  if (line.open) openInBrowser(running.url);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await running.close();
  await opened.close();
  return EXIT.ok;
}

function openInBrowser(url: string): void {
  const [command, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  const child = spawn(command!, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`Could not open a browser (${command}); open the address above by hand.\n`));
  child.unref();
}

try {
  process.exitCode = await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`burr-inspect: ${message}\n`);
  process.exitCode = error instanceof UsageError || error instanceof InspectorOptionsError ? EXIT.usage : EXIT.failed;
}
