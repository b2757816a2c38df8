import { collectionOf, type IdentifierRecord } from '../../identity/identifier.ts';
import { ok } from '../../shared/result.ts';
import { decodeOffsetCursor, encodeOffsetCursor } from './cursor.ts';
import { isoTime } from './iso-time.ts';
import type { ProfileResource } from './profile-resource.ts';
import { invalidParam, readFlag, readLimit, readList } from './query-params.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/**
 * `GET …/external_ids`, newest first by when the profile gained each id. `next` is an opaque
 * offset into that order; ids are only ever appended to a profile, so a new id shifts later pages
 * by one (shown again), never hides one.
 */
export const externalIdsResource: ProfileResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT, max: MAX_LIMIT });
  if (!limit.ok) return limit;
  // Accepted for Segment compatibility; every field is always shown.
  const verbose = readFlag(query, 'verbose');
  if (!verbose.ok) return verbose;
  const include = readList(query, 'include');
  const next = query.get('next');
  const offset = next === null || next === '' ? 0 : decodeOffsetCursor(next);
  if (offset === undefined) return invalidParam('next', 'is not a cursor this API returned');

  return ok((profile, { url }) => {
    const ids = newestFirst(profile.identifiers).filter((id) => include === undefined || include.has(id.type));
    const page = ids.slice(offset, offset + limit.value);
    const hasMore = offset + limit.value < ids.length;
    return {
      data: page.map((id) => ({
        source_id: id.sourceId,
        collection: collectionOf(id.type),
        id: id.value,
        type: id.type,
        created_at: isoTime(id.addedAt),
        encoding: 'none',
        first_message_id: id.firstMessageId,
      })),
      cursor: { url, has_more: hasMore, next: hasMore ? encodeOffsetCursor(offset + limit.value) : '', limit: limit.value },
    };
  });
};

/** Ties on `addedAt` (ids added by one event) go to the later-recorded id first, deterministically. */
function newestFirst(ids: readonly IdentifierRecord[]): IdentifierRecord[] {
  return ids
    .map((id, index) => ({ id, index }))
    .sort((a, b) => b.id.addedAt - a.id.addedAt || b.index - a.index)
    .map(({ id }) => id);
}
