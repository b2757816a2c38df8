import type { ProfileLookup } from './profile-reader.ts';
import type { SpaceId } from '../shared/ids.ts';
import type { DispatchSequencer } from './dispatch-sequencer.ts';
import type { IdentityGraphStore } from './identity-graph-store.ts';
import type { ShardPool } from './shard-pool.ts';

export type DeleteProfile = (spaceId: SpaceId, lookup: ProfileLookup) => Promise<boolean>;

/**
 * Deletes a whole profile (Segment: no single-event deletion, only the profile). The identity
 * graph forgets it at once, so an event arriving from now on with one of its identifiers starts a
 * fresh profile; the owning shard then removes state, events, timers and identifier mappings in
 * one transaction, after the profile's pending commits. Resolves true once all of it is durable,
 * false when no such profile exists.
 */
export function createProfileDeletion(graph: IdentityGraphStore, pool: ShardPool, sequencer: DispatchSequencer): DeleteProfile {
  return async (spaceId, lookup) => {
    const view = graph.view(spaceId);
    const profileId = lookup.kind === 'identifier' ? view.profileOf(lookup.identifier) : graph.liveProfile(lookup.profileId);
    if (profileId === undefined || view.profile(profileId) === undefined || graph.record(profileId)?.spaceId !== spaceId) return false;
    const writes = graph.stageDeletion(spaceId, profileId);
    // A deletion is a decision like any other: its erase is posted after every earlier request's
    // deliveries, so an event resolved to the profile before the deletion is erased with it.
    const { done } = await sequencer.take();
    let erased: Promise<unknown>;
    try {
      erased = pool.erase(pool.shardOf(profileId), profileId, writes);
    } finally {
      done();
    }
    try {
      await erased;
    } catch (error) {
      graph.discard(writes);
      throw error;
    }
    graph.settle(writes);
    return true;
  };
}
