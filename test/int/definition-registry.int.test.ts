import { createPublication } from '../../src/runtime/publication.ts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDefinitionRegistry, type DefinitionInput, type DefinitionRegistry } from '../../src/runtime/definition-registry.ts';
import type { ShardPool } from '../../src/runtime/shard-pool.ts';
import type { BackfillChunkResult } from '../../src/runtime/shard/shard-protocol.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// The registry against real LMDB, with a pool whose backfills finish at once (no profiles): what
// is tested is how the registry's own writes interleave, not the shards.

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

function unused(): never {
  throw new Error('not used by the registry');
}

/** A one-shard pool that only answers backfill chunks, each with nothing to replay. */
function emptyBackfillPool(): ShardPool {
  const done: BackfillChunkResult = { next: undefined, scanned: 0, profiles: 0, events: 0, outboxed: [] };
  return {
    count: 1,
    shardOf: () => 0,
    deliver: unused,
    tick: unused,
    release: unused,
    erase: unused,
    backfill: () => Promise.resolve(done),
    syncSweep: unused,
    preview: unused,
    sweepDedup: unused,
    indexDedup: unused,
    depths: () => [0],
    close: () => Promise.resolve(),
  };
}

function audience(name: string, query = "event('Order Completed').count() >= 1"): DefinitionInput {
  return { kind: 'audience', name, query, target: 'USERS', enabled: true, options: { includeHistoricalData: true, includeAnonymousUsers: false } };
}

describe('definition registry (real LMDB)', () => {
  let dir: { path: string; remove: () => void };
  let store: EngineStore;
  let registry: DefinitionRegistry;

  function open(): DefinitionRegistry {
    const pool = emptyBackfillPool();
    return createDefinitionRegistry({ store, pool: () => pool, clock: createManualClock(NOW), log: pino({ level: 'silent' }), publication: createPublication() });
  }

  beforeEach(() => {
    dir = makeTempDir('registry');
    store = openEngineStore(dir.path);
    registry = open();
  });

  afterEach(async () => {
    await registry.close();
    await store.close();
    dir.remove();
  });

  // Regression (definitions-api e2e, "PATCH name"): a backfill's status write read the record
  // before a PATCH and landed after it, putting the old name back in memory and in LMDB.
  it('a PATCH made while the creation backfill steps its status is kept, in memory and in LMDB', async () => {
    const created = await registry.create('default', audience('Rename me'));
    const updated = await registry.update('default', 'audience', created.record.id, { name: 'Renamed', description: 'now described' });
    expect(updated.record).toMatchObject({ name: 'Renamed', description: 'now described' });
    await registry.idle();
    expect(registry.find('default', 'audience', created.record.id)?.record).toMatchObject({ name: 'Renamed', description: 'now described', lifecycle: { status: 'Live' } });
    // What a restart would load.
    store.root.resetReadTxn();
    expect(store.definitions.get(created.record.id)).toMatchObject({ name: 'Renamed', description: 'now described', lifecycle: { status: 'Live' } });
    await registry.close();
    registry = open();
    expect(registry.find('default', 'audience', 'rename_me')?.record).toMatchObject({ name: 'Renamed', lifecycle: { status: 'Live' } });
  });

  it('a re-definition made while the first backfill runs ends Live on the new query', async () => {
    const created = await registry.create('default', audience('Redefine me'));
    await registry.update('default', 'audience', created.record.id, { query: "event('Order Completed').count() >= 2" });
    await registry.idle();
    const record = registry.find('default', 'audience', created.record.id)?.record;
    expect(record).toMatchObject({ query: "event('Order Completed').count() >= 2", revision: 2, lifecycle: { status: 'Live' } });
    expect(store.definitions.get(created.record.id)).toMatchObject({ revision: 2, lifecycle: { status: 'Live' } });
  });

  // Two creates with one key in flight together: the second must see the first's key at once.
  it('two concurrent creates of one key: one 201, one key_in_use', async () => {
    const outcomes = await Promise.allSettled([registry.create('default', audience('Same key')), registry.create('default', audience('Same key'))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'key_in_use' });
    expect(registry.list('default', 'audience')).toHaveLength(1);
  });
  it('a backfill cut by a shutdown (persisted Computing) runs again on resumeBackfills and ends Live', async () => {
    const created = await registry.create('default', audience('Cut short'));
    await registry.idle();
    await registry.close();
    await store.definitions.put(created.record.id, { ...created.record, lifecycle: { status: 'Computing', progress: 0.4 } });
    registry = open();
    expect(registry.find('default', 'audience', 'cut_short')?.record.lifecycle).toEqual({ status: 'Computing', progress: 0.4 });
    registry.resumeBackfills();
    await registry.idle();
    expect(registry.find('default', 'audience', 'cut_short')?.record.lifecycle).toEqual({ status: 'Live' });
  });
});

