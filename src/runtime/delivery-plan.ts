import type { ActorMessage } from '../actors/actor-message.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import { combineIdentityWrites, type IdentityWrites } from '../store/identity-records.ts';

/** One step of a request, in item order: an event for a profile (with the identity writes its resolution staged), or a merge into it. */
export type PlannedStep =
  | {
      readonly kind: 'event';
      readonly profileId: ProfileId;
      readonly message: Extract<ActorMessage, { type: 'profile.track' }>;
      readonly writes: IdentityWrites;
    }
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
 * Groups a request's steps into one delivery per shard. A step resolved before a LATER item of
 * the same request merged its profile away is re-targeted at the winner (merges of other requests
 * need no such care: the sequencer posts them in decision order). A merge becomes a
 * `profile.absorb` message at the merge's position, carrying the loser's released state. Each
 * step's identity writes go to the shard of its target, so they commit with the event (and, for a
 * merge, with the absorb that empties the loser: the merge's writes ride on the triggering event,
 * which targets the winner too).
 */
export function groupByShard(steps: readonly PlannedStep[], shardOf: (id: ProfileId) => number, releasedStates: ReleasedStates): Map<number, ShardDelivery> {
  const forwards = new Map<ProfileId, ProfileId>();
  for (const step of steps) if (step.kind === 'merge') forwards.set(step.loser, step.winner);
  const live = (id: ProfileId): ProfileId => {
    let current = id;
    for (let next = forwards.get(current); next !== undefined && next !== current; next = forwards.get(current)) current = next;
    return current;
  };

  const messagesByShard = new Map<number, ActorMessage[]>();
  const writesByShard = new Map<number, IdentityWrites[]>();
  const add = (target: ProfileId, message: ActorMessage, writes?: IdentityWrites): void => {
    const shard = shardOf(target);
    let messages = messagesByShard.get(shard);
    if (messages === undefined) {
      messages = [];
      messagesByShard.set(shard, messages);
      writesByShard.set(shard, []);
    }
    messages.push(message);
    if (writes !== undefined) writesByShard.get(shard)!.push(writes);
  };
  for (const step of steps) {
    if (step.kind === 'merge') {
      const target = live(step.winner);
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
    const target = live(step.profileId);
    add(target, target === step.message.profileId ? step.message : { ...step.message, profileId: target }, step.writes);
  }
  const deliveries = new Map<number, ShardDelivery>();
  for (const [shard, messages] of messagesByShard) {
    deliveries.set(shard, { messages, identityWrites: combineIdentityWrites(writesByShard.get(shard)!) });
  }
  return deliveries;
}
