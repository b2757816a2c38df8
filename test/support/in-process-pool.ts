import type { ShardPool } from '../../src/runtime/shard-pool.ts';
import { indexDedupChunk, sweepDedupChunk } from '../../src/runtime/shard/dedup-sweep.ts';
import { shardOf } from '../../src/runtime/shard/shard-of.ts';
import { createShardRuntime, type ShardRuntime } from '../../src/runtime/shard/shard-runtime.ts';
import type { EngineStore } from '../../src/store/engine-store.ts';

/**
 * The shard pool's interface over shard runtimes running in this thread, on one real LMDB store:
 * for int tests that look inside the runtimes (their memory) while driving the real main-thread
 * services. The workers' own code path is covered by the pool's int tests and every e2e test.
 */
export function createInProcessPool(store: EngineStore, shards: number, cacheSize = 1_000): { pool: ShardPool; runtimes: readonly ShardRuntime[] } {
  const runtimes = Array.from({ length: shards }, (_, shardIndex) => createShardRuntime({ store, shardIndex, shardCount: shards, cacheSize }));
  const inFlight = runtimes.map(() => 0);
  const runtime = (shard: number): ShardRuntime => {
    const found = runtimes[shard];
    if (found === undefined) throw new Error(`no shard ${shard}`);
    return found;
  };
  // As the real pool does after every answer: this thread's reads must see the commit.
  const answered = async <T>(shard: number, work: () => Promise<T>): Promise<T> => {
    inFlight[shard]! += 1;
    try {
      return await work();
    } finally {
      inFlight[shard]! -= 1;
      store.root.resetReadTxn();
    }
  };
  const pool: ShardPool = {
    count: shards,
    shardOf: (profileId) => shardOf(profileId, shards),
    deliver: (shard, request) => answered(shard, () => runtime(shard).deliver(request.messages, request.now, request.identityWrites)),
    tick: (shard, now) => answered(shard, () => runtime(shard).tick(now)),
    release: (shard, profileIds) => answered(shard, () => runtime(shard).release(profileIds)),
    erase: (shard, profileId, identityWrites) => answered(shard, () => runtime(shard).erase(profileId, identityWrites)),
    backfill: (shard, chunk) => answered(shard, () => runtime(shard).backfill(chunk)),
    syncSweep: (shard, chunk) => answered(shard, () => runtime(shard).syncSweep(chunk)),
    preview: (shard, chunk) => answered(shard, () => Promise.resolve(runtime(shard).preview(chunk))),
    sweepDedup: (shard, cutoff, limit) => answered(shard, () => sweepDedupChunk(store, cutoff, limit)),
    indexDedup: (shard, after, cutoff, limit) => answered(shard, () => indexDedupChunk(store, after, cutoff, limit)),
    depths: () => [...inFlight],
    close: async () => undefined,
  };
  return { pool, runtimes };
}
