import { describe, expect, it } from 'vitest';
import type { ActorEffect, ActorMessage } from '../../../src/actors/actor-message.ts';
import type { ProfileState } from '../../../src/actors/profile-state.ts';
import { answerEntries, computeEntries, loadedComputeStates } from '../../../src/actors/compute-states.ts';
import { definitionTimerKey } from '../../../src/actors/recompute-definitions.ts';
import { stepProfile, type SpaceDefinitions } from '../../../src/actors/step-profile.ts';
import { compileDefinitionSet, EMPTY_DEFINITION_SET, type LiveDefinition } from '../../../src/compute/definition-set.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../../../src/shared/ids.ts';
import type { JsonObject } from '../../../src/shared/json.ts';
import { aggregate, audience, compare, computedTrait, days, field, lit, stream, trait } from '../../support/ast-builders.ts';
import { trackedEvent } from '../../support/events.ts';

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

const recentBuyer: LiveDefinition = {
  id: 'aud_recent',
  key: 'recent_buyer',
  kind: 'audience',
  revision: 1,
  includeAnonymousUsers: false,
  ast: audience(compare(aggregate(stream('Order Completed', { window: { kind: 'within', duration: days(30) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })),
};
const spend: LiveDefinition = {
  id: 'trt_spend',
  key: 'total_spend',
  kind: 'computed_trait',
  revision: 1,
  includeAnonymousUsers: false,
  ast: computedTrait(aggregate(stream('Order Completed'), { kind: 'sum', field: field('total') })),
};
// Reads the other two through trait(): evaluated after them, in the same step.
const bigRecent: LiveDefinition = {
  id: 'aud_big',
  key: 'big_recent',
  kind: 'audience',
  revision: 1,
  includeAnonymousUsers: false,
  ast: audience({
    kind: 'and',
    at: { line: 1, column: 1 },
    operands: [compare(trait('recent_buyer'), { op: 'equals', operand: lit(true) }), compare(trait('total_spend'), { op: 'greater_than', operand: lit(100) })],
  }),
};
const definitions: SpaceDefinitions = { users: compileDefinitionSet([bigRecent, spend, recentBuyer]), accounts: EMPTY_DEFINITION_SET };

function order(id: ProfileId, total: number, timestamp: number, extra: Partial<TrackedEvent> = {}): ActorMessage {
  const event = trackedEvent({ messageId: `${id}-${timestamp}`, type: 'track', event: 'Order Completed', userId: 'u1', properties: { total } as JsonObject, timestamp, receivedAt: timestamp, ...extra });
  return { type: 'profile.track', profileId: id, spaceId: space, event, newIdentifiers: [{ type: 'user_id', value: `${id}-u`, addedAt: timestamp, firstMessageId: event.messageId, sourceId: 'src' }] };
}

/** The traits as the Profile API shows them: custom traits, and the answers over them. */
function visible(state: ProfileState | undefined): Record<string, unknown> {
  const custom = Object.entries(state?.traits ?? {}).map(([k, e]) => [k, e.value]);
  const answers = answerEntries(state?.compute).map(([k, e]) => [k, e.value]);
  return Object.fromEntries([...custom, ...answers]);
}

describe('stepProfile with live definitions', () => {
  it('writes memberships and values as traits, in dependency order within one step', () => {
    const pid = asProfileId('use_a');
    const { state } = stepProfile(undefined, order(pid, 150, T0), T0, definitions);
    expect(visible(state)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true });
    // The audience's one timer is armed at the window's end (kept in its state slot).
    const recent = computeEntries(state?.compute).find((entry) => entry.id === 'aud_recent');
    expect(recent?.due).toBe(T0 + 30 * DAY);
    expect(computeEntries(state?.compute).filter((entry) => entry.due !== undefined).map((entry) => entry.id)).toEqual(['aud_recent']);
  });

  it('exits when the window passes, at the timer, and the dependent audience follows', () => {
    const pid = asProfileId('use_b');
    const first = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    const due = T0 + 30 * DAY;
    const fired = stepProfile(first, { type: 'timer.fired', profileId: pid, spaceId: space, key: definitionTimerKey('aud_recent'), dueAt: due }, due, definitions);
    expect(visible(fired.state)).toEqual({ recent_buyer: false, total_spend: 150, big_recent: false });
    expect(computeEntries(fired.state?.compute).some((entry) => entry.due !== undefined)).toBe(false);
    // The exits are sync effects, in dependency order: the window's audience, then its reader.
    expect(fired.effects).toEqual<ActorEffect[]>([
      { type: 'timer.fired', profileId: pid, key: definitionTimerKey('aud_recent'), dueAt: due, at: due },
      { type: 'answer.changed', profileId: pid, definitionId: 'aud_recent', key: 'recent_buyer', value: false },
      { type: 'answer.changed', profileId: pid, definitionId: 'aud_big', key: 'big_recent', value: false },
    ]);
  });

  it('a member of a monotone audience skips evaluation on new events, yet exits exactly at the last exit', () => {
    const pid = asProfileId('use_m');
    const first = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    const second = stepProfile(first, order(pid, 10, T0 + DAY), T0 + DAY, definitions).state!;
    // The armed exit stays the first occurrence's; the second's state was kept.
    expect(computeEntries(second.compute).find((e) => e.id === 'aud_recent')?.due).toBe(T0 + 30 * DAY);
    const early = stepProfile(second, { type: 'timer.fired', profileId: pid, spaceId: space, key: definitionTimerKey('aud_recent'), dueAt: T0 + 30 * DAY }, T0 + 30 * DAY, definitions).state!;
    expect(visible(early).recent_buyer).toBe(true);
    expect(computeEntries(early.compute).find((e) => e.id === 'aud_recent')?.due).toBe(T0 + 31 * DAY);
    const exit = stepProfile(early, { type: 'timer.fired', profileId: pid, spaceId: space, key: definitionTimerKey('aud_recent'), dueAt: T0 + 31 * DAY }, T0 + 31 * DAY, definitions).state!;
    expect(visible(exit).recent_buyer).toBe(false);
  });

  it('keeps an anonymous profile out of audiences until it becomes known', () => {
    const pid = asProfileId('use_c');
    const anonymous: ActorMessage = { ...(order(pid, 150, T0) as Extract<ActorMessage, { type: 'profile.track' }>), newIdentifiers: [{ type: 'anonymous_id', value: 'a1', addedAt: T0, firstMessageId: 'x', sourceId: 'src' }] };
    const state = stepProfile(undefined, anonymous, T0, definitions).state;
    expect(visible(state)).toEqual({});
    const identify: ActorMessage = {
      type: 'profile.track',
      profileId: pid,
      spaceId: space,
      event: trackedEvent({ messageId: 'identify-1', type: 'identify', userId: 'u9', timestamp: T0 + 1, receivedAt: T0 + 1 }),
      newIdentifiers: [{ type: 'user_id', value: 'u9', addedAt: T0 + 1, firstMessageId: 'y', sourceId: 'src' }],
    };
    expect(visible(stepProfile(state, identify, T0 + 1, definitions).state)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true });
  });

  it('keeps answers beside the custom traits: an identify under a definition key leaves what trait() reads', () => {
    const pid = asProfileId('use_d');
    const state = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    expect(state.traits).toEqual({});
    const identify: ActorMessage = {
      type: 'profile.track',
      profileId: pid,
      spaceId: space,
      event: trackedEvent({ messageId: 'identify-d', type: 'identify', userId: 'u9', traits: { total_spend: 1, plan: 'pro' }, timestamp: T0 + 1, receivedAt: T0 + 1 }),
      newIdentifiers: [],
    };
    // The definition owns its key: big_recent still reads the computed 150, not the custom 1.
    const identified = stepProfile(state, identify, T0 + 1, definitions).state!;
    expect(identified.traits['total_spend']?.value).toBe(1);
    expect(visible(identified)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true, plan: 'pro' });
  });

  it("keeps a deleted definition's last answer as a custom trait, which stops changing", () => {
    const pid = asProfileId('use_e');
    const state = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    const withoutSpend: SpaceDefinitions = { users: compileDefinitionSet([recentBuyer], 2), accounts: EMPTY_DEFINITION_SET };
    const after = stepProfile(state, order(pid, 20, T0 + 1), T0 + 1, withoutSpend).state!;
    expect(after.traits['total_spend']?.value).toBe(150);
    expect(after.traits['big_recent']?.value).toBe(true);
    expect(visible(after)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true });
  });

  it('steps a profile loaded with states of an earlier layout: each is brought to the current one once, at alignment', () => {
    const pid = asProfileId('use_legacy_layout');
    const first = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    // As LMDB hands back a state written when occurrences were objects {t, m, v}.
    const legacy = { s: 'retained', occ: [{ t: T0, m: '', v: [] }], kids: [] };
    const entries = computeEntries(first.compute).map((entry) => (entry.id === 'aud_recent' ? { ...entry, state: legacy } : entry));
    const loaded: ProfileState = { ...first, compute: loadedComputeStates(entries, answerEntries(first.compute)) };
    const second = stepProfile(loaded, order(pid, 20, T0 + DAY), T0 + DAY, definitions).state!;
    expect(visible(second)).toEqual({ recent_buyer: true, total_spend: 170, big_recent: true });
    const recent = computeEntries(second.compute).find((entry) => entry.id === 'aud_recent');
    // Flat again, and the list alone (`count() >= 1` keeps only the newest occurrence): read as
    // objects, the old list would have been spliced with the new occurrence, a time among objects.
    expect(recent?.state).toEqual([T0 + DAY]);
  });

  it('a merge gives the answers of one profile that saw both histories', () => {
    const winner = stepProfile(undefined, order(asProfileId('use_w'), 60, T0), T0, definitions).state!;
    const loser = stepProfile(undefined, order(asProfileId('use_l'), 50, T0 + 1), T0 + 1, definitions).state!;
    expect(visible(winner).big_recent).toBeUndefined();
    const merged = stepProfile(
      winner,
      { type: 'profile.absorb', profileId: winner.id, spaceId: space, loserId: loser.id, absorbed: loser, trigger: { messageId: 'm', eventType: 'identify', at: T0 + 2 } },
      T0 + 2,
      definitions,
    ).state;
    expect(visible(merged)).toEqual({ recent_buyer: true, total_spend: 110, big_recent: true });
  });

  // Regression (issue 8's correctness diff, seed 1, 10,000 profiles): a loser's state that the
  // winner did not have came over still armed, so the winner's recompute saw its timer as set,
  // while the loser's timer row was retired with it: its future-dated order never came due.
  it('a merge arms the winner for what only the loser was waiting for (a future-dated event)', () => {
    const winnerId = asProfileId('use_w2');
    const loserId = asProfileId('use_l2');
    // An anonymous visitor: no definition has evaluated it, so it holds no state to merge into.
    const winner = stepProfile(
      undefined,
      {
        type: 'profile.track',
        profileId: winnerId,
        spaceId: space,
        event: trackedEvent({ messageId: 'page', type: 'page', name: 'Home', timestamp: T0, receivedAt: T0 }),
        newIdentifiers: [{ type: 'anonymous_id', value: 'anon-w2', addedAt: T0, firstMessageId: 'page', sourceId: 'src' }],
      },
      T0,
      definitions,
    ).state!;
    expect(computeEntries(winner.compute)).toEqual([]);
    const future = T0 + 3 * 3_600_000;
    const loser = stepProfile(undefined, order(loserId, 290, future, { receivedAt: T0 + 1 }), T0 + 1, definitions);
    expect(loser.effects.filter((e) => e.type === 'timer.set').map((e) => (e.type === 'timer.set' ? e.dueAt : 0))).toContain(future);
    const merged = stepProfile(
      winner,
      { type: 'profile.absorb', profileId: winnerId, spaceId: space, loserId, absorbed: loser.state, trigger: { messageId: 'm', eventType: 'identify', at: T0 + 2 } },
      T0 + 2,
      definitions,
    );
    // The loser's timer goes with it; the winner's is set at the same instant.
    expect(merged.effects.filter((e) => e.type === 'timer.set' || e.type === 'timer.cleared').map((e) => [e.type, e.profileId, e.type === 'timer.set' || e.type === 'timer.cleared' ? e.dueAt : 0])).toEqual(
      expect.arrayContaining([
        ['timer.cleared', loserId, future],
        ['timer.set', winnerId, future],
      ]),
    );
    const armed = merged.effects.find((e) => e.type === 'timer.set' && e.profileId === winnerId && e.dueAt === future);
    expect(armed).toBeDefined();
    const fired = stepProfile(merged.state, { type: 'timer.fired', profileId: winnerId, spaceId: space, key: armed!.type === 'timer.set' ? armed!.key : '', dueAt: future }, future, definitions).state;
    expect(visible(fired).total_spend).toBe(290);
  });
  // Regression (backfill e2e, includeHistoricalData: false): such a definition was never evaluated
  // on profiles no event touched after its creation, so count() had no 0 there.
  it('a backfill without history keeps what the live path counted and evaluates: count() shows 0', () => {
    const refunds: LiveDefinition = { id: 'trt_refunds', key: 'refunds', kind: 'computed_trait', revision: 1, includeAnonymousUsers: false, ast: computedTrait(aggregate(stream('Refund Issued'), { kind: 'count' })) };
    const withRefunds: SpaceDefinitions = { users: compileDefinitionSet([bigRecent, spend, recentBuyer, refunds]), accounts: EMPTY_DEFINITION_SET };
    const pid = asProfileId('use_e');
    // Stepped before the computed trait existed.
    const live = stepProfile(undefined, order(pid, 150, T0), T0, definitions).state!;
    expect(visible(live)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true });
    const evaluate = (definitionId: string): ProfileState => stepProfile(live, { type: 'profile.backfill', profileId: pid, spaceId: space, definitionId }, T0 + 1, withRefunds).state!;
    expect(visible(evaluate('trt_refunds'))).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true, refunds: 0 });
    // The live state stays: total_spend is not rebuilt from an empty history.
    expect(visible(evaluate('trt_spend')).total_spend).toBe(150);
    const replayedNothing = stepProfile(live, { type: 'profile.backfill', profileId: pid, spaceId: space, definitionId: 'trt_spend', events: [] }, T0 + 1, withRefunds).state!;
    expect(visible(replayedNothing).total_spend).toBeNull();
  });
  it('a new profile keeps entries only for the definitions its events touched; the others still answer', () => {
    const refunds: LiveDefinition = { id: 'trt_refunds', key: 'refunds', kind: 'computed_trait', revision: 1, includeAnonymousUsers: false, ast: computedTrait(aggregate(stream('Refund Issued'), { kind: 'count' })) };
    const withRefunds: SpaceDefinitions = { users: compileDefinitionSet([bigRecent, spend, recentBuyer, refunds]), accounts: EMPTY_DEFINITION_SET };
    const pid = asProfileId('use_f');
    const first = stepProfile(undefined, order(pid, 150, T0), T0, withRefunds).state!;
    // Order Completed touched two states (big_recent reads traits, it has no stream); Refund Issued none.
    expect(computeEntries(first.compute).map((e) => e.id).sort()).toEqual(['aud_recent', 'trt_spend']);
    expect(visible(first)).toEqual({ recent_buyer: true, total_spend: 150, big_recent: true, refunds: 0 });
    const refund = trackedEvent({ messageId: 'r1', type: 'track', event: 'Refund Issued', userId: 'u1', properties: {}, timestamp: T0 + DAY, receivedAt: T0 + DAY });
    const second = stepProfile(first, { type: 'profile.track', profileId: pid, spaceId: space, event: refund, newIdentifiers: [] }, T0 + DAY, withRefunds).state!;
    expect(visible(second).refunds).toBe(1);
    expect(computeEntries(second.compute).map((e) => e.id).sort()).toEqual(['aud_recent', 'trt_refunds', 'trt_spend']);
  });
});
