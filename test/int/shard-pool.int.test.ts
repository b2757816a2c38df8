import { afterEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { createShardPool, type ShardPool } from '../../src/runtime/shard-pool.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { trackedEvent } from '../support/events.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);

describe('shard workers (real piscina threads, real LMDB)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function start(dir: string): { pool: ShardPool; store: EngineStore } {
    const store = openEngineStore(dir);
    // As the engine does: this thread's reads must see what a shard has just committed.
    const pool = createShardPool({ dataDir: dir, shards: 2, cacheSize: 1000, onCommitted: () => store.root.resetReadTxn() });
    cleanups.push(() => pool.close(), () => store.close());
    return { pool, store };
  }

  async function deliver(pool: ShardPool, messages: ActorMessage[], now: number): Promise<void> {
    const byShard = new Map<number, ActorMessage[]>();
    for (const m of messages) {
      const shard = pool.shardOf(m.profileId);
      byShard.set(shard, [...(byShard.get(shard) ?? []), m]);
    }
    await Promise.all([...byShard].map(([shard, batch]) => pool.deliver(shard, { now, messages: batch })));
  }

  function identify(profile: string, n: number, timestamp: number): ActorMessage {
    return {
      type: 'profile.track',
      profileId: asProfileId(profile),
      spaceId: space,
      event: trackedEvent({ type: 'identify', messageId: `${profile}-${n}`, traits: { seq: n }, timestamp, receivedAt: timestamp }),
      newIdentifiers: [],
    };
  }

  it('processes many profiles across both shards in parallel and keeps each profile\'s order', async () => {
    const dir = makeTempDir('shards');
    cleanups.push(dir.remove);
    const { pool, store } = start(dir.path);
    const profiles = Array.from({ length: 200 }, (_, i) => `use_p${i}`);
    expect(new Set(profiles.map((p) => pool.shardOf(p))).size).toBe(2);
    // 10 concurrent deliveries; within each profile, message n carries seq n with the SAME
    // timestamp, so only arrival order decides the final trait value.
    const rounds = Array.from({ length: 10 }, (_, n) => profiles.map((p) => identify(p, n, T0)));
    await Promise.all(rounds.map((round) => deliver(pool, round, T0)));
    for (const p of profiles) {
      const state = store.profiles.get(p);
      expect(state?.traits['seq']?.value).toBe(9);
      expect(state?.eventCounts.identify).toBe(10);
      expect(state?.version).toBe(10);
      expect([...store.events.getKeys({ start: [p], end: [p, Infinity] })]).toHaveLength(10);
      expect(store.dedup.get(['default', `${p}-3`])).toBe(T0);
    }
  });

  it('fires a timer after the clock passes its due time, and not before', async () => {
    const dir = makeTempDir('timers');
    cleanups.push(dir.remove);
    const { pool, store } = start(dir.path);
    const pid = asProfileId('use_timer');
    await deliver(pool, [identify(pid, 0, T0)], T0);
    await deliver(pool, [{ type: 'profile.schedule', profileId: pid, spaceId: space, key: 'test.wake', dueAt: T0 + 60_000 }], T0);
    const shard = pool.shardOf(pid);

    const early = await pool.tick(shard, T0 + 59_999);
    expect(early.effects).toEqual([]);
    expect(early.nextTimerAt).toBe(T0 + 60_000);
    expect(store.profiles.get(pid)?.timers).toEqual({ 'test.wake': T0 + 60_000 });

    const due = await pool.tick(shard, T0 + 60_000);
    expect(due.effects).toEqual([{ type: 'timer.fired', profileId: pid, key: 'test.wake', dueAt: T0 + 60_000, at: T0 + 60_000 }]);
    expect(store.profiles.get(pid)?.timers).toEqual({});
    expect([...store.timers.getKeys()]).toEqual([]);
  });

  it('closes while a shard it never used is still starting, and refuses requests once closing', async () => {
    const dir = makeTempDir('close-early');
    cleanups.push(dir.remove);
    // Terminating a worker inside LMDB's native open aborted the whole process: each worker now
    // closes its store before it is terminated. Shard 1 gets no request here, so close() meets it
    // while it is still starting.
    for (let round = 0; round < 3; round++) {
      const pool = createShardPool({ dataDir: dir.path, shards: 2, cacheSize: 100 });
      const ticked = await pool.tick(0, T0);
      expect(ticked.effects).toEqual([]);
      const closed = pool.close();
      await expect(pool.tick(1, T0)).rejects.toMatchObject({ code: 'unavailable' });
      await closed;
    }
  });

  it('keeps a pending timer across a restart and fires it afterwards', async () => {
    const dir = makeTempDir('timers-restart');
    cleanups.push(dir.remove);
    const pid = asProfileId('use_restart');
    const dueAt = T0 + 30 * 24 * 3600_000; // beyond setTimeout's 24.8-day range
    {
      const pool = createShardPool({ dataDir: dir.path, shards: 2, cacheSize: 1000 });
      await deliver(pool, [identify(pid, 0, T0)], T0);
      await deliver(pool, [{ type: 'profile.schedule', profileId: pid, spaceId: space, key: 'lookback', dueAt }], T0);
      await pool.close();
    }
    const { pool, store } = start(dir.path);
    const shard = pool.shardOf(pid);
    const result = await pool.tick(shard, dueAt + 1);
    expect(result.effects).toEqual([{ type: 'timer.fired', profileId: pid, key: 'lookback', dueAt, at: dueAt + 1 }]);
    expect(store.profiles.get(pid)?.timers).toEqual({});
  });
});
