import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import { createDedupSweeper } from '../../src/runtime/dedup-sweeper.ts';
import { createShardPool } from '../../src/runtime/shard-pool.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { openEngineStore } from '../../src/store/engine-store.ts';
import { trackedEvent } from '../support/events.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// The dedup sweep through real shard workers and real LMDB: marks older than the window go with
// their expiry entries, younger ones stay, and marks written before the expiry index existed are
// indexed (or removed) by a one-time pass.

const HOUR = 60 * 60 * 1000;
const WINDOW = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

describe('dedup sweeper (real workers, real LMDB)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function start() {
    const dir = makeTempDir('dedup-sweep');
    const store = openEngineStore(dir.path);
    const pool = createShardPool({ dataDir: dir.path, shards: 2, cacheSize: 1000, onCommitted: () => store.root.resetReadTxn() });
    const clock = createManualClock(T0);
    const sweeper = createDedupSweeper({ pool, clock, meta: store.meta, windowMs: WINDOW, log: pino({ level: 'silent' }) });
    cleanups.push(dir.remove, () => store.close(), () => pool.close(), () => sweeper.stop());
    return { store, pool, clock, sweeper };
  }

  it('indexes marks written before the expiry index existed, removing those already out of the window, once', async () => {
    const { store, clock, sweeper } = start();
    // An older data directory: marks without expiry entries.
    await store.root.transaction(() => {
      for (let i = 0; i < 2_500; i++) store.dedup.put([asSpaceId('default'), `legacy-old-${i}`], T0 - 2 * WINDOW);
      for (let i = 0; i < 1_500; i++) store.dedup.put([asSpaceId('default'), `legacy-new-${i}`], T0 - HOUR);
    });
    expect(await sweeper.sweep()).toBe(2_500);
    store.root.resetReadTxn();
    expect([...store.dedup.getKeys()].every(([, id]) => id.startsWith('legacy-new-'))).toBe(true);
    expect([...store.dedup.getKeys()]).toHaveLength(1_500);
    expect([...store.dedupExpiry.getKeys()]).toHaveLength(1_500);
    expect(store.meta.get('dedup.expiryIndexed')).toBe(true);

    clock.set(T0 - HOUR + WINDOW + 1);
    expect(await sweeper.sweep()).toBe(1_500);
    store.root.resetReadTxn();
    expect({ marks: [...store.dedup.getKeys()].length, expiry: [...store.dedupExpiry.getKeys()].length }).toEqual({ marks: 0, expiry: 0 });
  });

  it('a delivery writes each mark with its expiry entry; the sweep removes exactly those older than the window', async () => {
    const { store, pool, clock, sweeper } = start();
    const deliver = async (prefix: string, count: number, at: number): Promise<void> => {
      const messages: ActorMessage[] = Array.from({ length: count }, (_, i) => ({
        type: 'profile.track',
        profileId: asProfileId(`use_sweep${i % 10}`),
        spaceId: asSpaceId('default'),
        event: trackedEvent({ messageId: `${prefix}-${i}`, timestamp: at, receivedAt: at }),
        newIdentifiers: [],
      }));
      for (const shard of [0, 1]) await pool.deliver(shard, { now: at, messages: messages.filter((m) => pool.shardOf(m.profileId) === shard) });
    };
    await deliver('early', 1_200, T0);
    await deliver('late', 300, T0 + 2 * HOUR);
    expect([...store.dedupExpiry.getKeys()]).toHaveLength(1_500);

    clock.set(T0 + WINDOW);
    expect(await sweeper.sweep()).toBe(0);
    clock.set(T0 + WINDOW + 1);
    expect(await sweeper.sweep()).toBe(1_200);
    store.root.resetReadTxn();
    expect(new Set([...store.dedup.getKeys()].map(([, id]) => id.split('-')[0]))).toEqual(new Set(['late']));
    expect([...store.dedupExpiry.getKeys()].map(([at]) => at)).toEqual(Array.from({ length: 300 }, () => T0 + 2 * HOUR));
    // Events are not touched: only the marks.
    expect([...store.events.getKeys()]).toHaveLength(1_500);
  });
});
