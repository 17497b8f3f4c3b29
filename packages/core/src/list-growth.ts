/**
 * Which lists each list made by `State.append`/`State.extend` grew from, so
 * incremental storage can tell "grew at its end" without comparing every
 * element (O(1) per step instead of O(length)).
 *
 * A list's lineage names its ancestors by number, not by reference: a
 * WeakMap keeps a value alive as long as its key, so ancestors held by
 * reference would keep every earlier list of a long chat alive through the
 * newest one (10,000 appends: 10,000 arrays, 50 million slots).
 */
interface Lineage {
  readonly id: number;
  /** The ids of the lists this one grew from by appends, nearest last; at most {@link MAX_HOPS}. */
  readonly ancestors: readonly number[];
}

const lineages = new WeakMap<readonly unknown[], Lineage>();
let nextId = 0;

/** How many appends apart a list and its ancestor may be found; further, the caller compares elements instead. */
const MAX_HOPS = 64;

function lineageOf(list: readonly unknown[]): Lineage {
  let lineage = lineages.get(list);
  if (!lineage) {
    lineage = { id: nextId++, ancestors: [] };
    lineages.set(list, lineage);
  }
  return lineage;
}

/** A new list holding `list`'s elements, then `items`; remembers that it grew from `list` (and from what `list` grew from). */
export function grownList(list: readonly unknown[], items: Iterable<unknown>): unknown[] {
  const grown = [...list, ...items];
  const parent = lineageOf(list);
  const kept = parent.ancestors.length < MAX_HOPS ? parent.ancestors : parent.ancestors.slice(1);
  lineages.set(grown, { id: nextId++, ancestors: [...kept, parent.id] });
  return grown;
}

/**
 * Whether `list` was made from `ancestor` by appends alone (within
 * {@link MAX_HOPS} of them), so that its first elements are the ones
 * `ancestor` held when each append ran. A list changed in place afterwards
 * is not seen, as with any value changed in place.
 */
export function grewFrom(list: readonly unknown[], ancestor: readonly unknown[]): boolean {
  if (list === ancestor) return true;
  const from = lineages.get(ancestor);
  const ancestors = lineages.get(list)?.ancestors;
  return from !== undefined && ancestors !== undefined && ancestors.lastIndexOf(from.id) >= 0;
}
