/** `2025-06-01 14:03:22 UTC`: times are shown in UTC, as the CLI shows them. */
export function formatTime(date: Date): string {
  return Number.isNaN(date.getTime())
    ? '?'
    : `${date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '')} UTC`;
}

/** Bytes as `812 B`, `2.1 KiB`, `1.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** How a partition key is named on a page: `''` is "no partition". */
export function partitionLabel(partitionKey: string): string {
  return partitionKey === '' ? '(no partition)' : shownId(partitionKey);
}

/**
 * An id as text a person reads: control and format characters (a
 * right-to-left override, a zero-width space) written as `\u{…}`, since
 * they would reorder or hide what a heading or a delete confirmation says.
 */
export function shownId(id: string): string {
  return id.replace(/[\p{Cc}\p{Cf}]/gu, (character) => `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`);
}
