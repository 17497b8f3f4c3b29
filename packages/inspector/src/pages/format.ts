import { printable } from '@burr/cli';
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
  return partitionKey === '' ? '(no partition)' : printable(partitionKey);
}
