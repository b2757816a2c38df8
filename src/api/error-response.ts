import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_CATALOGUE, type ErrorCode } from '../shared/errors.ts';

/** The one error body shape everywhere: `{"error":{"code":"…","message":"…"}}`. */
export function errorResponse(c: Context, code: ErrorCode, message: string, headers?: Record<string, string>): Response {
  const status = ERROR_CATALOGUE[code].status as ContentfulStatusCode;
  return c.json({ error: { code, message } }, status, headers);
}
