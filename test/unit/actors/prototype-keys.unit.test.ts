import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absorbProfile } from '../../../src/actors/absorb-profile.ts';
import type { ActorMessage } from '../../../src/actors/actor-message.ts';
import { mergeTraits } from '../../../src/actors/merge-traits.ts';
import type { ProfileState } from '../../../src/actors/profile-state.ts';
import { stepProfile } from '../../../src/actors/step-profile.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { asProfileId, asSpaceId } from '../../../src/shared/ids.ts';
import { trackedEvent } from '../../support/events.ts';

// Issue 9 class 5: user-chosen strings (group ids, trait names, timer keys) index plain objects in
// profile state. Names of Object.prototype's members must behave like any other name.

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);

/** Every member of Object.prototype but `__proto__` (refused as a key at ingestion). */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__');
const prototypeName = fc.constantFrom(...PROTOTYPE_NAMES);

function track(profileId: string, event: TrackedEvent): ActorMessage {
  return { type: 'profile.track', profileId: asProfileId(profileId), spaceId: space, event, newIdentifiers: [] };
}

function run(messages: readonly ActorMessage[], start?: ProfileState): ProfileState {
  let state = start;
  for (const message of messages) state = stepProfile(state, message, T0).state;
  if (state === undefined) throw new Error('no state');
  return state;
}

describe('prototype-named keys in profile state', () => {
  it('are real names here', () => {
    expect(PROTOTYPE_NAMES).toEqual(expect.arrayContaining(['constructor', 'toString', 'hasOwnProperty', 'valueOf']));
  });

  it('a group id links a user that already has links (property)', () => {
    fc.assert(
      fc.property(prototypeName, (groupId) => {
        const state = run([
          track('use_u', trackedEvent({ messageId: 'g1', type: 'group', groupId: 'acme', userId: 'u' })),
          track('use_u', trackedEvent({ messageId: 'g2', type: 'group', groupId, userId: 'u' })),
        ]);
        expect(Object.keys(state.links ?? {})).toEqual(['acme', groupId]);
        expect(Object.hasOwn(state.links ?? {}, groupId)).toBe(true);
        expect(state.links?.[groupId]).toEqual({ sourceId: 'src_test', createdAt: T0, messageId: 'g2' });
      }),
    );
  });

  it('a trait keeps its own timestamp rule, as any other trait (property)', () => {
    fc.assert(
      fc.property(prototypeName, (name) => {
        const first = mergeTraits({}, { [name]: 'new' }, T0 + 10, 'src');
        expect(Object.hasOwn(first, name)).toBe(true);
        expect(first[name]).toEqual({ value: 'new', updatedAt: T0 + 10, sourceId: 'src' });
        // A late identify does not overwrite it; a later one does.
        expect(mergeTraits(first, { [name]: 'late' }, T0, 'src')).toBe(first);
        expect(mergeTraits(first, { [name]: 'newer' }, T0 + 20, 'src')[name]?.value).toBe('newer');
      }),
    );
  });

  it('a merge keeps the loser’s trait when the winner has none of that name (property)', () => {
    fc.assert(
      fc.property(prototypeName, (name) => {
        const winner = run([track('use_w', trackedEvent({ messageId: 'w', type: 'identify', traits: { plan: 'pro' } }))]);
        const loser = run([track('use_l', trackedEvent({ messageId: 'l', type: 'identify', traits: { [name]: 'kept' }, timestamp: T0 + 1 }))]);
        const { state } = absorbProfile(winner, loser);
        expect(Object.keys(state.traits).sort()).toEqual(['plan', name].sort());
        expect(state.traits[name]?.value).toBe('kept');
      }),
    );
  });

  it('a timer key is set, replaced and fired like any other (property)', () => {
    fc.assert(
      fc.property(prototypeName, (key) => {
        const base = run([track('use_t', trackedEvent({ messageId: 't' }))]);
        const scheduled = stepProfile(base, { type: 'profile.schedule', profileId: base.id, spaceId: space, key, dueAt: T0 + 5 }, T0);
        expect(scheduled.effects).toEqual([{ type: 'timer.set', profileId: base.id, key, dueAt: T0 + 5 }]);
        const fired = stepProfile(scheduled.state, { type: 'timer.fired', profileId: base.id, spaceId: space, key, dueAt: T0 + 5 }, T0 + 5);
        expect(fired.effects).toEqual([{ type: 'timer.fired', profileId: base.id, key, dueAt: T0 + 5, at: T0 + 5 }]);
        expect(fired.state?.timers).toEqual({});
        // A stale firing of a key never scheduled changes nothing.
        expect(stepProfile(base, { type: 'timer.fired', profileId: base.id, spaceId: space, key, dueAt: T0 }, T0).changed).toBe(false);
        // Absorbing a loser's timer of that name moves it.
        const { state } = absorbProfile(base, { ...base, id: asProfileId('use_l2'), timers: { [key]: T0 + 9 } });
        expect(state.timers).toEqual({ [key]: T0 + 9 });
      }),
    );
  });
});
