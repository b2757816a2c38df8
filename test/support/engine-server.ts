import { pino, type Logger } from 'pino';
import { serveEngine } from '../../src/serve.ts';
import type { Config, SpaceConfig } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createEngine, type Engine } from '../../src/engine.ts';
import { makeTempDir } from './temp-dir.ts';

export interface TestServer {
  readonly url: string;
  readonly engine: Engine;
  readonly config: Config;
  readonly dataDir: string;
  /** Stops the server and the engine; keeps the data directory (for restart tests). */
  stop(): Promise<void>;
  /** Stops and removes the data directory. */
  destroy(): Promise<void>;
}

export interface TestServerOptions {
  readonly dataDir?: string;
  readonly clock?: 'system' | 'manual';
  readonly shards?: number;
  readonly spaces?: readonly SpaceConfig[];
  readonly maxQueuedEventsPerShard?: number;
  readonly requestTimeoutMs?: number;
  /** The engine's logger; silent by default (tests that assert on logs pass their own). */
  readonly log?: Logger;
  readonly dedupWindowHours?: number;
  readonly maxCustomIdentifierTypesPerSpace?: number;
}

/**
 * A real engine behind a real HTTP server on a free loopback port, in this process (its shard
 * workers are real threads). Config goes through the real loader, from the default file plus
 * overrides, so tests use the same keys a user would: dev-write-key, dev-access-token, dev-admin-token.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const temp = options.dataDir === undefined ? makeTempDir('e2e') : undefined;
  const dataDir = options.dataDir ?? temp!.path;
  const base = loadConfig({ env: { TROUPE_PORT: '0', TROUPE_DATA_DIR: dataDir, TROUPE_LOG_LEVEL: 'silent' } });
  const config: Config = {
    ...base,
    clock: options.clock ?? base.clock,
    // Two shards whatever the machine ("auto" gives one on a 1-core runner), so every test keeps
    // exercising routing across shards.
    shards: options.shards ?? 2,
    spaces: options.spaces ?? base.spaces,
    maxQueuedEventsPerShard: options.maxQueuedEventsPerShard ?? base.maxQueuedEventsPerShard,
    requestTimeoutMs: options.requestTimeoutMs ?? base.requestTimeoutMs,
    dedupWindowHours: options.dedupWindowHours ?? base.dedupWindowHours,
    maxCustomIdentifierTypesPerSpace: options.maxCustomIdentifierTypesPerSpace ?? base.maxCustomIdentifierTypesPerSpace,
  };
  const engine = await createEngine(config, options.log ?? pino({ level: 'silent' }));
  const server = await serveEngine(engine, config);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await engine.close();
  };
  return {
    url: server.url,
    engine,
    config,
    dataDir,
    stop,
    async destroy() {
      await stop();
      temp?.remove();
    },
  };
}

/** `Authorization` header values for the default config's development keys. */
export const DEV_AUTH = {
  write: `Basic ${Buffer.from('dev-write-key:').toString('base64')}`,
  access: `Basic ${Buffer.from('dev-access-token:').toString('base64')}`,
  admin: 'Bearer dev-admin-token',
} as const;
