import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ActorMessage } from '../src/actors/actor-message.ts';
import { createDedupSweeper } from '../src/runtime/dedup-sweeper.ts';
import { createShardPool, type ShardPool } from '../src/runtime/shard-pool.ts';
import { createManualClock } from '../src/shared/clock.ts';
import { asProfileId, asSpaceId } from '../src/shared/ids.ts';
import { openEngineStore, type EngineStore } from '../src/store/engine-store.ts';

/**
 * What the dedup window saves on disk (issue 9): 100k events through real shard workers, LMDB
 * page statistics of the `dedup` and `dedup-expiry` databases before and after a sweep, then
 * another 100k events to show the freed pages are reused instead of the file growing.
 * Run: `node --import tsx bench/dedup-sweep.ts` (`--no-sweep` for the comparison without it).
 */
const EVENTS = 100_000;
const DELIVERY = 1_000;
const PROFILES = 20_000;
const T0 = Date.UTC(2026, 0, 1);
const WINDOW = 168 * 60 * 60 * 1000;

function pagesOf(stats: { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number }): number {
  return stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages;
}

function report(label: string, store: EngineStore, file: string): void {
  store.root.resetReadTxn();
  const dedup = store.dedup.getStats() as { entryCount: number; pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  const expiry = store.dedupExpiry.getStats() as typeof dedup;
  const env = store.root.getStats() as { lastPageNumber: number };
  const kb = (pages: number): string => `${((pages * dedup.pageSize) / 1024).toFixed(0)} KiB`;
  console.log(
    `${label.padEnd(34)} dedup ${String(dedup.entryCount).padStart(6)} marks ${kb(pagesOf(dedup)).padStart(9)} | ` +
      `dedup-expiry ${String(expiry.entryCount).padStart(6)} ${kb(pagesOf(expiry)).padStart(9)} | ` +
      `pages in use by the file (high-water) ${kb(env.lastPageNumber + 1).padStart(10)} | file ${(statSync(file).size / 1024 ** 2).toFixed(1)} MiB (sparse map)`,
  );
}

async function deliver(pool: ShardPool, prefix: string, at: number): Promise<void> {
  for (let offset = 0; offset < EVENTS; offset += DELIVERY) {
    const byShard = new Map<number, ActorMessage[]>();
    for (let i = offset; i < offset + DELIVERY; i++) {
      const profileId = asProfileId(`use_bench${i % PROFILES}`);
      const message: ActorMessage = {
        type: 'profile.track',
        profileId,
        spaceId: asSpaceId('default'),
        event: { type: 'track', event: 'Order Completed', messageId: `${prefix}-${i}-${'x'.repeat(24)}`, sourceId: 'src_bench', timestamp: at, receivedAt: at, properties: { total: i % 300 } },
        newIdentifiers: [],
      };
      const shard = pool.shardOf(profileId);
      byShard.set(shard, [...(byShard.get(shard) ?? []), message]);
    }
    await Promise.all([...byShard].map(([shard, messages]) => pool.deliver(shard, { now: at, messages })));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-dedup-bench-'));
  const file = join(dir, 'troupe.mdb');
  const store = openEngineStore(dir);
  const pool = createShardPool({ dataDir: dir, shards: 2, cacheSize: 250_000, onCommitted: () => store.root.resetReadTxn() });
  const clock = createManualClock(T0);
  const sweeper = createDedupSweeper({ pool, clock, meta: store.meta, windowMs: WINDOW, log: pino({ level: 'silent' }) });
  try {
    await deliver(pool, 'first', T0);
    report(`after ${EVENTS} events`, store, file);
    clock.set(T0 + WINDOW + 1);
    const started = performance.now();
    const removed = process.argv.includes('--no-sweep') ? 0 : await sweeper.sweep();
    const ms = performance.now() - started;
    report(`after the sweep (${removed} removed, ${ms.toFixed(0)} ms)`, store, file);
    await deliver(pool, 'second', T0 + WINDOW + 2);
    report(`after ${EVENTS} more events`, store, file);
  } finally {
    await sweeper.stop();
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
