import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { Identifier, IdentifierRecord } from './identifier.ts';

/** A live profile as the resolver sees it. */
export interface GraphProfile {
  readonly id: ProfileId;
  /** When the profile was created; a merge keeps the profile created first (contract). */
  readonly createdAt: EpochMs;
  readonly identifiers: readonly IdentifierRecord[];
  /** Profiles folded into this one, counted transitively (a folded profile brings its own count). */
  readonly mergeCount: number;
}

/**
 * The port `resolveIdentity` reads: the runtime implements it over LMDB, `memory-identity-graph.ts`
 * in memory. Reads only; the resolver returns its changes as a `Resolution` for the caller to
 * commit, so the single identity writer decides when they become visible.
 */
export interface IdentityGraphView {
  /**
   * The LIVE profile holding this identifier, after following merges; undefined when no profile
   * holds it. Called for every identifier of every event: it must be a point lookup.
   */
  profileOf(id: Identifier): ProfileId | undefined;
  /** A live profile; undefined for unknown or merged-away ids. */
  profile(id: ProfileId): GraphProfile | undefined;
}
