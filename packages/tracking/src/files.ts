import { randomBytes } from 'node:crypto';
import { appendFile, type FileHandle, link, mkdir, open, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isNotFound } from './log-lines.js';

/**
 * Appends lines to files, crash-safely and in order. Each line goes out in
 * one `appendFile` (opened with `'a'`) that ends with its newline, so a
 * crash can only cut the last line short. Appends to one file run one after
 * another (a promise chain per file), so lines never interleave. Before the
 * first append to a file, and after an append that failed, a line left
 * without its newline (a crash, a full disk) is closed, so the next line
 * does not glue onto it.
 */
export class LineAppender {
  readonly #chains = new Map<string, Promise<void>>();
  readonly #checkedTails = new Set<string>();

  /** Appends `line` (which must not contain a newline) plus `'\n'` to `path`, creating its folder if needed. */
  append(path: string, line: string): Promise<void> {
    if (line.includes('\n')) return Promise.reject(new Error('A log line must not contain a newline'));
    const previous = this.#chains.get(path) ?? Promise.resolve();
    // A failed append rejects its own caller only; the next append still runs.
    const next = previous.catch(() => undefined).then(() => this.#write(path, `${line}\n`));
    this.#chains.set(path, next);
    const forget = (): void => {
      if (this.#chains.get(path) === next) this.#chains.delete(path);
    };
    next.then(forget, forget);
    return next;
  }

  /** Resolves once every append started so far has settled. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#chains.values()]);
  }

  async #write(path: string, data: string): Promise<void> {
    if (!this.#checkedTails.has(path)) {
      await mkdir(dirname(path), { recursive: true });
      if (await endsWithCutLine(path)) await appendFile(path, '\n', { flag: 'a', encoding: 'utf8' });
      this.#checkedTails.add(path);
    }
    try {
      await appendFile(path, data, { flag: 'a', encoding: 'utf8' });
    } catch (error) {
      // Part of the line may have been written (a full disk): the next append closes it first.
      this.#checkedTails.delete(path);
      throw error;
    }
  }
}

/** Whether the file exists, is not empty, and does not end with a newline. */
async function endsWithCutLine(path: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * Writes `content` to `path` only if no file is there, atomically: the
 * content goes to a hidden temporary file first, which is then hard-linked
 * into place (linking fails if the name is taken). A reader never sees a
 * half-written file, and a file already there is never replaced. Returns
 * whether this call created the file.
 */
export async function createFileIfAbsent(path: string, content: string): Promise<boolean> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, content, { flag: 'wx', encoding: 'utf8' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
