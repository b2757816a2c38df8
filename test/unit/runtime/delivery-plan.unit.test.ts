import { describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../../src/actors/actor-message.ts';
import { groupByShard, type PlannedStep } from '../../../src/runtime/delivery-plan.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../../../src/shared/ids.ts';
import type { IdentityWrites } from '../../../src/store/identity-records.ts';
import { trackedEvent } from '../../support/events.ts';

const space = asSpaceId('default');
const [a, b, c] = [asProfileId('use_a'), asProfileId('use_b'), asProfileId('use_c')];

function eventStep(profileId: ProfileId, messageId: string): PlannedStep {
  return { kind: 'event', profileId, message: { type: 'profile.track', profileId, spaceId: space, event: trackedEvent({ messageId }), newIdentifiers: [] } };
}

describe('groupByShard', () => {
  it('sends a merge as an absorb at its position, re-targets steps at the live profile and carries the targets\' pending identity writes', () => {
    const steps: PlannedStep[] = [eventStep(b, 'm1'), { kind: 'merge', spaceId: space, loser: b, winner: a, trigger: { messageId: 'm2', eventType: 'identify', at: 0 } }, eventStep(a, 'm2'), eventStep(c, 'm3')];
    const live = (id: ProfileId): ProfileId => (id === b ? a : id);
    const shards: Record<string, number> = { use_a: 0, use_b: 1, use_c: 1 };
    const pending: Record<string, IdentityWrites> = {
      use_a: { identifiers: [{ key: ['default', 'anonymous_id', 'x'], profileId: a }], profiles: [] },
      use_c: { identifiers: [], profiles: [] },
    };
    const deliveries = groupByShard(steps, live, (id) => shards[id]!, new Map([[b, undefined]]), (home) => pending[home] ?? { identifiers: [], profiles: [] });

    expect([...deliveries.keys()].sort()).toEqual([0, 1]);
    const toA = deliveries.get(0)!;
    expect(toA.messages.map((m: ActorMessage) => [m.type, m.profileId])).toEqual([
      ['profile.track', a],
      ['profile.absorb', a],
      ['profile.track', a],
    ]);
    expect(toA.identityWrites).toEqual(pending['use_a']);
    expect(deliveries.get(1)!.messages.map((m) => m.profileId)).toEqual([c]);
    expect(deliveries.get(1)!.identityWrites).toEqual({ identifiers: [], profiles: [] });
  });
});
