import type { ActorMessage } from '../actors/actor-message.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import type { IdentityKey } from '../store/engine-store.ts';
import type { IdentityWrites, StoredGraphProfile } from '../store/identity-records.ts';

/** One step of a request, in item order: an event for a profile, or a merge into it. */
export type PlannedStep =
  | { readonly kind: 'event'; readonly profileId: ProfileId; readonly message: Extract<ActorMessage, { type: 'profile.track' }> }
  | {
      readonly kind: 'merge';
      readonly spaceId: SpaceId;
      readonly loser: ProfileId;
      readonly winner: ProfileId;
      readonly trigger: Extract<ActorMessage, { type: 'profile.absorb' }>['trigger'];
    };

export interface ShardDelivery {
  readonly messages: ActorMessage[];
  readonly identityWrites: IdentityWrites;
}

type ReleasedStates = ReadonlyMap<ProfileId, Extract<ActorMessage, { type: 'profile.absorb' }>['absorbed']>;

/**
 * Groups a request's steps into one delivery per shard, re-targeting each step at the profile that
 * is live NOW (a later item of the same request, or another request, may have merged it away since
 * it was resolved). A merge becomes a `profile.absorb` message at the merge's position, carrying
 * the loser's released state. Each delivery carries the pending identity changes of every profile
 * it touches, read at this moment (see `pendingWritesFor`).
 */
export function groupByShard(
  steps: readonly PlannedStep[],
  liveProfile: (id: ProfileId) => ProfileId,
  shardOf: (id: ProfileId) => number,
  releasedStates: ReleasedStates,
  pendingWritesFor: (home: ProfileId) => IdentityWrites,
): Map<number, ShardDelivery> {
  const messagesByShard = new Map<number, ActorMessage[]>();
  const targetsByShard = new Map<number, Set<ProfileId>>();
  const add = (target: ProfileId, message: ActorMessage): void => {
    const shard = shardOf(target);
    let messages = messagesByShard.get(shard);
    if (messages === undefined) {
      messages = [];
      messagesByShard.set(shard, messages);
      targetsByShard.set(shard, new Set());
    }
    messages.push(message);
    targetsByShard.get(shard)!.add(target);
  };
  for (const step of steps) {
    if (step.kind === 'merge') {
      const target = liveProfile(step.winner);
      add(target, {
        type: 'profile.absorb',
        profileId: target,
        spaceId: step.spaceId,
        loserId: step.loser,
        absorbed: releasedStates.get(step.loser),
        trigger: step.trigger,
      });
      continue;
    }
    const target = liveProfile(step.profileId);
    add(target, target === step.message.profileId ? step.message : { ...step.message, profileId: target });
  }
  const deliveries = new Map<number, ShardDelivery>();
  for (const [shard, messages] of messagesByShard) {
    deliveries.set(shard, { messages, identityWrites: combineWrites([...targetsByShard.get(shard)!].map(pendingWritesFor)) });
  }
  return deliveries;
}

function combineWrites(all: readonly IdentityWrites[]): IdentityWrites {
  const withChanges = all.filter((w) => w.identifiers.length > 0 || w.profiles.length > 0 || (w.removedProfiles?.length ?? 0) > 0);
  if (withChanges.length <= 1) return withChanges[0] ?? { identifiers: [], profiles: [] };
  const identifiers: Array<{ key: IdentityKey; profileId: ProfileId | null }> = [];
  const profiles: StoredGraphProfile[] = [];
  const removedProfiles: ProfileId[] = [];
  for (const w of withChanges) {
    identifiers.push(...w.identifiers);
    profiles.push(...w.profiles);
    removedProfiles.push(...(w.removedProfiles ?? []));
  }
  return { identifiers, profiles, removedProfiles };
}
