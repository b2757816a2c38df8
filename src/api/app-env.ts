import type { Logger } from 'pino';

/** Per-request values every route can read: the request id and a child logger carrying it. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
  };
}
