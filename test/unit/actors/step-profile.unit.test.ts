import { describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../../src/actors/actor-message.ts';
import type { ProfileState } from '../../../src/actors/profile-state.ts';
import { stepProfile } from '../../../src/actors/step-profile.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { asProfileId, asSpaceId } from '../../../src/shared/ids.ts';
import { trackedEvent } from '../../support/events.ts';

const pid = asProfileId('use_1');
const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);

function track(event: TrackedEvent, extra: Partial<Extract<ActorMessage, { type: 'profile.track' }>> = {}): ActorMessage {
  return { type: 'profile.track', profileId: pid, spaceId: space, event, newIdentifiers: [], ...extra };
}

function run(messages: ActorMessage[], now = T0): ProfileState {
  let state: ProfileState | undefined;
  for (const message of messages) state = stepProfile(state, message, now).state;
  if (state === undefined) throw new Error('no state');
  return state;
}

describe('stepProfile', () => {
  it('creates the profile from its first event with counts, first/last seen and origin', () => {
    const state = run([track(trackedEvent({ messageId: 'm1', timestamp: T0 + 5, receivedAt: T0 + 10 }))]);
    expect(state).toEqual({
      id: pid,
      spaceId: space,
      version: 1,
      traits: {},
      identifiers: [],
      eventCounts: { track: 1 },
      firstSeenAt: T0 + 5,
      lastSeenAt: T0 + 5,
      first: { messageId: 'm1', sourceId: 'src_test', receivedAt: T0 + 10 },
      last: { messageId: 'm1', sourceId: 'src_test', receivedAt: T0 + 10 },
      timers: {},
      mergedFrom: [],
    });
  });

  it('keeps the identify value with the latest timestamp, not the last to arrive', () => {
    const state = run([
      track(trackedEvent({ type: 'identify', messageId: 'new', traits: { plan: 'pro', seats: 5 }, timestamp: T0 + 2000 })),
      track(trackedEvent({ type: 'identify', messageId: 'old', traits: { plan: 'free', region: 'eu' }, timestamp: T0 + 1000 })),
    ]);
    expect(state.traits).toEqual({
      plan: { value: 'pro', updatedAt: T0 + 2000, sourceId: 'src_test' },
      seats: { value: 5, updatedAt: T0 + 2000, sourceId: 'src_test' },
      region: { value: 'eu', updatedAt: T0 + 1000, sourceId: 'src_test' },
    });
    expect(state.firstSeenAt).toBe(T0 + 1000);
    expect(state.lastSeenAt).toBe(T0 + 2000);
  });

  it('removes a trait on null with a tombstone that an older identify cannot undo; "" is kept', () => {
    const state = run([
      track(trackedEvent({ type: 'identify', messageId: 'a', traits: { plan: 'pro', nick: 'x' }, timestamp: T0 })),
      track(trackedEvent({ type: 'identify', messageId: 'b', traits: { plan: null, nick: '' }, timestamp: T0 + 10 })),
      track(trackedEvent({ type: 'identify', messageId: 'c', traits: { plan: 'late' }, timestamp: T0 + 5 })),
    ]);
    expect(state.traits['plan']).toEqual({ value: null, updatedAt: T0 + 10, sourceId: 'src_test' });
    expect(state.traits['nick']?.value).toBe('');
  });

  it('does not take traits from track calls or context.traits', () => {
    const state = run([track(trackedEvent({ messageId: 'a', traits: { plan: 'pro' }, context: { traits: { plan: 'x' } } }))]);
    expect(state.traits).toEqual({});
  });

  it('links a user to the group of a group call, and an account takes the group traits', () => {
    const group = trackedEvent({ type: 'group', messageId: 'g', groupId: 'acme', traits: { name: 'Acme' }, receivedAt: T0 + 1 });
    const user = run([track(group)]);
    expect(user.traits).toEqual({});
    expect(user.links).toEqual({ acme: { sourceId: 'src_test', createdAt: T0 + 1, messageId: 'g' } });
    const account = run([track(group, { account: { linkedUser: 'user_id:u1' } })]);
    expect(account.collection).toBe('accounts');
    expect(account.traits['name']?.value).toBe('Acme');
    expect(account.links).toEqual({ 'user_id:u1': { sourceId: 'src_test', createdAt: T0 + 1, messageId: 'g' } });
  });

  it('schedules, reschedules and fires timers; a stale timer changes nothing', () => {
    const created = run([track(trackedEvent({ messageId: 'a' }))]);
    const scheduled = stepProfile(created, { type: 'profile.schedule', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 100 }, T0);
    expect(scheduled.effects).toEqual([{ type: 'timer.set', profileId: pid, key: 'k', dueAt: T0 + 100 }]);
    const moved = stepProfile(scheduled.state, { type: 'profile.schedule', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 200 }, T0);
    expect(moved.effects).toEqual([
      { type: 'timer.cleared', profileId: pid, key: 'k', dueAt: T0 + 100 },
      { type: 'timer.set', profileId: pid, key: 'k', dueAt: T0 + 200 },
    ]);
    const stale = stepProfile(moved.state, { type: 'timer.fired', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 100 }, T0 + 150);
    expect(stale).toEqual({ state: moved.state, effects: [], changed: false });
    const fired = stepProfile(moved.state, { type: 'timer.fired', profileId: pid, spaceId: space, key: 'k', dueAt: T0 + 200 }, T0 + 201);
    expect(fired.effects).toEqual([{ type: 'timer.fired', profileId: pid, key: 'k', dueAt: T0 + 200, at: T0 + 201 }]);
    expect(fired.state?.timers).toEqual({});
  });

  it('absorbs a merged profile: traits by timestamp, counts add, identifiers and timers unite', () => {
    const loserId = asProfileId('use_2');
    const id = (type: string, value: string) => ({ type, value, addedAt: T0, firstMessageId: 'm', sourceId: 's' });
    const winner = run([
      track(trackedEvent({ type: 'identify', messageId: 'w1', traits: { plan: 'pro', a: 1 }, timestamp: T0 + 10, receivedAt: T0 + 10 }), { newIdentifiers: [id('user_id', 'u1')] }),
    ]);
    let loser = stepProfile(
      undefined,
      { type: 'profile.track', profileId: loserId, spaceId: space, event: trackedEvent({ type: 'identify', messageId: 'l1', traits: { plan: 'free', b: 2 }, timestamp: T0 + 20, receivedAt: T0 + 5 }), newIdentifiers: [id('anonymous_id', 'a1')] },
      T0,
    ).state!;
    loser = stepProfile(loser, { type: 'profile.schedule', profileId: loserId, spaceId: space, key: 'lookback', dueAt: T0 + 999 }, T0).state!;
    const merged = stepProfile(winner, { type: 'profile.absorb', profileId: pid, spaceId: space, loserId, absorbed: loser, trigger: { messageId: 'm', eventType: 'identify', at: T0 } }, T0 + 30);
    expect(merged.state?.traits).toEqual({
      plan: { value: 'free', updatedAt: T0 + 20, sourceId: 'src_test' },
      a: { value: 1, updatedAt: T0 + 10, sourceId: 'src_test' },
      b: { value: 2, updatedAt: T0 + 20, sourceId: 'src_test' },
    });
    expect(merged.state?.eventCounts).toEqual({ identify: 2 });
    expect(merged.state?.identifiers.map((i) => i.value)).toEqual(['u1', 'a1']);
    expect(merged.state?.mergedFrom).toEqual([loserId]);
    expect(merged.state?.first.messageId).toBe('l1');
    expect(merged.state?.timers).toEqual({ lookback: T0 + 999 });
    expect(merged.effects).toEqual([
      { type: 'timer.cleared', profileId: loserId, key: 'lookback', dueAt: T0 + 999 },
      { type: 'timer.set', profileId: pid, key: 'lookback', dueAt: T0 + 999 },
      // The winner gained the loser's anonymous id: destinations hear of the merge.
      { type: 'profile.merged', profileId: pid, loserId, gained: [{ type: 'anonymous_id', value: 'a1' }] },
    ]);
  });
  it('profile.unlink removes only the named account link, and is a no-op when there is none (or no profile)', () => {
    const unlink = (linkKey: string): ActorMessage => ({ type: 'profile.unlink', profileId: pid, spaceId: space, linkKey });
    const linked = run([
      track(trackedEvent({ type: 'group', groupId: 'acme', messageId: 'g1' })),
      track(trackedEvent({ type: 'group', groupId: 'globex', messageId: 'g2' })),
    ]);
    const after = stepProfile(linked, unlink('acme'), T0);
    expect(after.changed).toBe(true);
    expect(after.state?.links).toEqual({ globex: linked.links?.['globex'] });
    expect(after.state?.version).toBe(linked.version + 1);
    expect(stepProfile(after.state, unlink('acme'), T0)).toEqual({ state: after.state, effects: [], changed: false });
    expect(stepProfile(after.state, unlink('toString'), T0).changed).toBe(false);
    expect(stepProfile(undefined, unlink('acme'), T0)).toEqual({ state: undefined, effects: [], changed: false });
  });
});
