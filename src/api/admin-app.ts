import { Hono } from 'hono';
import { parseIsoTimestamp } from '../ingest/timestamps.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { Clock, ManualClock } from '../shared/clock.ts';
import { isJsonObject } from '../shared/json.ts';
import type { AppEnv } from './app-env.ts';
import { bearerToken } from './credentials.ts';
import { errorResponse } from './error-response.ts';
import { readJsonBody } from './read-json-body.ts';

export interface AdminAppDeps {
  readonly spaces: SpaceRegistry;
  readonly clock: Clock;
  /** Persists the manual clock's time, then fires every timer due by it; resolves when committed. */
  readonly advanceTo: (now: number) => Promise<void>;
}

function isManual(clock: Clock): clock is ManualClock {
  return clock.kind === 'manual';
}

/** `POST /v1/admin/clock`: moves the manual clock; answers once every timer due by then has run. */
export function createAdminApp(deps: AdminAppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/v1/admin/clock', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined || deps.spaces.byAdminToken(token) === undefined) {
      return errorResponse(c, 'unauthorized', 'An admin token of any space is required (Authorization: Bearer …).');
    }
    const { clock } = deps;
    if (!isManual(clock)) return errorResponse(c, 'clock_not_manual', 'The engine runs on the system clock; set "clock": "manual" in config to move it.');
    const body = await readJsonBody(c);
    if (!body.ok) return errorResponse(c, 'invalid_json', 'The body must be JSON: {"advanceMs": n} or {"now": "<ISO-8601>"}.');
    const target = targetTime(body.value, clock.now());
    if (typeof target === 'string') return errorResponse(c, target === 'backwards' ? 'clock_backwards' : 'invalid_body', messages[target]);
    await deps.advanceTo(target);
    return c.json({ now: new Date(clock.now()).toISOString() });
  });
  return app;
}

/** The last instant a JavaScript Date can represent: the clock may not pass it. */
const MAX_TIME = 8.64e15;

const messages = {
  shape: 'Send exactly one of {"advanceMs": n} (n ≥ 0) or {"now": "<ISO-8601>"}.',
  advance: '`advanceMs` must be a finite number ≥ 0 that keeps the clock before the year 275760.',
  now: '`now` must be an ISO-8601 date-time string.',
  backwards: 'The manual clock cannot move backwards.',
} as const;

function targetTime(body: unknown, current: number): number | keyof typeof messages {
  if (!isJsonObject(body)) return 'shape';
  const hasAdvance = Object.hasOwn(body, 'advanceMs');
  const hasNow = Object.hasOwn(body, 'now');
  if (hasAdvance === hasNow) return 'shape';
  if (hasAdvance) {
    const advance = body['advanceMs'];
    if (typeof advance !== 'number' || !Number.isFinite(advance)) return 'advance';
    if (advance < 0) return 'backwards';
    const target = current + Math.floor(advance);
    return target > MAX_TIME ? 'advance' : target;
  }
  const now = body['now'];
  const parsed = typeof now === 'string' ? parseIsoTimestamp(now) : undefined;
  if (parsed === undefined) return 'now';
  return parsed < current ? 'backwards' : parsed;
}
