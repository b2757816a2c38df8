import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventType } from '../../../src/ingest/tracked-event.ts';
import type { MemoryIdentityGraph } from '../../../src/identity/memory-identity-graph.ts';
import type { Resolution } from '../../../src/identity/resolution.ts';
import { type IdentitySettings, identitySettingsFrom, ruleOf } from '../../../src/identity/settings.ts';
import { countsInFrame, frameMs } from '../../../src/identity/time-frame.ts';
import type { EpochMs, ProfileId } from '../../../src/shared/ids.ts';
import { DAY, T0, type TestEvent, config, harness, label } from './identity-harness.ts';

// Random event sequences over a small pool of identifiers, so that collisions, merges, demotions
// and limits happen often, applied to the memory graph; the invariants are checked after each event.

const USER_IDS = ['u1', 'u2', 'u3'];
const EMAILS = ['e1@x.com', 'e2@x.com', 'e3@x.com'];
const ANONYMOUS_IDS = ['a1', 'a2', 'a3', 'a4'];

const eventArb = fc.record({
  type: fc.constantFrom<EventType>('identify', 'track', 'page', 'group', 'alias'),
  // userId on a third of the events: anonymous profiles must exist for merges to happen.
  userId: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...USER_IDS) }),
  anonymousId: fc.option(fc.constantFrom(...ANONYMOUS_IDS), { nil: undefined }),
  // Up to two emails: one in traits, one in context.traits.
  emails: fc.oneof(fc.constant<string[]>([]), fc.subarray(EMAILS, { minLength: 1, maxLength: 2 })),
  // Extra anonymous ids through externalIds, so one event can touch several anonymous profiles.
  extraAnonymousIds: fc.subarray(ANONYMOUS_IDS, { maxLength: 2 }),
  stepMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: DAY }), fc.integer({ min: DAY, max: 10 * DAY })),
});

type RandomEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(e: RandomEvent): TestEvent {
  const [traitEmail, contextEmail] = e.emails;
  return {
    type: e.type,
    ...(e.userId === undefined ? {} : { userId: e.userId }),
    ...(e.anonymousId === undefined ? {} : { anonymousId: e.anonymousId }),
    ...(e.type === 'group' ? { groupId: 'g1' } : {}),
    ...(traitEmail === undefined ? {} : { traits: { email: traitEmail } }),
    context: {
      ...(contextEmail === undefined ? {} : { traits: { email: contextEmail } }),
      externalIds: e.extraAnonymousIds.map((id) => ({ id, type: 'anonymous_id', collection: 'users', encoding: 'none' })),
    },
  };
}

const defaults = identitySettingsFrom(undefined);
const tight = identitySettingsFrom(
  config([
    { type: 'email', limit: 2, frequency: 'annually', priority: 2 },
    { type: 'anonymous_id', limit: 2, frequency: 'weekly', priority: 3 },
    { type: 'group_id', limit: 1, priority: 4 },
  ]),
);
const SETTINGS: Readonly<Record<string, IdentitySettings>> = {
  defaults,
  tight,
  tightWithSmallCaps: { ...tight, maxMerges: 2, maxIdentifiers: 5 },
  oneMerge: { ...defaults, maxMerges: 1 },
};
// Drawn by name, so a counterexample prints a name rather than the whole settings object.
const settingsNameArb = fc.constantFrom(...Object.keys(SETTINGS));

// Plain checks rather than `expect`: they run millions of times and must stay cheap.
function invariant(holds: boolean, message: () => string): void {
  if (!holds) throw new Error(message());
}

