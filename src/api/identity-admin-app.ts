import { Hono, type Context } from 'hono';
import type { DeleteAccount } from '../runtime/account-deletion.ts';
import type { DeleteProfile } from '../runtime/profile-deletion.ts';
import type { InsightsLog } from '../runtime/insights-log.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { Suppressions } from '../runtime/suppressions.ts';
import type { Clock } from '../shared/clock.ts';
import { isJsonObject } from '../shared/json.ts';
import { identifierValueError, MAX_ID_BYTES } from '../shared/key-bounds.ts';
import { exceedsUtf8Bytes } from '../shared/text-size.ts';
import { isWellFormed, LONE_SURROGATE_PROBLEM } from '../shared/well-formed.ts';
import type { MergeLog } from '../runtime/merge-log.ts';
import type { NewestFirstPage } from '../runtime/newest-first.ts';
import type { GraphUpdateKey, InsightKey } from '../store/engine-store.ts';
import { adminSpace } from './admin-access.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';
import { decodeLogCursor, encodeLogCursor, type LogKey, type LogKeyPart } from './log-cursor.ts';
import { parseLookupId } from './profiles/lookup-id.ts';
import { readJsonBody } from './read-json-body.ts';
import type { ProfileMerges } from '../runtime/profile-merges.ts';

export interface IdentityAdminDeps {
  readonly spaces: SpaceRegistry;
  readonly insights: InsightsLog;
  readonly mergeLog: MergeLog;
  readonly suppressions: Suppressions;
  readonly deleteProfile: DeleteProfile;
  readonly deleteAccount: DeleteAccount;
  readonly clock: Clock;
  /** A profile's creation and the profiles merged into it (see `runtime/profile-merges.ts`). */
  readonly merges: (spaceId: string, profileId: string) => ProfileMerges | undefined;
}

const DEFAULT_LOG_LIMIT = 50;
const MAX_LOG_LIMIT = 500;

/**
 * Identity administration (admin token): profile deletion (users and accounts), identity insights, the merge log and
 * suppressions.
 * Paths under both `/v1/spaces` and `/v1/namespaces`, like the Profile API.
 */
