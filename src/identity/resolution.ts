import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { Identifier, IdentifierRecord } from './identifier.ts';

/** Segment's Profiles Insights violation names, verbatim (segment-reference §4.3 step 6, §4.4). */
export const VIOLATION_TYPES = [
  'No matching identifiers on event',
  'ID value blocked',
  'Identifier value limit exceeded',
  'Identifier value time limit exceeded',
  'Profile merge limit exceeded',
  'Identifier mapping limit exceeded',
  // Troupe's own (Segment has no cap on learned types): a new externalIds type past the cap.
  'Identifier type limit exceeded',
] as const;

export type ViolationType = (typeof VIOLATION_TYPES)[number];

/** One insight about an event: what was refused, on which identifier and profile. */
export interface Violation {
  readonly type: ViolationType;
  /** The identifier blocked, demoted or not added. */
  readonly identifier?: Identifier;
  /** The profile the violation was checked against, when there was one. */
  readonly profileId?: ProfileId;
  readonly message: string;
}

export interface Merge {
  readonly loser: ProfileId;
  readonly winner: ProfileId;
}

/** The event carried no usable identifier: it belongs to no profile (§4.3 step 6). */
export interface Unresolved {
  readonly kind: 'unresolved';
  readonly violations: readonly Violation[];
}

/**
 * The graph changes one event implies, as data. The caller commits them in this order: create
 * `profileId` if `created` (with `createdAt = at`), fold each `merges[i].loser` into its winner
 * (moving its identifiers, adding `1 + loser.mergeCount` to the winner's count), then add
 * `addIdentifiers` to `profileId`.
 */
export interface Resolved {
  readonly kind: 'resolved';
  readonly profileId: ProfileId;
  readonly created: boolean;
  readonly at: EpochMs;
  /** Identifiers that no profile held, now added to `profileId`. */
  readonly addIdentifiers: readonly IdentifierRecord[];
  /** Every loser is folded into `profileId`. */
  readonly merges: readonly Merge[];
  readonly violations: readonly Violation[];
}

export type Resolution = Unresolved | Resolved;
