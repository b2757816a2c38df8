import type { Context } from 'hono';
import { AppError, ensureError } from '../shared/errors.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

/**
 * Maps an AppError to its status and body. Anything else is a bug or an IO failure: it becomes a
 * 500 and is logged once, under `err`, with the request id.
 */
export function onError(caught: unknown, c: Context<AppEnv>): Response {
  const error = ensureError(caught);
  if (error instanceof AppError) return errorResponse(c, error.code, error.message);
  c.get('log')?.error({ err: error }, 'request failed');
  return errorResponse(c, 'internal_error', 'An internal error occurred; it has been logged.');
}
