import type { Context } from 'hono';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

/**
 * A `?limit=` query value: `fallback` when absent, undefined (a 400 for the caller) unless a whole
 * number from 1 to `max`.
 */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number | undefined {
  if (raw === undefined) return fallback;
  if (!/^\d{1,7}$/.test(raw)) return undefined;
  const limit = Number(raw);
  return limit >= 1 && limit <= max ? limit : undefined;
}

/** The route's `?limit=`, or the 400 that says what is allowed, ready to return. */
export function queryPageLimit(c: Context<AppEnv>, fallback: number, max: number): number | Response {
  const limit = pageLimit(c.req.query('limit'), fallback, max);
  return limit ?? errorResponse(c, 'invalid_request_error', `\`limit\` must be a whole number from 1 to ${max}.`);
}
