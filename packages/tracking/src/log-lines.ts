import { open, type FileHandle } from 'node:fs/promises';

const DEFAULT_CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * The complete lines of a file, last first, read backwards in chunks so the
 * newest step is found without reading the whole log. A line is complete
 * when a newline ends it: the bytes after the last newline are a write that
 * a crash cut short, and are never yielded. Empty lines are skipped, a
 * trailing `\r` is dropped. Yields nothing when the file does not exist.
 */
export async function* completeLinesFromEnd(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncGenerator<string, void, undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  try {
    let position = (await handle.stat()).size;
    // Pieces (in file order) of the line being assembled; none holds a newline. Joined once per line.
    let carry: Buffer[] = [];
    let tailDropped = false;
    while (position > 0) {
      const start = Math.max(0, position - chunkBytes);
      const chunk = Buffer.alloc(position - start);
      await readFully(handle, chunk, start);
      position = start;
      let end = chunk.length;
      let newline = chunk.lastIndexOf(NEWLINE, end - 1);
      while (newline !== -1) {
        const pieces = [chunk.subarray(newline + 1, end), ...carry];
        carry = [];
        if (tailDropped) {
          const line = decodeLine(pieces);
          if (line !== null) yield line;
        }
        tailDropped = true;
        end = newline;
        newline = end > 0 ? chunk.lastIndexOf(NEWLINE, end - 1) : -1;
      }
      if (end > 0) carry.unshift(chunk.subarray(0, end));
    }
    if (tailDropped) {
      const line = decodeLine(carry);
      if (line !== null) yield line;
    }
  } finally {
    await handle.close();
  }
}

/** Newlines never occur inside a multi-byte UTF-8 sequence, so each line decodes on its own. */
function decodeLine(pieces: Buffer[]): string | null {
  const line = (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)).toString('utf8').replace(/\r$/, '');
  return line.trim().length > 0 ? line : null;
}

async function readFully(handle: FileHandle, into: Buffer, filePosition: number): Promise<void> {
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
