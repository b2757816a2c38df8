import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './app-env.ts';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is safe, else a new one), echoes
 * it as `Request-Id` (as Segment's Profile API does) and hangs a child logger carrying it. The id
 * goes under a fixed key; untrusted input never becomes logger bindings.
 */
export function requestContext(root: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    const log = root.child({ reqId: requestId });
    c.set('log', log);
    c.header('Request-Id', requestId);
    const started = performance.now();
    await next();
    // An access log line at debug: free when the level is info (pino checks the level first).
    if (log.isLevelEnabled('debug')) {
      log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
    }
  };
}
