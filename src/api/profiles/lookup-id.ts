import type { ProfileLookup } from '../../runtime/profile-reader.ts';
import { asProfileId } from '../../shared/ids.ts';

/**
 * Reads the `{id_type}:{value}` path segment (already URL-decoded by the router). It splits at the
 * FIRST colon: types never contain one, values may (`email:a:b` is type `email`, value `a:b`).
 * Both halves are kept exactly as given: lookups are case-sensitive. A segment without a colon
 * is read as the engine's own profile id, as Segment accepts its `segment_id` there.
 */
export function parseLookupId(segment: string): ProfileLookup {
  const colon = segment.indexOf(':');
  if (colon === -1) return { kind: 'profile', profileId: asProfileId(segment) };
  return { kind: 'identifier', identifier: { type: segment.slice(0, colon), value: segment.slice(colon + 1) } };
}
