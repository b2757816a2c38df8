import { describe, expect, it } from 'vitest';
import type { ActorEffect, ActorMessage } from '../../../../src/actors/actor-message.ts';
import { emptyProfile, profileWith, type ProfileState } from '../../../../src/actors/profile-state.ts';
import { addTraitChanges, ANY_TRAIT, NO_CHANGES, stepTraitChanges } from '../../../../src/runtime/shard/trait-changes.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';
import type { TrackedEvent } from '../../../../src/ingest/tracked-event.ts';

const profileId = asProfileId('use_1');
const spaceId = asSpaceId('default');
const before: ProfileState = emptyProfile(profileId, spaceId, { messageId: 'm0', sourceId: 'src', receivedAt: 1 }, 1);
const answered = (key: string): ActorEffect => ({ type: 'answer.changed', profileId, definitionId: `aud_${key}`, key, value: true });

function track(traits?: Record<string, string>): ActorMessage {
  const event = { type: 'identify', messageId: 'm1', sourceId: 'src', timestamp: 2, receivedAt: 2, ...(traits === undefined ? {} : { traits }) } as unknown as TrackedEvent;
  return { type: 'profile.track', profileId, spaceId, event, newIdentifiers: [] };
}

describe('the trait keys a step changed', () => {
  it('are none when the traits object is the same, whatever the effects say', () => {
    expect(stepTraitChanges(track({ plan: 'pro' }), before, profileWith(before, { version: 1 }), [answered('buyer')])).toEqual([]);
  });

  it("of an event: its own trait keys and the answers it reported, nothing else", () => {
    const after = profileWith(before, { traits: { plan: { value: 'pro', updatedAt: 2, sourceId: 'src' } } });
    expect(stepTraitChanges(track({ plan: 'pro' }), before, after, [answered('buyer'), { type: 'timer.set', profileId, key: 'def:aud_1', dueAt: 5 }])).toEqual(['plan', 'buyer']);
    expect(stepTraitChanges(track(), before, after, [answered('buyer')])).toEqual(['buyer']);
    // A custom trait under an answer's key is listed once.
    expect(stepTraitChanges(track({ buyer: 'yes' }), before, after, [answered('buyer')])).toEqual(['buyer']);
  });

  it('of a backfill or a fired timer: the answers it reported', () => {
    const after = profileWith(before, { traits: { buyer: { value: true, updatedAt: 2, sourceId: 'default' } } });
    const backfill = { type: 'profile.backfill', profileId, spaceId, definitionId: 'aud_buyer' } as ActorMessage;
    expect(stepTraitChanges(backfill, before, after, [answered('buyer')])).toEqual(['buyer']);
    expect(stepTraitChanges({ type: 'timer.fired', profileId, spaceId, key: 'def:aud_buyer', dueAt: 5 } as ActorMessage, before, after, [answered('buyer')])).toEqual(['buyer']);
  });

  it('are not known for a new profile or another step that changed traits (a merge folds in every trait)', () => {
    const after = profileWith(before, { traits: { plan: { value: 'pro', updatedAt: 2, sourceId: 'src' } } });
    expect(stepTraitChanges(track({ plan: 'pro' }), undefined, after, [])).toBe(ANY_TRAIT);
    expect(stepTraitChanges({ type: 'profile.absorb', profileId, spaceId, loserId: asProfileId('use_2'), absorbed: before } as ActorMessage, before, after, [])).toBe(ANY_TRAIT);
  });

  it("add up over a delivery's steps, and stay unknown once one step's are", () => {
    const once = addTraitChanges(undefined, ['buyer']);
    expect([...(addTraitChanges(once, ['plan', 'buyer']) as ReadonlySet<string>)]).toEqual(['buyer', 'plan']);
    expect(addTraitChanges(undefined, [])).toBe(NO_CHANGES);
    expect(addTraitChanges(addTraitChanges(once, ANY_TRAIT), ['plan'])).toBe(ANY_TRAIT);
    // A set already made is not mutated by later steps (the commit may hold it).
    addTraitChanges(once, ['email']);
    expect([...(once as ReadonlySet<string>)]).toEqual(['buyer']);
  });
});
