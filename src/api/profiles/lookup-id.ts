import type { ProfileLookup } from '../../runtime/profile-reader.ts';
import type { ErrorData } from '../../shared/errors.ts';
import { asProfileId } from '../../shared/ids.ts';
import { isStorableIdentifier, MAX_PROFILE_ID_UNITS } from '../../shared/key-bounds.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { isWellFormed, LONE_SURROGATE_PROBLEM } from '../../shared/well-formed.ts';

/**
 * Reads the `{id_type}:{value}` path segment (already URL-decoded by the router). It splits at the
 * FIRST colon: types never contain one, values may (`email:a:b` is type `email`, value `a:b`).
 * Both halves are kept exactly as given: lookups are case-sensitive. A segment without a colon
 * is read as the engine's own profile id, as Segment accepts its `segment_id` there.
 *
 * The lookup becomes an LMDB key, so it is bounded first (shared/key-bounds.ts): an id longer
 * than ingestion ever stores cannot name a profile and reads as undefined (404), where LMDB would
 * throw on the key (a 500). An unpaired surrogate is a 400: it is not valid Unicode, and LMDB's
 * key encoding could make it equal to another id.
 *
 * @example
 * parseLookupId('email:a@b.c') // → ok({ kind: 'identifier', identifier: { type: 'email', value: 'a@b.c' } })
 * parseLookupId(`user_id:${'x'.repeat(5000)}`) // → ok(undefined)
 */
export function parseLookupId(segment: string): Result<ProfileLookup | undefined, ErrorData> {
  if (!isWellFormed(segment)) return err({ code: 'invalid_unicode', message: `The profile id in the path ${LONE_SURROGATE_PROBLEM}.` });
  const colon = segment.indexOf(':');
  if (colon === -1) return ok(segment.length > MAX_PROFILE_ID_UNITS ? undefined : { kind: 'profile', profileId: asProfileId(segment) });
  const type = segment.slice(0, colon);
  const value = segment.slice(colon + 1);
  return ok(isStorableIdentifier(type, value) ? { kind: 'identifier', identifier: { type, value } } : undefined);
}
