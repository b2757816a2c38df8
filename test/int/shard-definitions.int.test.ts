import { afterEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import { DEFINITIONS_TIMER_KEY } from '../../src/runtime/shard/definition-timer-row.ts';
import type { Condition } from '../../src/definitions/ast.ts';
import type { DefinitionRecord } from '../../src/definitions/definition-record.ts';
import { createShardRuntime, type ShardRuntime } from '../../src/runtime/shard/shard-runtime.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../../src/shared/ids.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { trackedEvent } from '../support/events.ts';
import { storedProfile } from '../support/stored-profile.ts';
import { definitionRecord } from '../support/definition-record.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function definition(id: string, key: string, kind: DefinitionRecord['kind'], query: string): DefinitionRecord {
  return definitionRecord({ id, key, kind, query, spaceId: space });
}

/** Definitions several tests share. */
const week = definition('aud_week', 'week_buyer', 'audience', "event('Order Completed').within(7 days).count() >= 1");
const spend = definition('trt_spend', 'total_spend', 'computed_trait', "event('Order Completed').sum(property('total'))");

let seq = 0;
function order(profileId: ProfileId, total: number, timestamp: number): ActorMessage {
  seq += 1;
  const event = trackedEvent({ messageId: `m${seq}`, type: 'track', event: 'Order Completed', userId: profileId, properties: { total }, timestamp, receivedAt: timestamp });
  return { type: 'profile.track', profileId, spaceId: space, event, newIdentifiers: [{ type: 'user_id', value: profileId, addedAt: timestamp, firstMessageId: event.messageId, sourceId: 'src' }] };
}

