import type { ActorMessage } from '../actors/actor-message.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import type { IdentityKey } from '../store/engine-store.ts';
import type { IdentityWrites, StoredGraphProfile } from '../store/identity-records.ts';

/** One step of a request, in item order: an event for a profile, or a merge into it. */
export type PlannedStep =
  | { readonly kind: 'event'; readonly profileId: ProfileId; readonly message: Extract<ActorMessage, { type: 'profile.track' }>; readonly writes: IdentityWrites }
  | { readonly kind: 'merge'; readonly spaceId: SpaceId; readonly loser: ProfileId; readonly winner: ProfileId };

export interface ShardDelivery {
  readonly messages: ActorMessage[];
  readonly identifiers: Array<{ key: IdentityKey; profileId: ProfileId | null }>;
  readonly profiles: StoredGraphProfile[];
}

/**
 * Groups a request's steps into one delivery per shard, re-targeting each step at the profile that
 * is live NOW (a later item of the same request, or another request, may have merged it away since
 * it was resolved). A merge becomes a `profile.absorb` message at the merge's position, carrying
 * the loser's released state. Identity writes travel with the step that caused them, to the shard
 * of that step's live profile.
 */
export function groupByShard(
  steps: readonly PlannedStep[],
  liveProfile: (id: ProfileId) => ProfileId,
  shardOf: (id: ProfileId) => number,
  releasedStates: ReadonlyMap<ProfileId, Extract<ActorMessage, { type: 'profile.absorb' }>['absorbed']>,
): Map<number, ShardDelivery> {
  const deliveries = new Map<number, ShardDelivery>();
  const deliveryFor = (profileId: ProfileId): ShardDelivery => {
    const shard = shardOf(profileId);
    let delivery = deliveries.get(shard);
    if (delivery === undefined) {
      delivery = { messages: [], identifiers: [], profiles: [] };
      deliveries.set(shard, delivery);
    }
    return delivery;
  };
  for (const step of steps) {
    if (step.kind === 'merge') {
      const target = liveProfile(step.winner);
      deliveryFor(target).messages.push({
        type: 'profile.absorb',
        profileId: target,
        spaceId: step.spaceId,
        loserId: step.loser,
        absorbed: releasedStates.get(step.loser),
      });
      continue;
    }
    const target = liveProfile(step.profileId);
    const delivery = deliveryFor(target);
    delivery.messages.push(target === step.message.profileId ? step.message : { ...step.message, profileId: target });
    delivery.identifiers.push(...step.writes.identifiers);
    delivery.profiles.push(...step.writes.profiles);
  }
  return deliveries;
}
