import { describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../../src/actors/actor-message.ts';
import { groupByShard, type PlannedStep } from '../../../src/runtime/delivery-plan.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../../../src/shared/ids.ts';
import { NO_IDENTITY_WRITES, type IdentityWrites } from '../../../src/store/identity-records.ts';
import { trackedEvent } from '../../support/events.ts';

const space = asSpaceId('default');
const [a, b, c] = [asProfileId('use_a'), asProfileId('use_b'), asProfileId('use_c')];
const trigger = { messageId: 'm2', eventType: 'identify' as const, at: 0 };

function eventStep(profileId: ProfileId, messageId: string, writes: IdentityWrites = NO_IDENTITY_WRITES): PlannedStep {
  return { kind: 'event', profileId, message: { type: 'profile.track', profileId, spaceId: space, event: trackedEvent({ messageId }), newIdentifiers: [] }, writes };
}

describe('groupByShard', () => {
  it('re-targets an earlier step at the winner of a later merge in the same request, sends the merge as an absorb at its position, and carries each step\'s writes to its target\'s shard', () => {
    const createB: IdentityWrites = { identifiers: [{ key: ['default', 'anonymous_id', 'x'], profileId: b }], profiles: [] };
    const mergeBIntoA: IdentityWrites = { identifiers: [{ key: ['default', 'anonymous_id', 'x'], profileId: a }], profiles: [] };
    const steps: PlannedStep[] = [
      eventStep(b, 'm1', createB),
      { kind: 'merge', spaceId: space, loser: b, winner: a, trigger },
      eventStep(a, 'm2', mergeBIntoA),
      eventStep(c, 'm3'),
    ];
    const shards: Record<string, number> = { use_a: 0, use_b: 1, use_c: 1 };
    const deliveries = groupByShard(steps, (id) => shards[id]!, new Map([[b, undefined]]));

    expect([...deliveries.keys()].sort()).toEqual([0, 1]);
    const toA = deliveries.get(0)!;
    expect(toA.messages.map((m: ActorMessage) => [m.type, m.profileId])).toEqual([
      ['profile.track', a],
      ['profile.absorb', a],
      ['profile.track', a],
    ]);
    // Both writes, in decision order, so the later one (x → a) is what commits.
    expect(toA.identityWrites.identifiers.map((w) => w.profileId)).toEqual([b, a]);
    expect(deliveries.get(1)!.messages.map((m) => m.profileId)).toEqual([c]);
    expect(deliveries.get(1)!.identityWrites).toEqual(NO_IDENTITY_WRITES);
  });
});
