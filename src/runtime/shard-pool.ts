import { Piscina } from 'piscina';
import { AppError } from '../shared/errors.ts';
import type { ShardRequest, ShardResponse, ShardResult, ShardWorkerData } from './shard-protocol.ts';
import { shardOf } from './shard-of.ts';

export interface ShardPoolOptions {
  readonly dataDir: string;
  readonly shards: number;
  readonly cacheSize: number;
}

export interface ShardPool {
  readonly count: number;
  shardOf(profileId: string): number;
  /** Sends one task to one shard; `weight` is how many messages it carries (for queue depth). */
  send(shard: number, request: ShardRequest, weight: number): Promise<ShardResult>;
  /** Messages sent to each shard and not yet answered: the backpressure signal. */
  depths(): readonly number[];
  close(): Promise<void>;
}

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
      workerData,
    });
  });
  const inFlight = pools.map(() => 0);

  return {
    count: options.shards,
    shardOf: (profileId) => shardOf(profileId, options.shards),
    async send(shard, request, weight) {
      const pool = pools[shard];
      if (pool === undefined) throw new AppError('internal_error', `no shard ${shard}`);
      inFlight[shard]! += weight;
      try {
        const response = (await pool.run(request)) as ShardResponse;
        if (!response.ok) throw new AppError(response.error.code, response.error.message);
        return response.result;
      } finally {
        inFlight[shard]! -= weight;
      }
    },
    depths: () => [...inFlight],
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}
