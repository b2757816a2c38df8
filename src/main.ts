import { pino } from 'pino';
import { serveEngine } from './serve.ts';
import { ConfigLoadError, isLoopbackHost, loadConfig, usesDevelopmentKeys } from './config/load-config.ts';
import { createEngine } from './engine.ts';
import { DataDirLockedError } from './store/data-dir-lock.ts';
import { ensureError } from './shared/errors.ts';

// The composition root: the only place that reads the environment (through loadConfig), owns the
// process's lifetime and decides what a fatal error does.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigLoadError) {
      process.stderr.write(`troupe: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { service: 'troupe' } });
  if (usesDevelopmentKeys(config) && !isLoopbackHost(config.host)) {
    log.warn(
      { host: config.host },
      'DEVELOPMENT KEYS ARE IN USE ON A NON-LOOPBACK ADDRESS: anyone who can reach this port can write and read data. Set your own keys in TROUPE_CONFIG.',
    );
  }
  const engine = await createEngine(config, log);
  const server = await serveEngine(engine, config);
  log.info({ url: server.url, shards: config.shards, dataDir: config.dataDir, clock: config.clock }, 'troupe is listening');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await server.close().catch((e: unknown) => log.warn({ err: ensureError(e) }, 'closing the HTTP server'));
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A rejection nobody handled is a bug, but every acknowledged event is already durable and the
  // others will be retried: log it loudly and keep serving rather than drop every connection.
  process.on('unhandledRejection', (reason) => log.error({ err: ensureError(reason) }, 'unhandled rejection'));
}

main().catch((error: unknown) => {
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`troupe: cannot start: ${error.message}\n`);
    process.exit(3);
  }
  process.stderr.write(`troupe: failed to start: ${ensureError(error).stack ?? String(error)}\n`);
  process.exit(1);
});
