import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ParsedItem } from '../../src/ingest/parse-request.ts';
import { createDispatchSequencer } from '../../src/runtime/dispatch-sequencer.ts';
import { createIdentityGraphStore } from '../../src/runtime/identity-graph-store.ts';
import { createIngestService } from '../../src/runtime/ingest-service.ts';
import { createEngineMetrics } from '../../src/runtime/metrics.ts';
import { newProfileId } from '../../src/runtime/profile-id.ts';
import { createSpaceRegistry } from '../../src/runtime/space-registry.ts';
import { createTimerDriver } from '../../src/runtime/timer-driver.ts';
import { createManualClock } from '../../src/shared/clock.ts';
import { asProfileId } from '../../src/shared/ids.ts';
import { openEngineStore } from '../../src/store/engine-store.ts';
import { createInProcessPool } from '../support/in-process-pool.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// Issue 9, growth over a long life: the shard's released set and the main thread's merge forward
// map grew by one entry per merge, forever. The forward map is gone (merges are followed through
// the graph records' durable `mergedInto`), and the released set holds only merges in flight.
// This drives the real ingest service, identity graph and shard runtimes over real LMDB through
// 100,000 merges and measures the structures themselves.

const MERGES = 100_000;
const PAIRS_PER_REQUEST = 1_000;
const T0 = Date.UTC(2026, 0, 1);

describe('memory over 100k merges', () => {
  const dir = makeTempDir('merge-memory');
  const store = openEngineStore(dir.path);
  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  it('the released sets and the graph overlay stay flat, and an old profile id still forwards after a restart', async () => {
    const { pool, runtimes } = createInProcessPool(store, 2);
    const graph = createIdentityGraphStore(store);
    const spaces = createSpaceRegistry(loadConfig({ env: { TROUPE_LOG_LEVEL: 'silent' } }).spaces);
    const space = spaces.byId('default')!;
    const source = space.config.writeKeys[0]!;
    const clock = createManualClock(T0);
    const ingest = createIngestService({
      store,
      pool,
      graph,
      metrics: createEngineMetrics(() => pool.depths()),
      timers: createTimerDriver(pool, clock, () => undefined, (error) => { throw error; }),
      log: pino({ level: 'silent' }),
      maxQueuedEventsPerShard: 1_000_000,
      sequencer: createDispatchSequencer(),
      newMessageId: () => { throw new Error('every test event has a messageId'); },
      newProfileId,
      onNewIdentifierTypes: async () => undefined,
      onViolations: async () => undefined,
    });
    let index = 0;
    const send = async (events: ReadonlyArray<Record<string, string>>): Promise<void> => {
      const items: ParsedItem[] = events.map((event, i) => ({ index: i, ok: true, event: { type: 'track', event: 'E', timestamp: T0, ...event } }) as ParsedItem);
      const outcome = await ingest.ingest({ space, source, items, receivedAt: T0 + index++ });
      expect(outcome.rejected).toEqual([]);
    };

    const samples: Array<{ merges: number; released: number[]; staged: [number, number] }> = [];
    let lastLoser: string | undefined;
    for (let done = 0; done < MERGES; done += PAIRS_PER_REQUEST) {
      const pairs = Array.from({ length: PAIRS_PER_REQUEST }, (_, i) => done + i);
      // Two profiles per pair (committed, so each merge releases a real state), then the merge.
      await send(pairs.flatMap((n): Array<Record<string, string>> => [{ anonymousId: `anon-${n}`, messageId: `a-${n}` }, { userId: `user-${n}`, messageId: `u-${n}` }]));
      // The user's profile was created second, so it is the one folded into the anonymous one.
      lastLoser = store.identity.get(['default', 'user_id', `user-${done + PAIRS_PER_REQUEST - 1}`]);
      await send(pairs.map((n) => ({ userId: `user-${n}`, anonymousId: `anon-${n}`, messageId: `m-${n}` })));
      if ((done + PAIRS_PER_REQUEST) % 20_000 === 0) {
        const sizes = graph.sizes();
        samples.push({ merges: done + PAIRS_PER_REQUEST, released: runtimes.map((r) => r.sizes().released), staged: [sizes.stagedIdentifiers, sizes.stagedProfiles] });
      }
    }

    // Every pair is one profile now, holding both ids.
    const last = MERGES - 1;
    const winner = store.identity.get(['default', 'anonymous_id', `anon-${last}`]);
    expect(store.identity.get(['default', 'user_id', `user-${last}`])).toBe(winner);
    const loser = lastLoser;
    expect(loser).toBeDefined();
    expect(loser).not.toBe(winner);
    expect(store.graphProfiles.get(String(loser))?.mergedInto).toBe(winner);

    // Flat: at most two requests' worth of merges in flight per shard, at 20k merges as at 100k.
    for (const sample of samples) {
      expect(sample.staged).toEqual([0, 0]);
      for (const released of sample.released) expect(released).toBeLessThanOrEqual(2 * PAIRS_PER_REQUEST);
    }
    expect(samples.map((s) => s.merges)).toEqual([20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(runtimes.map((r) => r.sizes())).toEqual(runtimes.map(() => expect.objectContaining({ erasing: 0, pendingCommits: 0 })));

    // A restarted main thread (a fresh graph store) still forwards the loser's id to the winner.
    expect(createIdentityGraphStore(store).liveProfile(asProfileId(String(loser)))).toBe(winner);
  }, 300_000);
});
