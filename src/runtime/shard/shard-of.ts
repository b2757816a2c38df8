/**
 * The shard that owns a profile: FNV-1a of its id modulo the shard count. Stable across restarts
 * for a given shard count; timers are re-assigned by the same function when the count changes.
 */
export function shardOf(profileId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i++) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}
