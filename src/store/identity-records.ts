import type { GraphProfile } from '../identity/identity-graph.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import type { IdentityKey } from './engine-store.ts';

/** A profile as the identity graph stores it. A merged-away profile keeps a forward pointer. */
export interface StoredGraphProfile extends GraphProfile {
  readonly spaceId: SpaceId;
  readonly mergedInto?: ProfileId;
}

/**
 * Identity graph changes decided by the main thread (the graph's single writer) and carried to
 * the shard that owns the profile, which commits them in the SAME transaction as the event that
 * caused them. So a profile's identifiers, its first event and its state become visible together,
 * and a crash leaves either all of them or none.
 */
export interface IdentityWrites {
  /** `profileId: null` removes the mapping (a deleted profile's identifiers are free again). */
  readonly identifiers: ReadonlyArray<{ readonly key: IdentityKey; readonly profileId: ProfileId | null }>;
  readonly profiles: readonly StoredGraphProfile[];
  readonly removedProfiles?: readonly ProfileId[];
}

export const NO_IDENTITY_WRITES: IdentityWrites = { identifiers: [], profiles: [] };

/** Several sets of writes (each step's) as one, skipping empty ones. */
export function combineIdentityWrites(all: readonly IdentityWrites[]): IdentityWrites {
  const withChanges = all.filter((w) => w.identifiers.length > 0 || w.profiles.length > 0 || (w.removedProfiles?.length ?? 0) > 0);
  if (withChanges.length <= 1) return withChanges[0] ?? NO_IDENTITY_WRITES;
  return {
    identifiers: withChanges.flatMap((w) => w.identifiers),
    profiles: withChanges.flatMap((w) => w.profiles),
    removedProfiles: withChanges.flatMap((w) => w.removedProfiles ?? []),
  };
}
