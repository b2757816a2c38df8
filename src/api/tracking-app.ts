import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { parseTrackingRequest } from '../ingest/parse-request.ts';
import { MAX_REQUEST_BYTES } from '../ingest/limits.ts';
import { trackingRouteFromPath } from '../ingest/tracking-route.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { IngestService } from '../runtime/ingest-service.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { AppEnv } from './app-env.ts';
import { basicUser } from './credentials.ts';
import { errorResponse } from './error-response.ts';
import { readBodyText } from './read-body.ts';

export interface TrackingAppDeps {
  readonly spaces: SpaceRegistry;
  readonly ingest: IngestService;
  readonly clock: Clock;
}

/** Seconds a client is asked to wait when the engine is overloaded. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Segment's Tracking API: `POST /v1/{track|identify|page|screen|group|alias|batch|import}` and the
 * browser client's short forms. The body is JSON whatever the content type (browsers send
 * text/plain). 200 means every accepted event is committed.
 */
export function createTrackingApp(deps: TrackingAppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Browsers post here directly (analytics-next sends text/plain to stay a "simple" request), so
  // the Tracking API answers any origin. The Profile API stays server-side only: no CORS there.
  app.use('/v1/:route', cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding'], maxAge: 86_400 }));
  app.post('/v1/:route', async (c) => {
    const route = trackingRouteFromPath(c.req.param('route'));
    if (route === undefined) return errorResponse(c, 'not_found', `There is no tracking endpoint /v1/${c.req.param('route')}.`);
    // A key in the Authorization header is checked before the body is read: a wrong key costs nothing.
    const headerKey = basicUser(c.req.header('authorization'));
    const fromHeader = headerKey === undefined ? undefined : deps.spaces.byWriteKey(headerKey);
    if (headerKey !== undefined && fromHeader === undefined) return errorResponse(c, 'unauthorized', 'The write key is not known.');
    const body = await readBodyText(c.req.raw, MAX_REQUEST_BYTES, c.env?.incoming);
    const receivedAt = deps.clock.now();
    const parsed = parseTrackingRequest({ route, body, receivedAt });
    if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);

    const bodyKey = parsed.value.writeKey;
    const found = fromHeader ?? (bodyKey === undefined ? undefined : deps.spaces.byWriteKey(bodyKey));
    if (found === undefined) {
      const reason = bodyKey === undefined ? 'No write key: send it as the Basic auth user name or as `writeKey` in the body.' : 'The write key is not known.';
      return errorResponse(c, 'unauthorized', reason);
    }

    try {
      const outcome = await deps.ingest.ingest({ space: found.space, source: found.source, items: parsed.value.items, receivedAt });
      if (outcome.accepted === 0 && outcome.duplicates === 0 && outcome.rejected.length > 0) {
        if (route !== 'batch') {
          const only = outcome.rejected[0]!;
          return errorResponse(c, only.code, only.message);
        }
        const reasons = outcome.rejected.map((r) => `item ${r.index}: ${r.code} (${r.message})`);
        return errorResponse(c, 'all_items_rejected', `All ${outcome.rejected.length} items were rejected: ${reasons.slice(0, 20).join('; ')}${reasons.length > 20 ? '; …' : ''}`);
      }
      return c.json(outcome.rejected.length > 0 ? { success: true, rejected: outcome.rejected } : { success: true });
    } catch (error) {
      if (error instanceof AppError && error.code === 'overloaded') {
        return errorResponse(c, 'overloaded', error.message, { 'Retry-After': RETRY_AFTER_SECONDS });
      }
      throw error;
    }
  });
  return app;
}
