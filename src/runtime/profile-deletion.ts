import type { ProfileLookup } from './profile-reader.ts';
import type { SpaceId } from '../shared/ids.ts';
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
export function createProfileDeletion(graph: IdentityGraphStore, pool: ShardPool): DeleteProfile {
  return async (spaceId, lookup) => {
    const view = graph.view(spaceId);
    const profileId = lookup.kind === 'identifier' ? view.profileOf(lookup.identifier) : graph.liveProfile(lookup.profileId);
    if (profileId === undefined || view.profile(profileId) === undefined || graph.record(profileId)?.spaceId !== spaceId) return false;
    graph.stageDeletion(spaceId, profileId);
    const writes = graph.pendingWritesFor(profileId);
    await pool.erase(pool.shardOf(profileId), profileId, writes);
    graph.settle(writes);
    return true;
  };
}