describe('shard runtime with live definitions (real LMDB)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function open(dataDir: string): { store: EngineStore; runtime: ShardRuntime } {
    const store = openEngineStore(dataDir);
    cleanups.push(() => store.close());
    return { store, runtime: createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 1000 }) };
  }

  /** A first life of the data directory: the definitions, one delivery, `then`, and a clean close. */
  async function firstLife(dataDir: string, records: readonly DefinitionRecord[], messages: ActorMessage[], then: (store: EngineStore) => Promise<void>): Promise<void> {
    const store = openEngineStore(dataDir);
    try {
      const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 1000 });
      for (const record of records) await store.definitions.put(record.id, record);
      runtime.useDefinitions(1);
      await runtime.deliver(messages, Math.max(...messages.map((m) => (m.type === 'profile.track' ? m.event.timestamp : 0))));
      await then(store);
    } finally {
      await store.close();
    }
  }

  it('writes memberships, per-definition states and sizes in the delivery; a restart resumes them and the timer exits the member exactly', async () => {
    const dir = makeTempDir('shard-defs');
    cleanups.push(dir.remove);
    const buyer = asProfileId('use_buyer');
    {
      const { store, runtime } = open(dir.path);
      await store.definitions.put('aud_recent', definition('aud_recent', 'recent_buyer', 'audience', "event('Order Completed').within(30 days).count() >= 1"));
      await store.definitions.put('trt_spend', definition('trt_spend', 'total_spend', 'computed_trait', "event('Order Completed').sum(property('total'))"));
      runtime.useDefinitions(1);
      const result = await runtime.deliver([order(buyer, 40, T0), order(buyer, 2, T0 + 1)], T0 + 1);
      // The first event armed the exit at T0 + 30 d; the second moves the true exit later, which
      // needs no new timer row: the armed one fires early, finds the member still in, re-arms.
      expect(result.nextTimerAt).toBe(T0 + 30 * DAY);
      const stored = storedProfile(store, buyer);
      expect(stored?.traits.recent_buyer?.value).toBe(true);
      expect(stored?.traits.total_spend?.value).toBe(42);
      expect(stored !== undefined && 'compute' in stored).toBe(false);
      expect([...store.compute.getKeys({ start: [buyer], end: [`${buyer}\u0000`] })]).toEqual([
        [buyer, 'aud_recent'],
        [buyer, 'trt_spend'],
      ]);
      expect(store.definitionSizes.get(['aud_recent', 0])).toBe(1);
      expect([...store.timers.getKeys()]).toEqual([[T0 + 30 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
      await store.close();
      cleanups.pop();
    }
    const { store, runtime } = open(dir.path);
    runtime.useDefinitions(1);
    await runtime.deliver([order(buyer, 8, T0 + 2)], T0 + 2);
    expect(storedProfile(store, buyer)?.traits.total_spend?.value).toBe(50);
    // Early wake-ups change nothing; the timer walks forward to the true exit.
    await runtime.tick(T0 + 30 * DAY);
    await runtime.tick(T0 + 2 + 30 * DAY - 1);
    expect(storedProfile(store, buyer)?.traits.recent_buyer?.value).toBe(true);
    expect([...store.timers.getKeys()]).toEqual([[T0 + 2 + 30 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 2 + 30 * DAY);
    expect(storedProfile(store, buyer)?.traits.recent_buyer?.value).toBe(false);
    expect(store.definitionSizes.get(['aud_recent', 0])).toBe(0);
  });

  it("arms ONE row per profile at its earliest definition timer; it fires each due definition and moves to the next", async () => {
    const dir = makeTempDir('shard-timer-row');
    cleanups.push(dir.remove);
    const { store, runtime } = open(dir.path);
    await store.definitions.put('aud_week', definition('aud_week', 'week_buyer', 'audience', "event('Order Completed').within(7 days).count() >= 1"));
    await store.definitions.put('aud_month', definition('aud_month', 'month_buyer', 'audience', "event('Order Completed').within(30 days).count() >= 1"));
    await store.definitions.put('trt_week', definition('trt_week', 'week_spend', 'computed_trait', "event('Order Completed').within(7 days).sum(property('total'))"));
    runtime.useDefinitions(1);
    const buyer = asProfileId('use_rows');
    await runtime.deliver([order(buyer, 40, T0)], T0);
    // Three armed definitions (two at T0 + 7 d, one at T0 + 30 d), one row.
    expect([...store.timers.getKeys()]).toEqual([[T0 + 7 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 7 * DAY);
    const afterWeek = storedProfile(store, buyer)?.traits;
    expect([afterWeek?.week_buyer?.value, afterWeek?.month_buyer?.value, afterWeek?.week_spend?.value]).toEqual([false, true, null]);
    expect([...store.timers.getKeys()]).toEqual([[T0 + 30 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 30 * DAY);
    expect(storedProfile(store, buyer)?.traits.month_buyer?.value).toBe(false);
    expect([...store.timers.getKeys()]).toEqual([]);
  });

  it("a merge removes the loser's timer row; the winner's row wakes it for both histories", async () => {
    const dir = makeTempDir('shard-merge-timer');
    cleanups.push(dir.remove);
    const { store, runtime } = open(dir.path);
    await store.definitions.put('aud_recent', definition('aud_recent', 'recent_buyer', 'audience', "event('Order Completed').within(30 days).count() >= 1"));
    runtime.useDefinitions(1);
    const winner = asProfileId('use_winner');
    const loser = asProfileId('use_loser');
    await runtime.deliver([order(winner, 1, T0), order(loser, 1, T0 + DAY)], T0 + DAY);
    const { states } = await runtime.release([loser]);
    await runtime.deliver([{ type: 'profile.absorb', profileId: winner, spaceId: space, loserId: loser, absorbed: states[0], trigger: { messageId: 'merge', eventType: 'identify', at: T0 + DAY } }], T0 + DAY);
    // Only the winner's row is left, at its own exit: it wakes early (the loser's order keeps it
    // a member a day longer) and moves to the true exit.
    expect([...store.timers.getKeys()]).toEqual([[T0 + 30 * DAY, winner, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 30 * DAY);
    expect(storedProfile(store, winner)?.traits.recent_buyer?.value).toBe(true);
    expect([...store.timers.getKeys()]).toEqual([[T0 + 31 * DAY, winner, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 31 * DAY);
    expect(storedProfile(store, winner)?.traits.recent_buyer?.value).toBe(false);
    expect([...store.timers.getKeys()]).toEqual([]);
  });

  it("a row armed for a definition since deleted moves on to the profile's next live due when it fires", async () => {
    const dir = makeTempDir('shard-retired-timer');
    cleanups.push(dir.remove);
    const buyer = asProfileId('use_retired');
    const month = definition('aud_month', 'month_buyer', 'audience', "event('Order Completed').within(30 days).count() >= 1");
    await firstLife(dir.path, [week, month], [order(buyer, 40, T0)], async (store) => {
      expect([...store.timers.getKeys()]).toEqual([[T0 + 7 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
    });
    const { store, runtime } = open(dir.path);
    await store.definitions.remove('aud_week');
    runtime.useDefinitions(2);
    await runtime.tick(T0 + 7 * DAY);
    expect([...store.timers.getKeys()]).toEqual([[T0 + 30 * DAY, buyer, DEFINITIONS_TIMER_KEY]]);
    await runtime.tick(T0 + 30 * DAY);
    expect(storedProfile(store, buyer)?.traits.month_buyer?.value).toBe(false);
    expect([...store.timers.getKeys()]).toEqual([]);
  });

  it("shows a live definition's answer over a custom trait of its key, which the record keeps", async () => {
    const dir = makeTempDir('shard-owned-key');
    cleanups.push(dir.remove);
    const buyer = asProfileId('use_owned_key');
    const { store, runtime } = open(dir.path);
    await store.definitions.put(spend.id, spend);
    runtime.useDefinitions(1);
    const identify = trackedEvent({ messageId: 'identify-owned', type: 'identify', userId: buyer, traits: { total_spend: 1 }, timestamp: T0 + 1, receivedAt: T0 + 1 });
    await runtime.deliver([order(buyer, 40, T0), { type: 'profile.track', profileId: buyer, spaceId: space, event: identify, newIdentifiers: [] }], T0 + 1);
    expect(store.profiles.get(buyer)?.traits.total_spend?.value).toBe(1);
    expect(store.answers.get([buyer, 'total_spend'])?.value).toBe(40);
    expect(storedProfile(store, buyer)?.traits.total_spend?.value).toBe(40);
  });

  it("keeps a deleted definition's last answer as a custom trait: its row goes, the record holds it", async () => {
    const dir = makeTempDir('shard-retired-answer');
    cleanups.push(dir.remove);
    const buyer = asProfileId('use_retired_answer');
    // The second order changes only states: they are written behind it, and replayed at load.
    await firstLife(dir.path, [spend, week], [order(buyer, 40, T0), order(buyer, 2, T0 + 1)], async (store) => {
      expect([...store.answers.getKeys({ start: [buyer], end: [`${buyer}\u0000`] })]).toEqual([
        [buyer, 'total_spend'],
        [buyer, 'week_buyer'],
      ]);
      expect(store.profiles.get(buyer)?.traits).toEqual({});
      expect(store.profiles.get(buyer)?.computeLag?.count).toBe(1);
    });
    const { store, runtime } = open(dir.path);
    await store.definitions.remove('trt_spend');
    runtime.useDefinitions(2);
    await runtime.deliver([order(buyer, 5, T0 + DAY)], T0 + DAY);
    // The sum stopped at 42 (the later order is not added), now a custom trait of the record.
    expect(store.answers.get([buyer, 'total_spend'])).toBeUndefined();
    expect(store.profiles.get(buyer)?.traits.total_spend?.value).toBe(42);
    expect(storedProfile(store, buyer)?.traits.total_spend?.value).toBe(42);
    expect(storedProfile(store, buyer)?.traits.week_buyer?.value).toBe(true);
  });

  it('still fires, then removes, a per-definition timer row written by an older version', async () => {
    const dir = makeTempDir('shard-legacy-timer');
    cleanups.push(dir.remove);
    const buyer = asProfileId('use_legacy');
    const recent = definition('aud_recent', 'recent_buyer', 'audience', "event('Order Completed').within(30 days).count() >= 1");
    await firstLife(dir.path, [recent], [order(buyer, 40, T0)], async (store) => {
      // As older versions stored it: a row per definition, keyed def:<id>.
      await store.timers.remove([T0 + 30 * DAY, buyer, DEFINITIONS_TIMER_KEY]);
      await store.timers.put([T0 + 30 * DAY, buyer, 'def:aud_recent'], true);
    });
    const { store, runtime } = open(dir.path);
    runtime.useDefinitions(1);
    await runtime.tick(T0 + 30 * DAY);
    expect(storedProfile(store, buyer)?.traits.recent_buyer?.value).toBe(false);
    expect([...store.timers.getKeys()]).toEqual([]);
  });

  it('a backfill rebuilds states from stored history, replacing (not adding to) what live events built', async () => {
    const dir = makeTempDir('shard-backfill');
    cleanups.push(dir.remove);
    const { store, runtime } = open(dir.path);
    const a = asProfileId('use_a');
    const b = asProfileId('use_b');
    await runtime.deliver([order(a, 10, T0), order(a, 5, T0 + 1), order(b, 7, T0 + 2)], T0 + 2);
    expect(storedProfile(store, a)?.traits.order_count).toBeUndefined();
    await store.definitions.put('trt_count', definition('trt_count', 'order_count', 'computed_trait', "event('Order Completed').count()"));
    runtime.useDefinitions(2);
    // A live event for a before the backfill reaches it: counted once in the end, not twice.
    await runtime.deliver([order(a, 1, T0 + 3)], T0 + 3);
    expect(storedProfile(store, a)?.traits.order_count?.value).toBe(1);
    const chunk = await runtime.backfill({ definitionId: 'trt_count', spaceId: space, run: 'run-1', limit: 10, now: T0 + 4, replay: true });
    expect(chunk).toEqual({ next: undefined, scanned: 2, profiles: 2, events: 4, outboxed: [] });
    expect(storedProfile(store, a)?.traits.order_count?.value).toBe(3);
    expect(storedProfile(store, b)?.traits.order_count?.value).toBe(1);
  });

  it('chunks of one run, several in flight, go on from each other and cover every profile once', async () => {
    const dir = makeTempDir('shard-backfill-run');
    cleanups.push(dir.remove);
    const { store, runtime } = open(dir.path);
    const ids = Array.from({ length: 10 }, (_, i) => asProfileId(`use_${i}`));
    await runtime.deliver(ids.flatMap((id, i) => [order(id, i, T0 + i), order(id, 1, T0 + 100 + i)]), T0 + 200);
    await store.definitions.put('trt_count', definition('trt_count', 'order_count', 'computed_trait', "event('Order Completed').count()"));
    runtime.useDefinitions(2);
    const chunk = { definitionId: 'trt_count', spaceId: space, limit: 3, now: T0 + 300, replay: true, run: 'run-1' } as const;
    // Five at once, as the engine keeps them in flight: 3 + 3 + 3 + 1 profiles, then nothing left.
    const results = await Promise.all(Array.from({ length: 5 }, () => runtime.backfill(chunk)));
    expect(results.map((r) => [r.profiles, r.events, r.next === undefined])).toEqual([
      [3, 6, false],
      [3, 6, false],
      [3, 6, false],
      [1, 2, true],
      [0, 0, true],
    ]);
    for (const id of ids) expect(storedProfile(store, id)?.traits.order_count?.value).toBe(2);
    // Another run starts from the beginning.
    expect((await runtime.backfill({ ...chunk, run: 'run-2', limit: 20 })).profiles).toBe(10);
  });

  it("a backfill writes its own definition's rows, not the profile's record and other answers again; LMDB reads as memory", async () => {
    const dir = makeTempDir('shard-backfill-rows');
    cleanups.push(dir.remove);
    const { store, runtime } = open(dir.path);
    const a = asProfileId('use_a');
    await store.definitions.put('trt_count', definition('trt_count', 'order_count', 'computed_trait', "event('Order Completed').count()"));
    runtime.useDefinitions(1);
    // One event: no definition state lags behind (a backfill would write it out, and the record with it).
    await runtime.deliver([order(a, 150, T0 + 1)], T0 + 1);
    await store.definitions.put('aud_big', definition('aud_big', 'big_spender', 'audience', "event('Order Completed').where(property('total') > 100).count() >= 1"));
    runtime.useDefinitions(2);
    const puts: string[] = [];
    for (const name of ['profiles', 'answers', 'compute'] as const) {
      const table = store[name] as { put: (...args: unknown[]) => Promise<boolean> };
      const put = table.put.bind(table);
      table.put = (key, ...rest) => {
        puts.push(`${name} ${JSON.stringify(key)}`);
        return put(key, ...rest);
      };
    }
    await runtime.backfill({ definitionId: 'aud_big', spaceId: space, run: 'run-1', limit: 10, now: T0 + 2, replay: true });
    expect(puts).toEqual(['answers ["use_a","big_spender"]', 'compute ["use_a","aud_big"]']);
    // What a restart reads is what memory holds: the record LMDB kept, with both answers.
    expect(storedProfile(store, a)?.traits).toEqual({
      order_count: { value: 1, updatedAt: T0 + 1, sourceId: space },
      big_spender: { value: true, updatedAt: T0 + 2, sourceId: space },
    });
  });
});

describe('a step that throws (real LMDB)', () => {
  it('leaves nothing ahead of LMDB: the next delivery starts from what was committed', async () => {
    const dir = makeTempDir('shard-throw');
    const store = openEngineStore(dir.path);
    try {
      const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 1000 });
      const buyer = asProfileId('use_throw');
      await runtime.deliver([order(buyer, 5, T0)], T0);
      // A USERS definition with ANY() cannot be created through the registry; written straight to
      // LMDB it compiles but throws when evaluated, standing in for an evaluator bug.
      const poisoned = definitionRecord({ id: 'aud_poison', key: 'poison', kind: 'audience', query: "event('Order Completed').count() >= 1" });
      const anyRoot: Condition = { kind: 'quantified', quantifier: 'any', negated: false, operand: poisoned.ast.root as Condition, at: { line: 1, column: 1 } };
      await store.definitions.put('aud_poison', { ...poisoned, ast: { kind: 'audience', target: 'USERS', root: anyRoot } });
      runtime.useDefinitions(1);
      // The identify steps (the definition does not wake for it) and is pinned; the order throws.
      const identify: ActorMessage = {
        type: 'profile.track',
        profileId: buyer,
        spaceId: space,
        event: trackedEvent({ messageId: 'throw-identify', type: 'identify', userId: buyer, traits: { plan: 'pro' }, timestamp: T0 + 1, receivedAt: T0 + 1 }),
        newIdentifiers: [],
      };
      await expect(runtime.deliver([identify, order(buyer, 9, T0 + 2)], T0 + 2)).rejects.toThrow(/ANY\/ALL/);
      await store.definitions.remove('aud_poison');
      runtime.useDefinitions(2);
      const after = await runtime.release([buyer]);
      // Only the committed first event: what the failed delivery stepped is gone.
      expect(after.states[0]?.eventCounts).toEqual({ track: 1 });
      expect(after.states[0]?.traits).not.toHaveProperty('plan');
    } finally {
      await store.close();
      dir.remove();
    }
  });

  it('a backfill over profiles not in memory leaves the cache to the hot ones', async () => {
    const dir = makeTempDir('shard-backfill-cache');
    const cold = Array.from({ length: 40 }, (_, i) => asProfileId(`use_cold_${String(i).padStart(2, '0')}`));
    try {
      const first = openEngineStore(dir.path);
      await createShardRuntime({ store: first, shardIndex: 0, shardCount: 1, cacheSize: 1000 }).deliver(cold.map((id, i) => order(id, i, T0 + i)), T0 + 40);
      await first.close();
      const store = openEngineStore(dir.path);
      try {
        // Room for the chunks in flight (4 × 4 profiles) and the hot two, not for all 42.
        const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 30 });
        const hot = [asProfileId('use_hot_a'), asProfileId('use_hot_b')];
        await runtime.deliver(hot.map((id, i) => order(id, 1, T0 + 100 + i)), T0 + 102);
        expect(runtime.sizes().cached).toBe(2);
        await store.definitions.put('trt_count', definition('trt_count', 'order_count', 'computed_trait', "event('Order Completed').count()"));
        runtime.useDefinitions(1);
        let next: string | undefined;
        do {
          const chunk = await runtime.backfill({ definitionId: 'trt_count', spaceId: space, run: 'run-1', limit: 4, now: T0 + 200, replay: true });
          next = chunk.next;
        } while (next !== undefined);
        // Every profile was rebuilt, and the 40 cold ones let go again: only the hot two are held.
        expect(storedProfile(store, cold[39]!)?.traits.order_count?.value).toBe(1);
        expect(storedProfile(store, hot[0]!)?.traits.order_count?.value).toBe(1);
        expect(runtime.sizes().cached).toBe(2);
      } finally {
        await store.close();
      }
    } finally {
      dir.remove();
    }
  });
});
