import { collectionOfProfile, type LinkEntry } from '../../actors/profile-state.ts';
import { ok } from '../../shared/result.ts';
import { decodeOffsetCursor, encodeOffsetCursor } from './cursor.ts';
import { isoTime } from './iso-time.ts';
import type { ProfileResource } from './profile-resource.ts';
import { invalidParam, readLimit } from './query-params.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 20;

/**
 * `GET …/links`: the accounts a user belongs to (from group calls), or, on an account, the users
 * linked to it. Oldest link first; `next` is an opaque offset.
 */
export const linksResource: ProfileResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT, max: MAX_LIMIT });
  if (!limit.ok) return limit;
  const next = query.get('next');
  const offset = next === null || next === '' ? 0 : decodeOffsetCursor(next);
  if (offset === undefined) return invalidParam('next', 'is not a cursor this API returned');

  return ok((profile, { url }) => {
    const onAccount = collectionOfProfile(profile) === 'accounts';
    const links = Object.entries(profile.links ?? {}).sort(([, a], [, b]) => a.createdAt - b.createdAt);
    const page = links.slice(offset, offset + limit.value);
    const hasMore = offset + limit.value < links.length;
    return {
      data: page.map(([key, link]) => (onAccount ? userLink(key, link) : accountLink(key, link))),
      cursor: { url, has_more: hasMore, next: hasMore ? encodeOffsetCursor(offset + limit.value) : '', limit: limit.value },
    };
  });
};

function accountLink(groupId: string, link: LinkEntry) {
  return {
    to_collection: 'accounts',
    external_ids: [{ id: groupId, type: 'group_id', source_id: link.sourceId, collection: 'accounts', created_at: isoTime(link.createdAt), encoding: 'none' }],
  };
}

/** An account stores each linked user by the identifier the group call resolved it with. */
function userLink(userKey: string, link: LinkEntry) {
  const colon = userKey.indexOf(':');
  return {
    to_collection: 'users',
    external_ids: [
      { id: userKey.slice(colon + 1), type: userKey.slice(0, colon), source_id: link.sourceId, collection: 'users', created_at: isoTime(link.createdAt), encoding: 'none' },
    ],
  };
}
