import type { Context } from 'hono';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './app-env.ts';
import { readBodyText } from './read-body.ts';

/**
 * Reads a management request's JSON body, at most `maxBytes` (on the wire and decompressed), as
 * an unknown value for a validator to check. Any content type is read as JSON, as the Tracking
 * API does. Throws `request_too_large` or `invalid_json` (an AppError, mapped by `on-error.ts`).
 */
export async function readJsonBody(c: Context<AppEnv>, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(c.req.raw, maxBytes, c.env?.incoming);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('invalid_json', text.trim() === '' ? 'The body is empty; send a JSON object.' : 'The body is not valid JSON.');
  }
}
