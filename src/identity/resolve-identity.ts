import type { EventType } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { Identifier, IdentifierRecord } from './identifier.ts';
import { findLimitBreach } from './identifier-limits.ts';
import type { GraphProfile, IdentityGraphView } from './identity-graph.ts';
import type { Merge, Resolution, Resolved, Violation } from './resolution.ts';
import { type IdentitySettings, ruleOf } from './settings.ts';
import {
  blockedViolation,
  limitViolation,
  mappingLimitViolation,
  mergeLimitViolation,
  mergeMappingLimitViolation,
  noMatchingIdentifiers,
} from './violations.ts';

export interface ResolveInput {
  /** The event's identifiers, as `extractIdentifiers` returns them (any order is accepted). */
  readonly identifiers: readonly Identifier[];
  /** Values blocked during extraction; each is reported as an `ID value blocked` insight. */
  readonly blocked?: readonly Identifier[];
  /**
   * When the identity writer handles the event: new identifiers are stamped with it, new profiles
   * created at it, and time-framed limits end at it. The engine's receive time keeps "created
   * first" and the frames in processing order.
   */
  readonly at: EpochMs;
  readonly messageId: string;
  readonly sourceId: string;
  readonly eventType: EventType;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Segment's flat matching (segment-reference §4.3), as a pure decision: look up the profiles
 * holding any of the event's identifiers; 0 → new profile, 1 → join it, ≥2 → merge into the
 * profile created first. When the final profile would exceed an identifier limit, the event's
 * lowest-priority identifier is demoted and the lookup retried (merge protection).
 *
 * @example
 * const r = resolveIdentity({ identifiers, at, messageId, sourceId, eventType: 'track' }, graph, settings, mintId);
 * if (r.kind === 'resolved') route(r.profileId);
 */
export function resolveIdentity(
  input: ResolveInput,
  graph: IdentityGraphView,
  settings: IdentitySettings,
  newProfileId: () => ProfileId,
): Resolution {
  const blocked: readonly Violation[] = input.blocked !== undefined && input.blocked.length > 0 ? input.blocked.map(blockedViolation) : NONE;
  if (input.identifiers.length === 0) return { kind: 'unresolved', violations: [...blocked, noMatchingIdentifiers()] };
  // The common case, a known visitor: every id already on one profile, nothing to change. It
  // costs one point lookup per id and one allocation, the result.
  const owner = soleOwner(input.identifiers, graph);
  if (owner !== undefined) {
    return { kind: 'resolved', profileId: owner, created: false, at: input.at, addIdentifiers: NONE, merges: NONE, violations: blocked };
  }
  return resolveChanges(input, graph, settings, newProfileId, [...blocked]);
}

/** The profile holding every identifier, or undefined when they are not all on one profile. */
function soleOwner(ids: readonly Identifier[], graph: IdentityGraphView): ProfileId | undefined {
  let owner: ProfileId | undefined;
  for (const id of ids) {
    const profileId = graph.profileOf(id);
    if (profileId === undefined || (owner !== undefined && profileId !== owner)) return undefined;
    owner = profileId;
  }
  return owner;
}

/** The event adds identifiers, merges profiles or creates one: the full algorithm. */
function resolveChanges(
  input: ResolveInput,
  graph: IdentityGraphView,
  settings: IdentitySettings,
  newProfileId: () => ProfileId,
  violations: Violation[],
): Resolved {
  const active = prioritised(input.identifiers, settings);
  // owners[i] is the live profile holding active[i]; both shrink together on demotion.
  const owners = active.map((id) => graph.profileOf(id));
  const load = profileLoader(graph);
  let matched = matchedProfiles(owners, load);

  // Alias calls "can't be used to merge profiles in Unify" (§1.1): resolve, never merge.
  if (matched.length >= 2 && input.eventType === 'alias') return joinWithoutMerge(matched[0]!, active, owners, input, settings, violations);

  for (;;) {
    const breach = findLimitBreach(matched, unheld(active, owners), settings, input.at);
    if (breach === undefined) break;
    // One identifier left can only breach when it starts a profile and its type's limit is
    // below 1 (config requires ≥ 1). The event must still land: keep it and report.
    if (active.length === 1) {
      violations.push(limitViolation(breach, active[0]!, undefined, 'kept'));
      break;
    }
    const demoted = active.pop()!;
    owners.pop();
    violations.push(limitViolation(breach, demoted, firstCreated(matched)?.id));
    matched = matchedProfiles(owners, load);
  }

  const fresh = unheld(active, owners);
  const winner = firstCreated(matched);
  if (winner === undefined) {
    const profileId = newProfileId();
    const adds = withinMappingLimit(fresh, 0, profileId, settings, violations);
    return resolved(profileId, true, records(adds, input), NONE, input, violations);
  }
  if (matched.length === 1) {
    const adds = withinMappingLimit(fresh, winner.identifiers.length, winner.id, settings, violations);
    return resolved(winner.id, false, records(adds, input), NONE, input, violations);
  }
  return merge(winner, matched, active, owners, fresh, input, settings, violations);
}

/** ≥2 profiles match and the union fits every identifier limit: fold them into the first created. */
function merge(
  winner: GraphProfile,
  matched: readonly GraphProfile[],
  active: readonly Identifier[],
  owners: readonly (ProfileId | undefined)[],
  fresh: readonly Identifier[],
  input: ResolveInput,
  settings: IdentitySettings,
  violations: Violation[],
): Resolved {
  const losers = matched.filter((p) => p !== winner);
  // A folded profile brings the profiles folded into it, so the cap bounds the whole history and
  // cannot be bypassed by merging merged profiles.
  const mergeCount = losers.reduce((n, p) => n + 1 + p.mergeCount, winner.mergeCount);
  // Past either system limit the profiles stay apart and the event resolves to its best match
  // ("Event resolution for the profile, however, will continue", §4.3 step 5).
  if (mergeCount > settings.maxMerges) {
    violations.push(mergeLimitViolation(winner.id, mergeCount, settings.maxMerges));
    return joinWithoutMerge(matched[0]!, active, owners, input, settings, violations);
  }
  const held = matched.reduce((n, p) => n + p.identifiers.length, 0);
  if (held > settings.maxIdentifiers) {
    violations.push(mergeMappingLimitViolation(winner.id, held, settings.maxIdentifiers));
    return joinWithoutMerge(matched[0]!, active, owners, input, settings, violations);
  }
  const merges: Merge[] = losers.map((p) => ({ loser: p.id, winner: winner.id }));
  const adds = withinMappingLimit(fresh, held, winner.id, settings, violations);
  return resolved(winner.id, false, records(adds, input), merges, input, violations);
}

/**
 * Resolves to `target` (the event's highest-priority match) without merging: identifiers held by
 * other profiles stay there, and unheld ones are added one by one, in priority order, while they
 * fit the target's limits.
 */
function joinWithoutMerge(
  target: GraphProfile,
  active: readonly Identifier[],
  owners: readonly (ProfileId | undefined)[],
  input: ResolveInput,
  settings: IdentitySettings,
  violations: Violation[],
): Resolved {
  const accepted: Identifier[] = [];
  active.forEach((id, i) => {
    if (owners[i] !== undefined) return;
    if (target.identifiers.length + accepted.length >= settings.maxIdentifiers) {
      violations.push(mappingLimitViolation(target.id, settings.maxIdentifiers, id));
      return;
    }
    const breach = findLimitBreach([target], [...accepted, id], settings, input.at);
    if (breach !== undefined) {
      violations.push(limitViolation(breach, id, target.id));
      return;
    }
    accepted.push(id);
  });
  return resolved(target.id, false, records(accepted, input), NONE, input, violations);
}

/** Identifiers past the per-profile mapping cap are dropped, lowest priority first. */
function withinMappingLimit(
  fresh: readonly Identifier[],
  held: number,
  profileId: ProfileId,
  settings: IdentitySettings,
  violations: Violation[],
): readonly Identifier[] {
  const room = Math.max(0, settings.maxIdentifiers - held);
  if (fresh.length <= room) return fresh;
  for (const id of fresh.slice(room)) violations.push(mappingLimitViolation(profileId, settings.maxIdentifiers, id));
  return fresh.slice(0, room);
}

/** A deduplicated copy in priority order: demotion pops from the end. */
function prioritised(ids: readonly Identifier[], settings: IdentitySettings): Identifier[] {
  const unique: Identifier[] = [];
  // A linear scan: an event carries a handful of identifiers (the 32 KB event limit bounds the rest).
  for (const id of ids) {
    if (!unique.some((u) => u.type === id.type && u.value === id.value)) unique.push({ type: id.type, value: id.value });
  }
  return unique.sort((a, b) => ruleOf(settings, a.type).rank - ruleOf(settings, b.type).rank);
}

/** Distinct matched profiles, in the priority order of the identifier that found each. */
function matchedProfiles(owners: readonly (ProfileId | undefined)[], load: (id: ProfileId) => GraphProfile): GraphProfile[] {
  const out: GraphProfile[] = [];
  for (const owner of owners) {
    if (owner === undefined || out.some((p) => p.id === owner)) continue;
    out.push(load(owner));
  }
  return out;
}

function unheld(active: readonly Identifier[], owners: readonly (ProfileId | undefined)[]): Identifier[] {
  return active.filter((_, i) => owners[i] === undefined);
}

/** "A merge keeps the profile created first" (contract); the id breaks a tie deterministically. */
function firstCreated(profiles: readonly GraphProfile[]): GraphProfile | undefined {
  let first: GraphProfile | undefined;
  for (const p of profiles) {
    if (first === undefined || p.createdAt < first.createdAt || (p.createdAt === first.createdAt && p.id < first.id)) first = p;
  }
  return first;
}

function profileLoader(graph: IdentityGraphView): (id: ProfileId) => GraphProfile {
  const cache = new Map<ProfileId, GraphProfile>();
  return (id) => {
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    const profile = graph.profile(id);
    // profileOf promised a live profile: going on would split or lose identifiers.
    if (profile === undefined) throw new Error(`identity graph: profileOf returned ${id}, which is not a live profile`);
    cache.set(id, profile);
    return profile;
  };
}

function records(ids: readonly Identifier[], input: ResolveInput): readonly IdentifierRecord[] {
  if (ids.length === 0) return NONE;
  return ids.map((id) => ({ type: id.type, value: id.value, addedAt: input.at, firstMessageId: input.messageId, sourceId: input.sourceId }));
}

function resolved(
  profileId: ProfileId,
  created: boolean,
  addIdentifiers: readonly IdentifierRecord[],
  merges: readonly Merge[],
  input: ResolveInput,
  violations: readonly Violation[],
): Resolved {
  return { kind: 'resolved', profileId, created, at: input.at, addIdentifiers, merges, violations };
}
