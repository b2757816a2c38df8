import type { Context } from 'hono';
import { AppError, ensureError } from '../shared/errors.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

export interface OnErrorHooks {
  /** Called once per request whose client hung up before its body arrived (for /metrics). */
  readonly onClientAbort?: () => void;
}

/**
 * Maps an AppError to its status and body. Anything else is a bug or an IO failure: it becomes a
 * 500 and is logged once, under `err`, with the request id. A client that disconnects mid-request
 * is neither: it is logged at debug and counted, since at error level one slow-client test wrote
 * hundreds of stack traces, and nobody is there to read the answer.
 */
export function createOnError(hooks: OnErrorHooks = {}): (caught: unknown, c: Context<AppEnv>) => Response {
  return (caught, c) => {
    const error = ensureError(caught);
    if (error instanceof AppError) {
      if (error.code === 'request_aborted') {
        hooks.onClientAbort?.();
        c.get('log')?.debug({ method: c.req.method, path: c.req.path }, 'client closed the connection mid-request');
      }
      return errorResponse(c, error.code, error.message);
    }
    c.get('log')?.error({ err: error }, 'request failed');
    return errorResponse(c, 'internal_error', 'An internal error occurred; it has been logged.');
  };
}

/** The handler without hooks, for sub-apps that read no bodies (the Profile API). */
export const onError = createOnError();