function checkInvariants(graph: MemoryIdentityGraph, settings: IdentitySettings, at: EpochMs, assigned: readonly ProfileId[], everAdded: ReadonlySet<string>): void {
  const holders = new Map<string, ProfileId>();
  for (const profile of graph.profiles()) {
    const userIds = profile.identifiers.filter((i) => i.type === 'user_id').length;
    invariant(userIds <= 1, () => `${profile.id} holds ${userIds} user_ids`);
    invariant(profile.mergeCount <= settings.maxMerges, () => `${profile.id} has ${profile.mergeCount} merges`);
    invariant(profile.identifiers.length <= settings.maxIdentifiers, () => `${profile.id} has ${profile.identifiers.length} identifiers`);

    const inFrame = new Map<string, number>();
    for (const id of profile.identifiers) {
      const key = label(id);
      invariant(!holders.has(key), () => `${key} is listed by ${holders.get(key)} and ${profile.id}`);
      holders.set(key, profile.id);
      invariant(graph.profileOf(id) === profile.id, () => `${key} is listed by ${profile.id} but maps to ${graph.profileOf(id)}`);
      const rule = ruleOf(settings, id.type);
      if (countsInFrame(id.addedAt, at, frameMs(rule.frequency))) inFrame.set(id.type, (inFrame.get(id.type) ?? 0) + 1);
    }
    for (const [type, count] of inFrame) {
      const limit = ruleOf(settings, type).limit;
      invariant(count <= limit, () => `${profile.id} holds ${count} ${type} values in the frame, limit ${limit}`);
    }
  }
  // Identifiers are never lost: every one ever added is held by a live profile.
  for (const key of everAdded) invariant(holders.has(key), () => `${key} was lost`);
  // Every event still belongs to exactly one live profile, through any merges since.
  for (const profileId of assigned) {
    const now = graph.liveProfileOf(profileId);
    invariant(now !== undefined && graph.profile(now) !== undefined, () => `the profile of an event, ${profileId}, is gone`);
  }
}

describe('resolveIdentity: properties over random event sequences', () => {
  it('keeps the identity graph consistent and within its limits', () => {
    fc.assert(
      fc.property(settingsNameArb, fc.array(eventArb, { minLength: 1, maxLength: 40, size: 'max' }), (name, events) => {
        const settings = SETTINGS[name]!;
        const h = harness(settings);
        const assigned: ProfileId[] = [];
        const everAdded = new Set<string>();
        let at = T0;
        for (const e of events) {
          at += e.stepMs;
          const resolution: Resolution = h.send(toEvent(e), at);
          if (resolution.kind === 'unresolved') {
            invariant(resolution.violations.some((v) => v.type === 'No matching identifiers on event'), () => 'unresolved without the insight');
          } else {
            // The event lands on a live profile that holds at least one of its identifiers.
            invariant(h.graph.profile(resolution.profileId) !== undefined, () => `resolved to a dead profile ${resolution.profileId}`);
            invariant(
              resolution.merges.every((m) => m.winner === resolution.profileId && m.loser !== m.winner),
              () => `bad merges ${JSON.stringify(resolution.merges)}`,
            );
            invariant(e.type !== 'alias' || resolution.merges.length === 0, () => 'an alias merged');
            assigned.push(resolution.profileId);
            for (const id of resolution.addIdentifiers) everAdded.add(label(id));
          }
          checkInvariants(h.graph, h.settings(), at, assigned, everAdded);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('resolves an event with an identifier to a profile holding one of them', () => {
    fc.assert(
      fc.property(settingsNameArb, fc.array(eventArb, { minLength: 1, maxLength: 30 }), (name, events) => {
        const settings = SETTINGS[name]!;
        const h = harness(settings);
        let at = T0;
        for (const e of events) {
          at += e.stepMs;
          const event = toEvent(e);
          const resolution = h.send(event, at);
          if (resolution.kind === 'unresolved') continue;
          const held = new Set(h.idsOf(resolution.profileId));
          const carried = [
            e.userId && `user_id:${e.userId}`,
            e.anonymousId && `anonymous_id:${e.anonymousId}`,
            ...e.emails.map((m) => `email:${m}`),
            ...e.extraAnonymousIds.map((a) => `anonymous_id:${a}`),
            e.type === 'group' && 'group_id:g1',
          ].filter((x): x is string => typeof x === 'string');
          invariant(carried.some((id) => held.has(id)), () => `${resolution.profileId} holds none of ${carried.join(', ')}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same sequence gives the same resolutions', () => {
    fc.assert(
      fc.property(settingsNameArb, fc.array(eventArb, { minLength: 1, maxLength: 20 }), (name, events) => {
        const run = () => {
          const h = harness(SETTINGS[name]);
          let at = T0;
          return events.map((e) => h.send(toEvent(e), (at += e.stepMs)));
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 100 },
    );
  });
});
