import { open } from 'node:fs/promises';

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * The complete lines of a file, last first, read backwards in chunks so the
 * newest step is found without reading the whole log. A line is complete
 * when a newline ends it: the bytes after the last newline are a write that
 * a crash cut short, and are never yielded. Empty lines are skipped.
 * Yields nothing when the file does not exist.
 */
export async function* completeLinesFromEnd(path: string): AsyncGenerator<string, void, undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  try {
    let position = (await handle.stat()).size;
    let pending: Buffer = Buffer.alloc(0);
    let tailDropped = false;
    while (position > 0) {
      const start = Math.max(0, position - CHUNK_BYTES);
      const chunk = Buffer.alloc(position - start);
      await readFully(handle, chunk, start);
      position = start;
      const buffer = pending.length > 0 ? Buffer.concat([chunk, pending]) : chunk;
      let end = buffer.length;
      let newline = buffer.lastIndexOf(NEWLINE, end - 1);
      while (newline !== -1) {
        // Newlines never occur inside a multi-byte UTF-8 sequence, so each line decodes on its own.
        if (tailDropped) {
          const line = buffer.toString('utf8', newline + 1, end).replace(/\r$/, '');
          if (line.trim().length > 0) yield line;
        }
        tailDropped = true;
        end = newline;
        newline = end > 0 ? buffer.lastIndexOf(NEWLINE, end - 1) : -1;
      }
      pending = buffer.subarray(0, end);
    }
    if (tailDropped && pending.length > 0) {
      const line = pending.toString('utf8').replace(/\r$/, '');
      if (line.trim().length > 0) yield line;
    }
  } finally {
    await handle.close();
  }
}

async function readFully(handle: import('node:fs/promises').FileHandle, into: Buffer, filePosition: number): Promise<void> {
  let offset = 0;
  while (offset < into.length) {
    const { bytesRead } = await handle.read(into, offset, into.length - offset, filePosition + offset);
    if (bytesRead === 0) throw new Error(`File shrank while reading at byte ${filePosition + offset}`);
    offset += bytesRead;
  }
}

/** Whether `error` says the file or folder does not exist. */
export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
