import type { ActorMessage } from '../actors/actor-message.ts';
import type { ProfileState } from '../actors/profile-state.ts';
import type { IdentityGraphView } from '../identity/identity-graph.ts';
import type { Clock } from '../shared/clock.ts';
import type { SpaceId } from '../shared/ids.ts';
import { accountProfileId } from './account-id.ts';
import type { DispatchSequencer } from './dispatch-sequencer.ts';
import type { IdentityGraphStore } from './identity-graph-store.ts';
import type { ShardPool } from './shard-pool.ts';

export type DeleteAccount = (spaceId: SpaceId, groupId: string) => Promise<boolean>;

/**
 * Deletes an account with the guarantees a user deletion has: `group_id:{groupId}` resolves to
 * nothing at once, the account's shard removes its state, events and identity entry in one
 * transaction, and every member user loses its link to it. A group call for the groupId after
 * that creates a fresh account (its id is derived from space and groupId, so it is the same id).
 * Resolves true once all of it is durable, false when there is no such account.
 */
export function createAccountDeletion(graph: IdentityGraphStore, pool: ShardPool, sequencer: DispatchSequencer, clock: Clock): DeleteAccount {
  return async (spaceId, groupId) => {
    const view = graph.view(spaceId);
    const accountId = accountProfileId(spaceId, groupId);
    if (view.profileOf({ type: 'group_id', value: groupId }) !== accountId) return false;
    const writes = graph.stageAccountDeletion(spaceId, groupId);
    const { done } = await sequencer.take();
    let unlinked: Array<Promise<unknown>>;
    try {
      // The turn is held until the erase answers, unlike a user deletion: the members to unlink
      // are read from the account's final state, and their unlinks must reach the users' shards
      // before anything decided later does (a group call that links a member to the account
      // re-created under the same id must not be undone by a late unlink).
      const { state } = await pool.erase(pool.shardOf(accountId), accountId, writes);
      graph.settle(writes);
      unlinked = [...unlinksByShard(state, groupId, view, pool)].map(([shard, messages]) => pool.deliver(shard, { now: clock.now(), messages }));
    } catch (error) {
      graph.discard(writes);
      throw error;
    } finally {
      done();
    }
    await Promise.all(unlinked);
    return true;
  };
}

/** On an account, each link is keyed by the member's identifier (`type:value`) as its group call resolved it. */
function unlinksByShard(account: ProfileState | undefined, groupId: string, view: IdentityGraphView, pool: ShardPool): Map<number, ActorMessage[]> {
  const byShard = new Map<number, ActorMessage[]>();
  const members = new Set<string>();
  for (const userKey of Object.keys(account?.links ?? {})) {
    const colon = userKey.indexOf(':');
    const profileId = view.profileOf({ type: userKey.slice(0, colon), value: userKey.slice(colon + 1) });
    if (profileId === undefined || members.has(profileId) || account === undefined) continue;
    members.add(profileId);
    const shard = pool.shardOf(profileId);
    byShard.set(shard, [...(byShard.get(shard) ?? []), { type: 'profile.unlink', profileId, spaceId: account.spaceId, linkKey: groupId }]);
  }
  return byShard;
}
