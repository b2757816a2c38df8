import type { Context } from 'hono';
import type { SpaceRegistry, SpaceRuntime } from '../runtime/space-registry.ts';
import type { AppEnv } from './app-env.ts';
import { bearerToken } from './credentials.ts';
import { errorResponse } from './error-response.ts';

/**
 * Management routes take `Authorization: Bearer {adminToken}` of the space in the path. A missing
 * or unknown token is 401; a valid token of ANOTHER space is 404, so a token cannot probe which
 * spaces exist. Returns the space, or the response to send.
 */
export function adminSpace(c: Context<AppEnv>, spaces: SpaceRegistry): SpaceRuntime | Response {
  const token = bearerToken(c.req.header('authorization'));
  const owner = token === undefined ? undefined : spaces.byAdminToken(token);
  if (owner === undefined) return errorResponse(c, 'unauthorized', 'An admin token of this space is required (Authorization: Bearer …).');
  const requested = c.req.param('space');
  if (owner.id !== requested) return errorResponse(c, 'not_found', `Space ${JSON.stringify(requested)} was not found.`);
  return owner;
}