describe('definition registry: a backfill reports its progress (real LMDB)', () => {
  it('goes Preparing → Computing with rising progress → Live, chunk by chunk', async () => {
    const dir = makeTempDir('registry-progress');
    const store = openEngineStore(dir.path);
    // 100 profile records: the table size progress is told against.
    for (let i = 0; i < 100; i++) await store.profiles.put(`use_${String(i).padStart(3, '0')}`, { spaceId: 'default' } as never);
    const releases: Array<(result: BackfillChunkResult) => void> = [];
    let queuedDeliveries = 0;
    const pool: ShardPool = {
      count: 1,
      shardOf: () => 0,
      deliver: unused,
      tick: unused,
      release: unused,
      erase: unused,
      backfill: () => new Promise<BackfillChunkResult>((resolve) => releases.push(resolve)),
      syncSweep: unused,
    preview: unused,
    sweepDedup: unused,
      indexDedup: unused,
      depths: () => [queuedDeliveries],
      close: () => Promise.resolve(),
    };
    const registry = createDefinitionRegistry({ store, pool: () => pool, clock: createManualClock(NOW), log: pino({ level: 'silent' }), publication: createPublication() });
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));
    const status = (): unknown => registry.find('default', 'audience', 'progress_me')?.record.lifecycle;
    const release = (result: BackfillChunkResult): void => {
      const next = releases.shift();
      if (next === undefined) throw new Error('no backfill chunk is waiting');
      next(result);
    };
    try {
      const created = await registry.create('default', audience('Progress me'));
      expect(created.record.lifecycle).toEqual({ status: 'Preparing' });
      await settle();
      expect(status()).toEqual({ status: 'Computing', progress: 0 });
      // An idle shard gets one chunk at a time (a request arriving waits behind one chunk only).
      expect(releases).toHaveLength(1);
      queuedDeliveries = 500;
      release({ next: 'use_029', scanned: 30, profiles: 30, events: 90, outboxed: [] });
      await settle();
      // Told against the table's entry count (msgpackr keeps one more record there: its shared structures).
      expect(status()).toEqual({ status: 'Computing', progress: expect.closeTo(0.3, 1) });
      // With deliveries queued on it, the shard gets sixteen: each waits behind the queue, together.
      expect(releases).toHaveLength(16);
      // Progress is written at most every 250 ms.
      await new Promise((resolve) => setTimeout(resolve, 300));
      release({ next: 'use_059', scanned: 30, profiles: 30, events: 90, outboxed: [] });
      await settle();
      expect(status()).toEqual({ status: 'Computing', progress: expect.closeTo(0.6, 1) });
      release({ next: undefined, scanned: 40, profiles: 40, events: 120, outboxed: [] });
      await settle();
      // The chunks still in flight answer empty (the shard scanned through); Live waits for them.
      expect(releases).toHaveLength(15);
      expect(status()).toMatchObject({ status: 'Computing' });
      while (releases.length > 0) release({ next: undefined, scanned: 0, profiles: 0, events: 0, outboxed: [] });
      await registry.idle();
      expect(status()).toEqual({ status: 'Live' });
      store.root.resetReadTxn();
      expect(store.definitions.get(created.record.id)?.lifecycle).toEqual({ status: 'Live' });
    } finally {
      // Let a backfill still waiting on a chunk finish, so closing does not wait forever.
      while (releases.length > 0) release({ next: undefined, scanned: 0, profiles: 0, events: 0, outboxed: [] });
      await registry.close();
      await store.close();
      dir.remove();
    }
  });
});
