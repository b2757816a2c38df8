import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Config } from './config/config.ts';
import type { Engine } from './engine.ts';

/** How long a shutdown waits for requests in flight before closing their connections. */
const CLOSE_GRACE_MS = 5_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves an engine over HTTP. Node's default 300 s request timeout is replaced by
 * `config.requestTimeoutMs`, so a client that trickles a body cannot hold a socket for minutes.
 */
export async function serveEngine(engine: Engine, config: Config): Promise<RunningServer> {
  const serverOptions = {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(config.requestTimeoutMs, 60_000),
    keepAliveTimeout: 5_000,
    // Node checks the timeouts above only this often (30 s by default), so a short request
    // timeout would otherwise not be enforced for half a minute.
    connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
  };
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: engine.app.fetch, hostname: config.host, port: config.port, serverOptions }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    // Stops accepting, lets requests in flight finish (their events are being committed), then
    // cuts whatever is left after a grace period.
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
