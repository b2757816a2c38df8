import type { Database, Key } from 'lmdb';

/**
 * Every entry whose key starts with `prefix` (tuple keys), in key order, as one lazy range scan.
 *
 * Why not `end: [...prefix, '\uffff']`: keys are ordered by their UTF-8 bytes, and every string
 * that starts above U+FFFF (an emoji, any astral-plane character) or with U+FFFF itself sorts
 * after that bound, so such keys were silently skipped. No string is a true upper bound for
 * "any string"; instead the scan starts at the prefix and stops at the first key that no longer
 * carries it. Tuple keys of one prefix are contiguous (elements are separated by a 0 byte that no
 * element's own encoding contains), so nothing after that key can match.
 */
export function* entriesWithPrefix<V, K extends Key[]>(
  db: Database<V, K>,
  prefix: readonly Key[],
): Generator<{ key: K; value: V }, void, undefined> {
  // Breaking out of the for-of closes the LMDB cursor.
  for (const entry of db.getRange({ start: [...prefix] })) {
    if (!startsWith(entry.key, prefix)) return;
    yield entry;
  }
}

function startsWith(key: readonly Key[], prefix: readonly Key[]): boolean {
  if (!Array.isArray(key) || key.length < prefix.length) return false;
  return prefix.every((part, i) => key[i] === part);
}
