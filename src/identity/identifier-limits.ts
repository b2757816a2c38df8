import type { EpochMs } from '../shared/ids.ts';
import type { Identifier } from './identifier.ts';
import type { GraphProfile } from './identity-graph.ts';
import { type IdentifierRule, type IdentitySettings, ruleOf } from './settings.ts';
import { countsInFrame, frameMs } from './time-frame.ts';

/** A type whose limit the final profile would exceed, and by how much. */
export interface LimitBreach {
  readonly rule: IdentifierRule;
  /** Values of the type on the final profile within the rule's time frame. */
  readonly count: number;
}

/**
 * Checks the profile that joining `newIds` to (and merging) `profiles` would produce: "Segment
 * considers the priority of an identifier once that identifier exceeds the limit on the final
 * profile" (§4.3 step 4). Returns the highest-priority breached type, or undefined.
 *
 * Counts include only values added within each rule's time frame ending at `at`; new values are
 * added at `at`, so they always count. A type breaches only if the final count is over the limit
 * AND above what one of the profiles already held: "making rules more restrictive can affect
 * existing profiles" (§4.4), and a profile already over a tightened limit must still receive
 * events that bring nothing new of that type. `newIds` must hold no identifier that a profile
 * of `profiles` already has (one identifier maps to one profile, so deduplicated ids suffice).
 */
export function findLimitBreach(
  profiles: readonly GraphProfile[],
  newIds: readonly Identifier[],
  settings: IdentitySettings,
  at: EpochMs,
): LimitBreach | undefined {
  const totals = new Map<string, number>();
  for (const id of newIds) totals.set(id.type, (totals.get(id.type) ?? 0) + 1);
  // With a single profile, only types that gain a value can newly break a limit.
  const relevant = profiles.length >= 2 ? undefined : totals;
  const maxOfOne = new Map<string, number>();
  for (const profile of profiles) {
    const counts = countInFrame(profile, settings, at, relevant);
    for (const [type, n] of counts) {
      totals.set(type, (totals.get(type) ?? 0) + n);
      if (n > (maxOfOne.get(type) ?? 0)) maxOfOne.set(type, n);
    }
  }
  let breach: LimitBreach | undefined;
  for (const [type, count] of totals) {
    const rule = ruleOf(settings, type);
    if (count <= rule.limit || count <= (maxOfOne.get(type) ?? 0)) continue;
    if (breach === undefined || rule.rank < breach.rule.rank) breach = { rule, count };
  }
  return breach;
}

function countInFrame(
  profile: GraphProfile,
  settings: IdentitySettings,
  at: EpochMs,
  only: ReadonlyMap<string, number> | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of profile.identifiers) {
    if (only !== undefined && !only.has(record.type)) continue;
    if (!countsInFrame(record.addedAt, at, frameMs(ruleOf(settings, record.type).frequency))) continue;
    counts.set(record.type, (counts.get(record.type) ?? 0) + 1);
  }
  return counts;
}
