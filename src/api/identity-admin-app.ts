import { Hono } from 'hono';
import type { DeleteProfile } from '../runtime/profile-deletion.ts';
import type { InsightsLog } from '../runtime/insights-log.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { Suppressions } from '../runtime/suppressions.ts';
import type { Clock } from '../shared/clock.ts';
import { isJsonObject } from '../shared/json.ts';
import type { InsightKey } from '../store/engine-store.ts';
import { adminSpace } from './admin-access.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';
import { parseLookupId } from './profiles/lookup-id.ts';

export interface IdentityAdminDeps {
  readonly spaces: SpaceRegistry;
  readonly insights: InsightsLog;
  readonly suppressions: Suppressions;
  readonly deleteProfile: DeleteProfile;
  readonly clock: Clock;
}

const DEFAULT_INSIGHTS_LIMIT = 50;
const MAX_INSIGHTS_LIMIT = 500;

/**
 * Identity administration (admin token): profile deletion, identity insights and suppressions.
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

    app.get(`${prefix}/:space/insights`, (c) => {
      const space = adminSpace(c, deps.spaces);
      if (space instanceof Response) return space;
      const limitParam = c.req.query('limit');
      const limit = limitParam === undefined ? DEFAULT_INSIGHTS_LIMIT : Number(limitParam);
      if (!/^\d+$/.test(limitParam ?? '1') || limit < 1) {
        return errorResponse(c, 'invalid_request_error', '`limit` must be a positive integer.');
      }
      const nextParam = c.req.query('next');
      const from = nextParam === undefined ? undefined : decodeInsightCursor(nextParam, space.id);
      if (from === null) return errorResponse(c, 'invalid_request_error', '`next` is not a cursor this API issued.');
      const page = deps.insights.list(space.id, Math.min(limit, MAX_INSIGHTS_LIMIT), from);
      return c.json({
        insights: page.insights.map((insight) => ({ ...insight, at: new Date(insight.at).toISOString() })),
        cursor: { has_more: page.next !== undefined, next: page.next === undefined ? '' : encodeInsightCursor(page.next) },
      });
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

function encodeInsightCursor(key: InsightKey): string {
  return Buffer.from(`${key[1]}:${key[2]}`, 'utf8').toString('base64url');
}

/** The key to resume from, or null when the cursor is not one this API issued. */
function decodeInsightCursor(cursor: string, spaceId: string): InsightKey | null {
  const match = /^(\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? null : [spaceId, Number(match[1]), Number(match[2])];
}
