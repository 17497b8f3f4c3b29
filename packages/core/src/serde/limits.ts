/**
 * How deep stored state may nest: at most this many JSON arrays and objects
 * inside one another, the state object itself being level 1 and a tagged
 * value (`{"__burr_serde__": ...}`) counting as the object it is stored as.
 * Deeper values are refused on save with a {@link SerializationError}, and
 * deeper stored JSON on load with a {@link DeserializationError}, both naming
 * the key path, instead of overflowing the call stack. Python's `json`
 * module stops near the same depth (its recursion limit is 1000).
 */
export const MAX_NESTING_DEPTH = 1000;
