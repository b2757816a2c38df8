import type { Database, Key } from 'lmdb';

export interface NewestFirstPage<K, V> {
  readonly items: readonly V[];
  /** The key to continue from (inclusive), or undefined on the last page. */
  readonly next: K | undefined;
}

/**
 * A page of a per-space log whose keys are `[spaceId, at, …]`, newest first: one reverse range
 * scan that stops after `limit + 1` entries, so a page costs the same however long the log is.
 */
export function newestFirst<K extends [string, number, ...Key[]], V>(db: Database<V, K>, spaceId: string, limit: number, from?: K): NewestFirstPage<K, V> {
  const items: V[] = [];
  let next: K | undefined;
  const start = from ?? ([spaceId, Number.MAX_SAFE_INTEGER] as unknown as K);
  for (const { key, value } of db.getRange({ start, end: [spaceId, -1] as unknown as K, reverse: true, limit: limit + 1 })) {
    if (items.length === limit) {
      next = key;
      break;
    }
    items.push(value);
  }
  return { items, next };
}
