/**
 * Branded ids. A ProfileId is minted only by `runtime/profile-id.ts` (`newProfileId`) or read back
 * from storage; a SpaceId only from validated config.
 */
export type ProfileId = string & { readonly __brand: 'ProfileId' };
export type SpaceId = string & { readonly __brand: 'SpaceId' };

export function asProfileId(raw: string): ProfileId {
  return raw as ProfileId;
}

export function asSpaceId(raw: string): SpaceId {
  return raw as SpaceId;
}

/** Milliseconds since the Unix epoch. Every time in the engine is one of these. */
export type EpochMs = number;
