import type { Database } from 'lmdb';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import type { DedupKey } from '../store/engine-store.ts';
import type { ShardPool } from './shard-pool.ts';

/** Marks per chunk: a chunk holds LMDB's write lock for about a millisecond. */
const CHUNK = 1_000;
/** How often the sweep runs on its own (wall time). Marks live at most this much past the window. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** Set once every mark written before `dedup-expiry` existed has an expiry entry. */
const INDEXED_KEY = 'dedup.expiryIndexed';

export interface DedupSweeperOptions {
  readonly pool: ShardPool;
  readonly clock: Clock;
  readonly meta: Database<unknown, string>;
  readonly windowMs: number;
  readonly log: Logger;
}

export interface DedupSweeper {
  /** Removes every mark older than the window as of now; resolves with how many went. */
  sweep(): Promise<number>;
  /** Sweeps now in the background, then every interval. */
  start(): void;
  /** No new sweeps; resolves once a running one has finished its chunk. */
  stop(): Promise<void>;
}

/**
 * Keeps dedup marks for `dedupWindowHours` (contract: at least 24 h) instead of forever.
 *
 * Main paces, a shard works: the marks are written by the shards in their delivery transactions
 * and read by main, and main owns the engine clock (manual in tests). Main computes the cutoff
 * and hands the shards one chunk at a time, alternating between them, and yields between chunks,
 * so each chunk waits its turn among deliveries instead of holding up ingestion; main's own
 * thread (HTTP, identity) does none of the LMDB work.
 */
export function createDedupSweeper(options: DedupSweeperOptions): DedupSweeper {
  const { pool, clock, meta, windowMs, log } = options;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  let interval: NodeJS.Timeout | undefined;
  let nextShard = 0;
  const shard = (): number => nextShard++ % pool.count;

  async function indexOlderMarks(cutoff: number): Promise<number> {
    if (meta.get(INDEXED_KEY) === true) return 0;
    let removed = 0;
    let after: DedupKey | null = null;
    do {
      const chunk = await pool.indexDedup(shard(), after, cutoff, CHUNK);
      removed += chunk.removed;
      after = chunk.last;
      await yieldToIngestion();
    } while (after !== null && !stopped);
    if (!stopped) await meta.put(INDEXED_KEY, true);
    return removed;
  }

  async function sweepOnce(): Promise<number> {
    const cutoff = clock.now() - windowMs;
    let removed = await indexOlderMarks(cutoff);
    for (let more = true; more && !stopped; ) {
      const chunk = await pool.sweepDedup(shard(), cutoff, CHUNK);
      removed += chunk.removed;
      more = chunk.more;
      if (more) await yieldToIngestion();
    }
    return removed;
  }

  function sweep(): Promise<number> {
    if (running !== undefined) {
      // Asked for while one runs (the clock just moved): the running loop goes round once more
      // with a fresh cutoff before it resolves, so the caller's newer time is honoured.
      again = true;
      return running;
    }
    const run = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await sweepOnce();
        } while (again && !stopped);
        if (total > 0) log.debug({ removed: total }, 'dedup marks swept');
        return total;
      } finally {
        running = undefined;
      }
    })();
    running = run;
    return run;
  }

  return {
    sweep,
    start() {
      const background = (): void => void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweeping dedup marks failed; the next sweep retries'));
      background();
      interval = setInterval(background, SWEEP_INTERVAL_MS);
      interval.unref();
    },
    async stop() {
      stopped = true;
      if (interval !== undefined) clearInterval(interval);
      await running?.catch(() => undefined);
    },
  };
}

function yieldToIngestion(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
