import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * Runs a full garbage collection, when the runtime allows it, and lets the
 * finalizers it scheduled run. `@libsql/client`
 * prepares a native statement for every call on a local file, and each one
 * keeps its connection, and so the database's file descriptors, open after
 * `close()` until the statement is garbage-collected (201 descriptors after
 * 200 open/close cycles). After closing a local client this persister owns,
 * collecting releases them at once. Uses `--expose-gc` when the process runs
 * with it; otherwise enables it for a fresh context (V8 supports setting the
 * flag at run time, and it changes nothing else).
 */
export async function collectReleasedHandles(): Promise<void> {
  if (collect === undefined) collect = findCollector();
  if (!collect) return;
  collect();
  // The native finalizers that close the connections run in the turns after the collection.
  await nextTurn();
  await nextTurn();
}

function findCollector(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
