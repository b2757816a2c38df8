import type { TraitEntry } from '../../src/actors/profile-state.ts';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import type { DefinitionRecord } from '../../src/definitions/definition-record.ts';
import { createShardRuntime, type ShardRuntime } from '../../src/runtime/shard/shard-runtime.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { definitionRecord } from '../support/definition-record.ts';
import { storedProfile } from '../support/stored-profile.ts';
import { trackedEvent } from '../support/events.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);
const NAMES = ['Order Completed', 'Product Added', 'Signed Up'] as const;
const PROFILES = ['use_a', 'use_b', 'use_c'].map(asProfileId);

/** Definitions of every kind, with windows short enough for timers to fire within a run. */
const QUERIES: Array<[DefinitionRecord['kind'], string, string]> = [
  ['audience', 'two_orders', "event('Order Completed').within(5 hours).count() >= 2"],
  ['audience', 'big_order', "event('Order Completed').where(property('total') > 50).within(3 hours).count() >= 1"],
  ['audience', 'abandoned', "event('Product Added').where(event('Order Completed').within(parent: 2 hours).count() = 0).within(10 hours).count() >= 1"],
  ['audience', 'pro_recent', "trait('plan') = 'pro' AND event('Signed Up').between(1 hours, 6 hours).count() >= 1"],
  ['computed_trait', 'spend', "event('Order Completed').within(8 hours).sum(property('total'))"],
  ['computed_trait', 'first_total', "event('Order Completed').first(property('total'))"],
  ['computed_trait', 'top_sku', "event('Product Added').mode(property('sku'), 1)"],
  ['computed_trait', 'skus', "event('Product Added').unique(property('sku')).count()"],
  ['audience', 'big_spender', "trait('spend') > 100 OR event('Product Added').within(4 hours).count() >= 3"],
];

function definitions(): DefinitionRecord[] {
  return QUERIES.map(([kind, key, query], i) => definitionRecord({ id: `${kind === 'audience' ? 'aud' : 'trt'}_${i}`, key, kind, query, spaceId: space }));
}

/** One step of a run: an event for a profile at an offset from the clock, or the clock moving on. */
type Step =
  | { kind: 'event'; profile: number; name: number; total: number; sku: number; offsetMinutes: number; plan: boolean }
  | { kind: 'burst'; events: Array<Extract<Step, { kind: 'event' }>> }
  | { kind: 'advance'; minutes: number }
  | { kind: 'restart' }
  | { kind: 'redefine' };

const eventArbitrary = fc.record({ kind: fc.constant('event' as const), profile: fc.nat(2), name: fc.nat(2), total: fc.nat(120), sku: fc.nat(3), offsetMinutes: fc.integer({ min: -600, max: 120 }), plan: fc.boolean() });

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: eventArbitrary },
  // Several events in one delivery: a profile stepped more than once before its commit.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burst' as const), events: fc.array(eventArbitrary, { minLength: 2, maxLength: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'redefine' as const }) },
);

let seq = 0;
function message(step: Extract<Step, { kind: 'event' }>, now: number): ActorMessage {
  seq += 1;
  const profileId = PROFILES[step.profile]!;
  const timestamp = now + step.offsetMinutes * 60_000;
  const identify = step.name === 2 && step.plan;
  const event = identify
    ? trackedEvent({ messageId: `m${seq}`, type: 'identify', userId: profileId, traits: { plan: step.total % 2 === 0 ? 'pro' : 'free' }, timestamp, receivedAt: now })
    : trackedEvent({ messageId: `m${seq}`, type: 'track', event: NAMES[step.name]!, userId: profileId, properties: { total: step.total, sku: `sku-${step.sku}` }, timestamp, receivedAt: now });
  return { type: 'profile.track', profileId, spaceId: space, event, newIdentifiers: [{ type: 'user_id', value: profileId, addedAt: now, firstMessageId: event.messageId, sourceId: 'src' }] };
}

