import type { Context } from 'hono';
import { ensureError, type ErrorData } from '../shared/errors.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';
import { readBodyText } from './read-body.ts';

/**
 * Admin and management bodies are small JSON documents (`{"userId": …}`, `{"advanceMs": n}`, a
 * definition). 64 KB is far above any of them and keeps a client from making the engine buffer
 * an unbounded body: Hono's `c.req.json()` reads whatever arrives.
 */
export const MAX_ADMIN_BODY_BYTES = 65_536;

/**
 * Reads and parses a JSON body through the same bounded reader as the Tracking API. Over the
 * limit it throws `request_too_large` (400); a client that hangs up, `request_aborted`. Malformed
 * JSON is returned as an `invalid_json` error for the route to word.
 */
export async function readJsonBody(c: Context<AppEnv>, maxBytes: number = MAX_ADMIN_BODY_BYTES): Promise<Result<unknown, ErrorData>> {
  const text = await readBodyText(c.req.raw, maxBytes, c.env?.incoming);
  if (text.trim() === '') return err({ code: 'invalid_json', message: 'The body is empty; send a JSON object.' });
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return err({ code: 'invalid_json', message: `The body is not valid JSON: ${ensureError(error).message}` });
  }
}

/**
 * Reads a JSON body and checks it with `check` (a body schema's parser): the checked value, or
 * the 400 that names the problem, ready to return.
 */
export async function readCheckedBody<T>(c: Context<AppEnv>, maxBytes: number, check: (body: unknown) => Result<T, ErrorData>): Promise<T | Response> {
  const body = await readJsonBody(c, maxBytes);
  if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
  const checked = check(body.value);
  return checked.ok ? checked.value : errorResponse(c, checked.error.code, checked.error.message);
}
