import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLinesFromEnd } from '../src/log-lines.js';
import { useStorageDir } from './helpers.js';

const dir = useStorageDir();

async function linesOf(content: string | Buffer, chunkBytes: number): Promise<string[]> {
  const path = join(dir(), 'log.jsonl');
  await writeFile(path, content);
  const out: string[] = [];
  for await (const line of completeLinesFromEnd(path, chunkBytes)) out.push(line);
  return out;
}

describe('completeLinesFromEnd', () => {
  const cases: Array<[name: string, content: string, expected: string[]]> = [
    ['complete lines', 'one\ntwo\nthree\n', ['three', 'two', 'one']],
    ['a cut last line is dropped', 'one\ntwo\nthr', ['two', 'one']],
    ['no newline at all: nothing is complete', '{"type":"end_entry"', []],
    ['empty file', '', []],
    ['blank lines and CRLF', 'one\r\n\n  \ntwo\r\n', ['two', 'one']],
    ['multi-byte characters', 'héllo ✓\n日本語\n𝄞 clef\nend', ['𝄞 clef', '日本語', 'héllo ✓']],
  ];
  for (const chunkBytes of [1, 2, 3, 5, 64, 1 << 18]) {
    it(`splits correctly with ${chunkBytes}-byte chunks`, async () => {
      for (const [name, content, expected] of cases) {
        expect(await linesOf(content, chunkBytes), name).toEqual(expected);
      }
    });
  }

  it('reads long lines spanning many chunks', async () => {
    const long = 'x'.repeat(10_000);
    expect(await linesOf(`a\n${long}\nb\n${long}y`, 97)).toEqual(['b', long, 'a']);
  });

  it('yields nothing for a missing file', async () => {
    const out: string[] = [];
    for await (const line of completeLinesFromEnd(join(dir(), 'absent.jsonl'))) out.push(line);
    expect(out).toEqual([]);
  });
});
