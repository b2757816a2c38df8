import { afterEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import { createShardRuntime } from '../../src/runtime/shard/shard-runtime.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { definitionRecord } from '../support/definition-record.ts';
import { trackedEvent } from '../support/events.ts';
import { storedProfile } from '../support/stored-profile.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// A heavy profile's long windows are kept in segments (src/compute/segmented-list.ts): they are
// stored so in LMDB, read back so after a restart, and answer as the history they hold.

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);
const QUARTER_HOUR = 15 * 60_000;
const profileId = asProfileId('use_heavy');
const DEFINITIONS = [
  definitionRecord({ id: 'trt_spend', key: 'spend_3d', kind: 'computed_trait', query: "event('Order Completed').within(3 days).sum(property('total'))", spaceId: space }),
  definitionRecord({ id: 'trt_top', key: 'top_currency_7d', kind: 'computed_trait', query: "event('Order Completed').within(7 days).max(property('currency') as string)", spaceId: space }),
  definitionRecord({ id: 'aud_lapsed', key: 'ordered_a_day_ago', kind: 'audience', query: "event('Order Completed').between(1 days, 3 days).count() >= 150", spaceId: space }),
];

/** Order `i`: one every 15 minutes from T0, totals 0..9, currencies cycling (the greatest, 'USD', only every fifth). */
function order(i: number): ActorMessage {
  const timestamp = T0 + i * QUARTER_HOUR;
  const currency = ['AUD', 'CAD', 'EUR', 'GBP', 'USD'][i % 5]!;
  const event = trackedEvent({ messageId: `o${i}`, type: 'track', event: 'Order Completed', userId: profileId, properties: { total: i % 10, currency }, timestamp, receivedAt: timestamp });
  return { type: 'profile.track', profileId, spaceId: space, event, newIdentifiers: [{ type: 'user_id', value: profileId, addedAt: T0, firstMessageId: 'o0', sourceId: 'src' }] };
}

/** The sum of the totals of orders `from <= i < to`. */
function totals(from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += i % 10;
  return sum;
}

describe('segmented windows in LMDB', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('are stored in segments, read back after a restart, and answer as the history they hold', async () => {
    const dir = makeTempDir('segmented-window');
    cleanups.push(dir.remove);
    const open = async (): Promise<{ store: EngineStore; deliver: (from: number, to: number) => Promise<void> }> => {
      const store = openEngineStore(dir.path);
      const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 100 });
      for (const record of DEFINITIONS) await store.definitions.put(record.id, record);
      runtime.useDefinitions(1);
      const deliver = async (from: number, to: number): Promise<void> => {
        const messages = Array.from({ length: to - from }, (_, k) => order(from + k));
        await runtime.deliver(messages, T0 + (to - 1) * QUARTER_HOUR);
      };
      return { store, deliver };
    };

    // Four days of orders, a day per delivery: 384, of which the 3-day window holds 288.
    const first = await open();
    await first.deliver(0, 96);
    // A day in, no order is a day old yet: the audience's trait is absent until it first qualifies.
    expect(storedProfile(first.store, profileId)?.traits['ordered_a_day_ago']).toBeUndefined();
    for (let day = 1; day < 4; day++) await first.deliver(day * 96, (day + 1) * 96);
    const stored = first.store.compute.get([profileId, 'trt_spend']);
    expect(stored?.state).toMatchObject({ s: 'seg' });
    const segments = (stored!.state as unknown as { segs: unknown[][] }).segs;
    // The window's 288 occurrences (and a dead prefix of at most a segment) in segments of 64.
    expect(segments.length).toBeGreaterThanOrEqual(5);
    expect(segments.every((segment) => segment.length <= 2 * 64 * 2)).toBe(true);
    const traits = storedProfile(first.store, profileId)?.traits;
    // At the last order (i = 383) the 3-day window holds orders 96..383 (order 95 sits exactly on its edge).
    expect(traits?.['spend_3d']?.value).toBe(totals(96, 384));
    expect(traits?.['top_currency_7d']?.value).toBe('USD');
    // Between 1 and 3 days before the last order: orders 96..287, 192 of them.
    expect(traits?.['ordered_a_day_ago']?.value).toBe(true);
    await first.store.close();

    // A restart reads the segments back; one more day of orders continues them.
    const second = await open();
    await second.deliver(384, 480);
    const after = storedProfile(second.store, profileId)?.traits;
    expect(after?.['spend_3d']?.value).toBe(totals(192, 480));
    expect(after?.['top_currency_7d']?.value).toBe('USD');
    expect(second.store.compute.get([profileId, 'trt_spend'])?.state).toMatchObject({ s: 'seg' });
    await second.deliver(480, 481);
    expect(storedProfile(second.store, profileId)?.traits['spend_3d']?.value).toBe(totals(193, 481));
    await second.store.close();
  });
});
