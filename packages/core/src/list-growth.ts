/**
 * Which list each list made by `State.append`/`State.extend` grew from, so
 * incremental storage can tell "grew at its end" without comparing every
 * element (O(1) per step instead of O(length)). Weak: remembering a list
 * never keeps it alive.
 */
const parents = new WeakMap<readonly unknown[], readonly unknown[]>();

/** How many appends apart a list and its ancestor may be found; further, the caller compares elements instead. */
const MAX_HOPS = 64;

/** A new list holding `list`'s elements, then `items`; remembers that it grew from `list`. */
export function grownList(list: readonly unknown[], items: Iterable<unknown>): unknown[] {
  const grown = [...list, ...items];
  parents.set(grown, list);
  return grown;
}

/**
 * Whether `list` was made from `ancestor` by appends alone (within
 * {@link MAX_HOPS} of them), so that its first elements are the ones
 * `ancestor` held when each append ran. A list changed in place afterwards
 * is not seen, as with any value changed in place.
 */
export function grewFrom(list: readonly unknown[], ancestor: readonly unknown[]): boolean {
  let current: readonly unknown[] | undefined = list;
  for (let hops = 0; current !== undefined && hops <= MAX_HOPS; hops++) {
    if (current === ancestor) return true;
    current = parents.get(current);
  }
  return false;
}
