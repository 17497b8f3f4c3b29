/** A column of {@link formatTable}: its heading and whether its cells line up on the right (numbers). */
export interface Column {
  heading: string;
  alignRight?: boolean | undefined;
}

/**
 * Rows under headings, columns padded to their widest cell, two spaces apart.
 * Control and format characters in a cell (an id holding ESC, CR, a newline
 * or a right-to-left override) are written out as `\u{…}`: raw, they could
 * redraw the table on a terminal and show an app that is not there.
 */
export function formatTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string {
  rows = rows.map((row) => row.map(printable));
  const widths = columns.map((column, index) => Math.max(column.heading.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        return column.alignRight ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.heading)), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `812 B`, `1.2 KiB`, `35.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 'B';
  for (const next of BYTE_UNITS) {
    if (Math.abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** `2025-06-01 14:03:22` in UTC (headings say so), readable and sortable. */
export function formatTime(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

/** `1,234,567`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** `n step`/`n steps`. */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** `partition "tenant-7"`; steps saved with no partition key are in `partition ""`. */
export function describePartition(partitionKey: string): string {
  return `partition ${JSON.stringify(partitionKey)}`;
}

/** `word` quoted for a POSIX shell when it needs it, so a printed command can be pasted back. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One JSON document, pretty, for `--json` (dates become ISO strings). */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Re-indents JSON text token by token, without parsing it into values, so
 * what the store holds prints unchanged: key order, big integers, and
 * Python's `NaN`/`Infinity` tokens. `indent` is the depth of the first line's
 * container, for embedding in a larger document.
 */
export function prettyJsonText(text: string, indent = 0): string {
  let out = '';
  let depth = indent;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      const end = endOfString(text, index);
      out += text.slice(index, end);
      index = end - 1;
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      if (text[index + 1] === close) {
        out += char + close;
        index++;
      } else {
        depth++;
        out += char + newline();
      }
    } else if (char === '}' || char === ']') {
      depth--;
      out += newline() + char;
    } else if (char === ',') {
      out += `,${newline()}`;
    } else if (char === ':') {
      out += ': ';
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}

/** Index just past the string literal opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index + 1;
  }
  return text.length;
}

/** `text` with control and format characters written out as `\u{…}`. */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (character) => `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`);
}
