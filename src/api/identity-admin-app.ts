import { Hono, type Context } from 'hono';
import type { Key } from 'lmdb';
import type { DeleteAccount } from '../runtime/account-deletion.ts';
import type { DeleteProfile } from '../runtime/profile-deletion.ts';
import type { InsightsLog } from '../runtime/insights-log.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { Suppressions } from '../runtime/suppressions.ts';
import type { Clock } from '../shared/clock.ts';
import { isJsonObject } from '../shared/json.ts';
import type { MergeLog } from '../runtime/merge-log.ts';
import type { NewestFirstPage } from '../runtime/newest-first.ts';
import type { GraphUpdateKey, InsightKey } from '../store/engine-store.ts';
import { adminSpace } from './admin-access.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';
import { parseLookupId } from './profiles/lookup-id.ts';

export interface IdentityAdminDeps {
  readonly spaces: SpaceRegistry;
  readonly insights: InsightsLog;
  readonly mergeLog: MergeLog;
  readonly suppressions: Suppressions;
  readonly deleteProfile: DeleteProfile;
  readonly deleteAccount: DeleteAccount;
  readonly clock: Clock;
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
      const deleted = await deps.deleteProfile(space.id, parseLookupId(c.req.param('id')));
      if (!deleted) return errorResponse(c, 'not_found', 'Profile was not found.');
      return c.body(null, 204);
    });

    // Accounts are looked up by `group_id:{groupId}` only, as on the Profile API.
    app.delete(`${prefix}/:space/collections/accounts/profiles/:id`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const lookup = parseLookupId(c.req.param('id'));
      const deleted = lookup.kind === 'identifier' && lookup.identifier.type === 'group_id' && (await deps.deleteAccount(space.id, lookup.identifier.value));
      if (!deleted) return errorResponse(c, 'not_found', 'Profile was not found.');
      return c.body(null, 204);
    });

    app.get(`${prefix}/:space/insights`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return listPage(c, space.id, (limit, from) => deps.insights.list(space.id, limit, from as InsightKey | undefined), 'insights');
    });

    // Segment's `id_graph_updates`: every profile creation (segment → itself) and merge.
    app.get(`${prefix}/:space/id-graph-updates`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return listPage(c, space.id, (limit, from) => deps.mergeLog.list(space.id, limit, from as GraphUpdateKey | undefined), 'updates');
    });

    app.get(`${prefix}/:space/suppressions`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      return c.json({ suppressions: deps.suppressions.list(space).map(withIsoTime) });
    });

    app.post(`${prefix}/:space/suppressions`, async (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const body: unknown = await c.req.json().catch(() => undefined);
      const userId = isJsonObject(body) ? body['userId'] : undefined;
      if (typeof userId !== 'string' || userId.length === 0) {
        return errorResponse(c, 'invalid_body', 'Send {"userId": "<non-empty string>", "deleteProfile"?: boolean}.');
      }
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
      const outcome = await deps.suppressions.remove(space, c.req.param('userId'));
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

type LogKey = [string, number, ...Key[]];

/**
 * One page of a newest-first log: `limit` (default 50, max 500) and an opaque `next` cursor, the
 * key to resume from (base64url JSON of the key without its space).
 */
function listPage<V extends { at: number }>(
  c: Context<AppEnv>,
  spaceId: string,
  list: (limit: number, from: LogKey | undefined) => NewestFirstPage<LogKey, V>,
  field: string,
): Response {
  const limitParam = c.req.query('limit');
  if (limitParam !== undefined && (!/^\d+$/.test(limitParam) || Number(limitParam) < 1)) {
    return errorResponse(c, 'invalid_request_error', '`limit` must be a positive integer.');
  }
  const nextParam = c.req.query('next');
  const from = nextParam === undefined || nextParam === '' ? undefined : decodeLogCursor(nextParam, spaceId);
  if (from === null) return errorResponse(c, 'invalid_request_error', '`next` is not a cursor this API issued.');
  const limit = Math.min(limitParam === undefined ? DEFAULT_LOG_LIMIT : Number(limitParam), MAX_LOG_LIMIT);
  const page = list(limit, from);
  return c.json({
    [field]: page.items.map((item) => ({ ...item, at: new Date(item.at).toISOString() })),
    cursor: { has_more: page.next !== undefined, next: page.next === undefined ? '' : encodeLogCursor(page.next) },
  });
}

function encodeLogCursor(key: LogKey): string {
  return Buffer.from(JSON.stringify(key.slice(1)), 'utf8').toString('base64url');
}

/** The key to resume from, or null when the cursor is not one this API issued. */
function decodeLogCursor(cursor: string, spaceId: string): LogKey | null {
  try {
    const rest: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(rest) || typeof rest[0] !== 'number' || !rest.every((part) => typeof part === 'number' || typeof part === 'string')) return null;
    return [spaceId, ...(rest as [number, ...Array<string | number>])];
  } catch {
    return null;
  }
}
