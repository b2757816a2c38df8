import type { ProfileId } from '../shared/ids.ts';
import type { Identifier } from './identifier.ts';
import type { LimitBreach } from './identifier-limits.ts';
import type { Violation } from './resolution.ts';
import { isTimeFramed } from './time-frame.ts';

// Messages name the identifier as `type:value`, the form the Profile API looks profiles up by.

export function blockedViolation(id: Identifier): Violation {
  return { type: 'ID value blocked', identifier: id, message: `${label(id)} is a blocked value and was not used as an identifier` };
}

export function noMatchingIdentifiers(): Violation {
  return { type: 'No matching identifiers on event', message: 'The event carries no identifier once blocked values are removed' };
}

/**
 * `id` would take `breach.rule.type` over its limit. It was demoted (dropped from the event's
 * lookup) or, as the event's last identifier, kept so that the event still lands somewhere.
 */
export function limitViolation(breach: LimitBreach, id: Identifier, profileId: ProfileId | undefined, outcome: 'demoted' | 'kept' = 'demoted'): Violation {
  const { rule, count } = breach;
  const timed = isTimeFramed(rule.frequency);
  const frame = timed ? ` ${String(rule.frequency)}` : '';
  const where = profileId === undefined ? 'the new profile' : `profile ${profileId}`;
  const what = outcome === 'demoted' ? 'was demoted' : "was kept, as the event's last identifier";
  return {
    type: timed ? 'Identifier value time limit exceeded' : 'Identifier value limit exceeded',
    identifier: id,
    ...(profileId === undefined ? {} : { profileId }),
    message: `${label(id)} ${what}: ${where} would hold ${count} ${rule.type} values, over the limit of ${rule.limit}${frame}`,
  };
}

export function mergeLimitViolation(winner: ProfileId, merges: number, max: number): Violation {
  return {
    type: 'Profile merge limit exceeded',
    profileId: winner,
    message: `Merging would bring profile ${winner} to ${merges} merges, over the limit of ${max}; the profiles were not merged`,
  };
}

export function mappingLimitViolation(profileId: ProfileId, max: number, id: Identifier): Violation {
  return {
    type: 'Identifier mapping limit exceeded',
    profileId,
    identifier: id,
    message: `Profile ${profileId} would hold more than ${max} identifiers; ${label(id)} was not added`,
  };
}

/** The profiles to merge hold `held` identifiers between them, more than one profile may. */
export function mergeMappingLimitViolation(winner: ProfileId, held: number, max: number): Violation {
  return {
    type: 'Identifier mapping limit exceeded',
    profileId: winner,
    message: `Merging would bring profile ${winner} to ${held} identifiers, over the limit of ${max}; the profiles were not merged`,
  };
}

/** `id`'s type would be a new custom type, but the space has learned `max` already: it was ignored. */
export function typeLimitViolation(id: Identifier, max: number): Violation {
  return {
    type: 'Identifier type limit exceeded',
    identifier: id,
    message: `${label(id)} was ignored: the space has learned ${max} custom identifier types from context.externalIds, the most maxCustomIdentifierTypesPerSpace allows, and ${JSON.stringify(id.type)} is not one of them`,
  };
}

function label(id: Identifier): string {
  return `${id.type}:${id.value}`;
}