describe('definition states written behind (real LMDB)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function openStore(): EngineStore {
    const dir = makeTempDir('compute-lag');
    const store = openEngineStore(dir.path);
    cleanups.push(dir.remove);
    cleanups.push(() => store.close());
    return store;
  }

  /**
   * What a profile shows and will do: its stored answers, its durable timers, and the audiences'
   * sizes; and how they are stored (the record's custom traits, the answer rows).
   */
  function observable(store: EngineStore): unknown {
    const values = (traits: Record<string, TraitEntry>): Record<string, unknown> => Object.fromEntries(Object.entries(traits).map(([key, entry]) => [key, entry.value]));
    return {
      traits: PROFILES.map((id) => values(storedProfile(store, id)?.traits ?? {})),
      records: PROFILES.map((id) => values(store.profiles.get(id)?.traits ?? {})),
      answerRows: [...store.answers.getRange()].map(({ key, value }) => [key, value.value]),
      timers: [...store.timers.getKeys()],
      sizes: [...store.definitionSizes.getRange()].map(({ key, value }) => [key, value]),
    };
  }

  /** Each audience's size as kept, and as counted from the members' stored traits: they must agree. */
  function sizesKeptAndCounted(store: EngineStore): { kept: Record<string, number>; counted: Record<string, number> } {
    const kept: Record<string, number> = {};
    const counted: Record<string, number> = {};
    for (const { value: record } of store.definitions.getRange()) {
      if (record.kind !== 'audience') continue;
      kept[record.key] = store.definitionSizes.get([record.id, 0]) ?? 0;
      counted[record.key] = PROFILES.filter((id) => storedProfile(store, id)?.traits[record.key]?.value === true).length;
    }
    return { kept, counted };
  }

  it('answers exactly as states written on every event do, through evictions, restarts and changes of definitions', async () => {
    // The runtime that keeps its profiles writes only the answers its steps changed (by rank),
    // where the one that evicts them loads and diffs them by key: the comparison holds the first
    // to what the second stores, sizes included.
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 10, maxLength: 60 }), fc.integer({ min: 1, max: 6 }), async (steps, lagLimit) => {
        // Behind: a tiny cache (every delivery evicts, every load replays) and a short lag.
        // Each run's stores close with it: a failing property shrinks through hundreds of runs.
        const runCleanups = cleanups.length;
        const behindStore = openStore();
        const throughStore = openStore();
        try {
          for (const store of [behindStore, throughStore]) for (const record of definitions()) await store.definitions.put(record.id, record);
          const openBehind = (version: number): ShardRuntime => {
            const runtime = createShardRuntime({ store: behindStore, shardIndex: 0, shardCount: 1, cacheSize: 1, lagLimit });
            runtime.useDefinitions(version);
            return runtime;
          };
          let version = 1;
          let behind = openBehind(version);
          const through = createShardRuntime({ store: throughStore, shardIndex: 0, shardCount: 1, cacheSize: 1000, lagLimit: 0 });
          through.useDefinitions(version);
          let now = T0;
          let redefinitions = 0;
          for (const step of steps) {
            if (step.kind === 'event' || step.kind === 'burst') {
              const sent = (step.kind === 'event' ? [step] : step.events).map((event) => message(event, now));
              await behind.deliver(sent, now);
              await through.deliver(sent, now);
            } else if (step.kind === 'advance') {
              now += step.minutes * 60_000;
              await behind.tick(now);
              await through.tick(now);
            } else if (step.kind === 'restart') {
              // As after a crash: every commit was awaited, memory is gone, LMDB is what is left.
              behind = openBehind(version);
            } else {
              // A new definition, live from now on (no backfill), one of the others revised, and
              // the one added before deleted (its answers stay on profiles as custom traits).
              redefinitions += 1;
              const added = definitionRecord({ id: `aud_new_${redefinitions}`, key: `new_${redefinitions}`, kind: 'audience', query: "event('Product Added').within(10 hours).count() >= 2", spaceId: space });
              const revised = { ...definitions()[redefinitions % QUERIES.length]!, revision: 1 + redefinitions };
              version += 1;
              for (const store of [behindStore, throughStore]) {
                await store.definitions.put(added.id, added);
                await store.definitions.put(revised.id, revised);
                if (redefinitions > 1) await store.definitions.remove(`aud_new_${redefinitions - 1}`);
              }
              behind.useDefinitions(version);
              through.useDefinitions(version);
            }
            expect(observable(behindStore)).toEqual(observable(throughStore));
            const { kept, counted } = sizesKeptAndCounted(throughStore);
            expect(kept).toEqual(counted);
          }
        } finally {
          for (const cleanup of cleanups.splice(runCleanups).reverse()) await cleanup();
        }
      }),
      {
        numRuns: 100,
        examples: [
          [
            [
              // A delivery steps use_a three times, one event dated before the ones stepped
              // earlier in it; later events and redefinitions move its definitions' timer.
              { kind: 'event', profile: 0, name: 1, total: 0, sku: 0, offsetMinutes: -12, plan: false },
              {
                kind: 'burst',
                events: [
                  { kind: 'event', profile: 0, name: 1, total: 0, sku: 0, offsetMinutes: 0, plan: false },
                  { kind: 'event', profile: 0, name: 0, total: 30, sku: 0, offsetMinutes: 1, plan: false },
                  { kind: 'event', profile: 0, name: 0, total: 71, sku: 0, offsetMinutes: -11, plan: false },
                ],
              },
              { kind: 'event', profile: 0, name: 1, total: 0, sku: 0, offsetMinutes: 109, plan: false },
              { kind: 'event', profile: 1, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'advance', minutes: 167 },
              { kind: 'event', profile: 0, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'redefine' },
              { kind: 'advance', minutes: 1 },
              { kind: 'event', profile: 0, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'redefine' },
              { kind: 'advance', minutes: 1 },
              { kind: 'event', profile: 0, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'event', profile: 0, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'event', profile: 0, name: 0, total: 0, sku: 0, offsetMinutes: 0, plan: false },
            ],
            1,
          ],
          [
            [
              // use_a's second Product Added lags; a definition counting Product Added arrives;
              // use_a is evicted, reloaded (a replay) and sees one more: the new definition must
              // count only the event stepped after it went live.
              { kind: 'event', profile: 0, name: 1, total: 1, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'event', profile: 0, name: 1, total: 1, sku: 1, offsetMinutes: 0, plan: false },
              { kind: 'redefine' },
              { kind: 'event', profile: 1, name: 0, total: 1, sku: 0, offsetMinutes: 0, plan: false },
              { kind: 'event', profile: 0, name: 1, total: 1, sku: 2, offsetMinutes: 0, plan: false },
            ],
            3,
          ],
        ],
      },
    );
  }, 180_000);
});
