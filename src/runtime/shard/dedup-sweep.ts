import type { EpochMs } from '../../shared/ids.ts';
import type { DedupExpiryKey, DedupKey, EngineStore } from '../../store/engine-store.ts';

export interface SweepChunkResult {
  /** Marks removed by this chunk. */
  readonly removed: number;
  /** True when the chunk stopped at its limit: older marks may remain. */
  readonly more: boolean;
}

export interface IndexChunkResult {
  readonly removed: number;
  readonly indexed: number;
  /** The last mark visited, to resume from; null when the whole `dedup` db was walked. */
  readonly last: DedupKey | null;
}

/**
 * Removes up to `limit` dedup marks that arrived before `cutoff`, oldest first, with their
 * `dedup-expiry` entries, in one transaction. The range is read inside the write transaction, so
 * consecutive chunks never see each other's removed entries. A mark is removed only if it still
 * holds the arrival time its expiry entry names (defensive: a messageId accepted again after its
 * window has a new mark and a new entry of its own).
 */
export async function sweepDedupChunk(store: EngineStore, cutoff: EpochMs, limit: number): Promise<SweepChunkResult> {
  let removed = 0;
  let more = false;
  await store.root.transaction(() => {
    // `[cutoff]` sorts after every [t, …] with t < cutoff and before every [cutoff, …]; `end` is exclusive.
    const expired = [...store.dedupExpiry.getKeys({ end: [cutoff] as unknown as DedupExpiryKey, limit: limit + 1 })];
    more = expired.length > limit;
    for (const key of expired.slice(0, limit)) {
      const [receivedAt, spaceId, messageId] = key;
      store.dedupExpiry.remove(key);
      if (store.dedup.get([spaceId, messageId]) === receivedAt) {
        store.dedup.remove([spaceId, messageId]);
        removed++;
      }
    }
  });
  return { removed, more };
}

/**
 * One chunk of the one-time pass over marks written before `dedup-expiry` existed: each gets its
 * expiry entry, or is removed at once if already out of the window. Walks `dedup` in key order
 * from after `after`. Idempotent, so an interrupted pass simply starts again.
 */
export async function indexDedupChunk(store: EngineStore, after: DedupKey | null, cutoff: EpochMs, limit: number): Promise<IndexChunkResult> {
  let removed = 0;
  let indexed = 0;
  let last: DedupKey | null = null;
  await store.root.transaction(() => {
    const range = after === null ? { limit } : { start: after, limit: limit + 1 };
    const marks = [...store.dedup.getRange(range)].filter(({ key }) => after === null || !sameKey(key, after)).slice(0, limit);
    for (const { key, value } of marks) {
      if (value < cutoff) {
        store.dedup.remove(key);
        removed++;
      } else {
        store.dedupExpiry.put([value, key[0], key[1]], true);
        indexed++;
      }
    }
    last = marks.length === limit ? (marks[marks.length - 1]?.key ?? null) : null;
  });
  return { removed, indexed, last };
}

function sameKey(a: DedupKey, b: DedupKey): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
