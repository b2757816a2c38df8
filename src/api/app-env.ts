import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

/** Per-request values every route can read: the request id and a child logger carrying it. */
export interface AppEnv {
  /** Set by @hono/node-server when served over HTTP; absent under `app.request()` in tests. */
  Bindings: { incoming?: IncomingMessage };
  Variables: {
    requestId: string;
    log: Logger;
  };
}
