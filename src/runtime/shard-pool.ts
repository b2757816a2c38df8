import { Piscina } from 'piscina';
import { AppError } from '../shared/errors.ts';
import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { DedupKey } from '../store/engine-store.ts';
import type { IdentityWrites } from '../store/identity-records.ts';
import type { IndexChunkResult, SweepChunkResult } from './shard/dedup-sweep.ts';
import type {
  BackfillChunk,
  BackfillChunkResult,
  EraseResult,
  PreviewChunk,
  PreviewChunkResult,
  ReleaseResult,
  ShardRequest,
  ShardResponse,
  ShardResult,
  ShardWorkerData,
  SyncSweepChunk,
  SyncSweepResult,
} from './shard/shard-protocol.ts';
import { shardOf } from './shard/shard-of.ts';

export interface ShardPoolOptions {
  readonly dataDir: string;
  readonly shards: number;
  readonly cacheSize: number;
  /**
   * Called after a shard answers, so the caller's LMDB reads see what the shard just committed.
   * lmdb-js keeps a thread's read snapshot until a setTimeout(0) renews it; without this, the
   * main thread can read a snapshot older than a commit it has already been told about.
   */
  readonly onCommitted?: () => void;
  /** The version of the live definitions; stamped on every request (see `shard-definitions.ts`). */
  readonly definitionsVersion?: () => number;
  /** Called (after `onCommitted`) with the destinations a shard's answer says got outbox entries. */
  readonly onOutboxed?: (destinationIds: readonly string[]) => void;
}

export interface ShardPool {
  readonly count: number;
  shardOf(profileId: string): number;
  /** Steps messages on one shard and commits them (with the identity writes) in one transaction. */
  deliver(shard: number, request: Omit<Extract<ShardRequest, { type: 'shard.deliver' }>, 'type'>): Promise<ShardResult>;
  /** Fires the shard's timers due by `now`. */
  tick(shard: number, now: EpochMs): Promise<ShardResult>;
  /** Hands profiles over for a merge, returning their final states. */
  release(shard: number, profileIds: readonly ProfileId[]): Promise<ReleaseResult>;
  /** Deletes a profile on its shard. */
  erase(shard: number, profileId: ProfileId, identityWrites: IdentityWrites): Promise<EraseResult>;
  /** Rebuilds one definition on the shard's next profiles (one backfill chunk). */
  backfill(shard: number, chunk: BackfillChunk): Promise<BackfillChunkResult>;
  /** Queues a new connection's first messages for the shard's next profiles (one sweep chunk). */
  syncSweep(shard: number, chunk: SyncSweepChunk): Promise<SyncSweepResult>;
  /** Answers an audience preview on the shard's next profiles (one read-only chunk). */
  preview(shard: number, chunk: PreviewChunk): Promise<PreviewChunkResult>;
  /** One chunk of the dedup sweep (any shard may run it: the marks are not partitioned). */
  sweepDedup(shard: number, cutoff: EpochMs, limit: number): Promise<SweepChunkResult>;
  /** One chunk of the one-time indexing of marks older than `dedup-expiry`. */
  indexDedup(shard: number, after: DedupKey | null, cutoff: EpochMs, limit: number): Promise<IndexChunkResult>;
  /** Messages sent to each shard and not yet answered: the backpressure signal. */
  depths(): readonly number[];
  close(): Promise<void>;
}

const YOUNG_GENERATION_MB = 96;
const WORKER_FILE = new URL('../../workers/shard.worker.ts', import.meta.url).href;

/**
 * One single-thread piscina pool per shard: piscina does not route by key, so the shard → thread
 * mapping is ours. Each thread runs several tasks at once so that LMDB commits of consecutive
 * deliveries overlap (group commit); the steps themselves are synchronous, so order is kept.
 */
export function createShardPool(options: ShardPoolOptions): ShardPool {
  const pools = Array.from({ length: options.shards }, (_, shardIndex) => {
    const workerData: ShardWorkerData = {
      dataDir: options.dataDir,
      shardIndex,
      shardCount: options.shards,
      cacheSize: options.cacheSize,
    };
    return new Piscina({
      filename: WORKER_FILE,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 64,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Workers load TypeScript through tsx, like the main thread (no build step).
      execArgv: ['--import', 'tsx'],
      // A step allocates short-lived states; a young generation of 3 × 32 MB (V8's default semi-space is
      // 16 MB) lets most die before a scavenge, which cut a shard's CPU per new profile by ~15%.
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      workerData,
    });
  });
  const inFlight = pools.map(() => 0);
  /** Every request not yet answered: closing waits for them before the workers close their stores. */
  const outstanding = new Set<Promise<unknown>>();
  let closing = false;

  // Each request type has exactly one result type; the worker's switch guarantees the pairing.
  async function send<T extends ShardResult | ReleaseResult | EraseResult | BackfillChunkResult | SweepChunkResult | IndexChunkResult | SyncSweepResult | PreviewChunkResult>(shard: number, request: ShardRequest, weight: number): Promise<T> {
    const pool = pools[shard];
    if (pool === undefined) throw new AppError('internal_error', `no shard ${shard}`);
    if (closing) throw new AppError('unavailable', `shard ${shard} is closing`);
    inFlight[shard]! += weight;
    let running: Promise<unknown> | undefined;
    try {
      const stamped: ShardRequest = options.definitionsVersion === undefined ? request : { ...request, definitionsVersion: options.definitionsVersion() };
      running = pool.run(stamped) as Promise<unknown>;
      outstanding.add(running);
      const response = (await running) as ShardResponse;
      options.onCommitted?.();
      if (!response.ok) throw new AppError(response.error.code, response.error.message);
      const { result } = response;
      if ('outboxed' in result && result.outboxed.length > 0) options.onOutboxed?.(result.outboxed);
      return result as T;
    } finally {
      inFlight[shard]! -= weight;
      if (running !== undefined) outstanding.delete(running);
    }
  }

  return {
    count: options.shards,
    shardOf: (profileId) => shardOf(profileId, options.shards),
    deliver: (shard, request) => send<ShardResult>(shard, { type: 'shard.deliver', ...request }, request.messages.length),
    tick: (shard, now) => send<ShardResult>(shard, { type: 'shard.tick', now }, 0),
    release: (shard, profileIds) => send<ReleaseResult>(shard, { type: 'shard.release', profileIds }, 0),
    erase: (shard, profileId, identityWrites) => send<EraseResult>(shard, { type: 'shard.erase', profileId, identityWrites }, 0),
    backfill: (shard, chunk) => send<BackfillChunkResult>(shard, { type: 'shard.backfill', ...chunk }, 0),
    syncSweep: (shard, chunk) => send<SyncSweepResult>(shard, { type: 'shard.sync-sweep', ...chunk }, 0),
    preview: (shard, chunk) => send<PreviewChunkResult>(shard, { type: 'shard.preview', ...chunk }, 0),
    sweepDedup: (shard, cutoff, limit) => send<SweepChunkResult>(shard, { type: 'shard.sweep-dedup', cutoff, limit }, 0),
    indexDedup: (shard, after, cutoff, limit) => send<IndexChunkResult>(shard, { type: 'shard.index-dedup', after, cutoff, limit }, 0),
    depths: () => [...inFlight],
    async close() {
      closing = true;
      await Promise.allSettled([...outstanding]);
      // Each worker closes its LMDB store before piscina terminates it (see `shard.close`).
      await Promise.allSettled(pools.map((pool) => pool.run({ type: 'shard.close' } satisfies ShardRequest)));
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}