export function createIdentityAdminApp(deps: IdentityAdminDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const prefix of ['/v1/spaces', '/v1/namespaces']) {
    app.delete(`${prefix}/:space/collections/users/profiles/:id`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const lookup = parseLookupId(c.req.param('id'));
      if (!lookup.ok) return errorResponse(c, lookup.error.code, lookup.error.message);
      // An id over the storage bounds cannot name a profile: 404 without asking LMDB.
      const deleted = lookup.value !== undefined && (await deps.deleteProfile(space.id, lookup.value));
      if (!deleted) return errorResponse(c, 'not_found', 'Profile was not found.');
      return c.body(null, 204);
    });

    // Accounts are looked up by `group_id:{groupId}` only, as on the Profile API.
    app.delete(`${prefix}/:space/collections/accounts/profiles/:id`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const lookup = parseLookupId(c.req.param('id'));
      if (!lookup.ok) return errorResponse(c, lookup.error.code, lookup.error.message);
      const target = lookup.value;
      const deleted = target?.kind === 'identifier' && target.identifier.type === 'group_id' && (await deps.deleteAccount(space.id, target.identifier.value));
      if (!deleted) return errorResponse(c, 'not_found', 'Profile was not found.');
      return c.body(null, 204);
    });

    app.get(`${prefix}/:space/insights`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return listPage(c, space.id, INSIGHT_KEY, (limit, from) => deps.insights.list(space.id, limit, from as InsightKey | undefined), 'insights');
    });

    // Segment's `id_graph_updates`: every profile creation (segment → itself) and merge.
    app.get(`${prefix}/:space/id-graph-updates`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return listPage(c, space.id, GRAPH_UPDATE_KEY, (limit, from) => deps.mergeLog.list(space.id, limit, from as GraphUpdateKey | undefined), 'updates');
    });

    // One profile's creation and every profile merged into it (by its own id, as the merge log names profiles).
    app.get(`${prefix}/:space/profiles/:id/merges`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const merges = deps.merges(space.id, c.req.param('id'));
      if (merges === undefined) return errorResponse(c, 'not_found', 'Profile was not found.');
      const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());
      return c.json({ profile: { id: merges.id, createdAt: iso(merges.createdAt) }, mergedFrom: merges.mergedFrom.map((m) => ({ id: m.id, createdAt: iso(m.createdAt), identifiers: m.identifiers })) });
    });

    app.get(`${prefix}/:space/suppressions`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return c.json({ suppressions: deps.suppressions.list(space).map(withIsoTime) });
    });

    app.post(`${prefix}/:space/suppressions`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const read = await readJsonBody(c);
      const body = read.ok ? read.value : undefined;
      const userId = isJsonObject(body) ? body['userId'] : undefined;
      if (typeof userId !== 'string' || userId.length === 0) {
        return errorResponse(c, 'invalid_body', 'Send {"userId": "<non-empty string>", "deleteProfile"?: boolean}.');
      }
      // A userId ingestion would refuse can never be suppressed meaningfully, and is a key LMDB
      // may refuse: 400 naming the limit, as the Tracking API answers.
      const refusal = identifierValueError(userId, 'userId');
      if (refusal !== undefined) return errorResponse(c, refusal.code, refusal.message);
      const suppression = await deps.suppressions.add(space, userId, deps.clock.now());
      // SUPPRESS_WITH_DELETE: the profile goes too; events stay blocked from now on.
      if (isJsonObject(body) && body['deleteProfile'] === true) {
        await deps.deleteProfile(space.id, { kind: 'identifier', identifier: { type: 'user_id', value: userId } });
      }
      return c.json({ suppression: withIsoTime(suppression) }, 201);
    });

    app.delete(`${prefix}/:space/suppressions/:userId`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const userId = c.req.param('userId');
      if (!isWellFormed(userId)) return errorResponse(c, 'invalid_unicode', `The userId in the path ${LONE_SURROGATE_PROBLEM}.`);
      // Longer than any userId that can be suppressed: not one, and not a key to hand LMDB.
      const outcome = exceedsUtf8Bytes(userId, MAX_ID_BYTES) ? 'not_found' : await deps.suppressions.remove(space, userId);
      if (outcome === 'not_found') return errorResponse(c, 'not_found', 'That userId is not suppressed.');
      if (outcome === 'config') return errorResponse(c, 'invalid_request_error', 'That userId is suppressed in config (suppressedUserIds); remove it there.');
      return c.body(null, 204);
    });
  }
  return app;
}

function withIsoTime<T extends { at: number | null }>(value: T): Omit<T, 'at'> & { at: string | null } {
  return { ...value, at: value.at === null ? null : new Date(value.at).toISOString() };
}

/** The key parts after the space id (store/engine-store.ts): `[at, seq]` and `[at, messageId, segmentId]`. */
const INSIGHT_KEY: readonly [LogKeyPart, ...LogKeyPart[]] = ['number', 'number'];
const GRAPH_UPDATE_KEY: readonly [LogKeyPart, ...LogKeyPart[]] = ['number', 'message_id', 'profile_id'];

/**
 * One page of a newest-first log: `limit` (default 50, max 500) and an opaque `next` cursor, the
 * key to resume from (base64url JSON of the key without its space).
 */
function listPage<V extends { at: number }>(
  c: Context<AppEnv>,
  spaceId: string,
  keyShape: readonly [LogKeyPart, ...LogKeyPart[]],
  list: (limit: number, from: LogKey | undefined) => NewestFirstPage<LogKey, V>,
  field: string,
): Response {
  const limitParam = c.req.query('limit');
  if (limitParam !== undefined && (!/^\d+$/.test(limitParam) || Number(limitParam) < 1)) {
    return errorResponse(c, 'invalid_request_error', '`limit` must be a positive integer.');
  }
  const nextParam = c.req.query('next');
  const from = nextParam === undefined || nextParam === '' ? undefined : decodeLogCursor(nextParam, spaceId, keyShape);
  if (from === null) return errorResponse(c, 'invalid_request_error', '`next` is not a cursor this API issued.');
  const limit = Math.min(limitParam === undefined ? DEFAULT_LOG_LIMIT : Number(limitParam), MAX_LOG_LIMIT);
  const page = list(limit, from);
  return c.json({
    [field]: page.items.map((item) => ({ ...item, at: new Date(item.at).toISOString() })),
    cursor: { has_more: page.next !== undefined, next: page.next === undefined ? '' : encodeLogCursor(page.next) },
  });
}
