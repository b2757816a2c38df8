import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load-config.ts';
import type { DefinitionInput } from '../src/runtime/definition-registry.ts';
import { createEngine } from '../src/engine.ts';
import { serveEngine } from '../src/serve.ts';
import { startWebhookSink } from './webhook-sink-process.ts';

const execFileAsync = promisify(execFile);
const CLIENT = new URL('./http-load-client.ts', import.meta.url).pathname;

export interface SyncStageResult {
  readonly withoutDestination: number;
  readonly withDestination: number;
  readonly messagesDuringRun: number;
  /** Messages still queued when the run ended, and how long they took to go once ingestion stopped. */
  readonly backlogAfterRun: number;
  readonly drainSeconds: number;
  readonly refusingDestination: number;
  readonly deliveryRate: number;
  readonly deliveredMessages: number;
}

function definition(kind: DefinitionInput['kind'], name: string, query: string): DefinitionInput {
  return { kind, name, query, target: 'USERS', enabled: true, options: { includeHistoricalData: true, includeAnonymousUsers: false } };
}

/**
 * Issue 7's bench rows. The whole engine over HTTP (as the HTTP row: batches of 100, 32 clients in
 * a process of their own) with an audience whose membership flips on about a third of the events
 * (`trait('last_total') >= 250`: each bench user's totals cycle through t, t+200, t+100 mod 300),
 * measured three times in one run: no destination connected; a connected webhook receiving every
 * membership change (a receiver in its own process); that destination refusing connections. Then
 * the sync actor alone: a first connection of an audience holding every profile, from connect to
 * the receiver holding every message.
 */
export async function syncStage(dir: string): Promise<SyncStageResult> {
  const config = loadConfig({ env: { TROUPE_PORT: '0', TROUPE_DATA_DIR: join(dir, 'sync'), TROUPE_LOG_LEVEL: 'silent' } });
  const engine = await createEngine(config, pino({ level: 'silent' }));
  const server = await serveEngine(engine, config);
  const sink = await startWebhookSink();
  try {
    const sinkUrl = sink.url;
    const received = async (): Promise<number> => (await sink.counts()).received;
    const run = async (durationMs: number): Promise<number> => {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', CLIENT, server.url, '100', '32', String(durationMs)], { encoding: 'utf8' });
      const result = JSON.parse(stdout) as { events: number; seconds: number; non200: number };
      if (result.non200 > 0) console.warn(`  (${result.non200} requests were not 200: backpressure)`);
      return result.events / result.seconds;
    };

    await engine.definitions.create('default', definition('computed_trait', 'Last total', "event('Order Completed').last(property('total'))"));
    const flipping = await engine.definitions.create('default', definition('audience', 'Big last order', "trait('last_total') >= 250"));
    await engine.definitions.idle();
    await run(1000); // warm-up: creates the 20,000 profiles
    const withoutDestination = await run(6000);

    const destination = await engine.destinations.create('default', { name: 'Sink', enabled: true, settings: { url: sinkUrl, headers: {}, sendAliasOnMerge: false, timeoutMs: 10_000 } });
    await engine.destinations.connect(flipping.record, destination.id, 'identify');
    await engine.destinations.idle();
    await engine.sync.idle();
    const before = await received();
    const withDestination = await run(6000);
    const messagesDuringRun = (await received()) - before;
    // What the run queued beyond what it delivered (the sync actor shares the cores with ingestion).
    engine.store.root.resetReadTxn();
    const backlogAfterRun = engine.store.outbox.getKeysCount();
    const drainStart = performance.now();
    await engine.sync.idle();
    while (engine.store.outbox.getKeysCount() > 0 && performance.now() - drainStart < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      engine.store.root.resetReadTxn();
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;

    await engine.destinations.update('default', destination.id, { settings: { url: await refusedUrl() } });
    const refusingDestination = await run(6000);

    // The sync actor alone: every profile is a member, all sent at the first connection.
    const buyers = await engine.definitions.create('default', definition('audience', 'Every buyer', "event('Order Completed').count() >= 1"));
    await engine.definitions.idle();
    const members = (engine.definitions.find('default', 'audience', buyers.record.id)?.size ?? 0);
    const second = await engine.destinations.create('default', { name: 'Sink 2', enabled: true, settings: { url: sinkUrl, headers: {}, sendAliasOnMerge: false, timeoutMs: 10_000 } });
    const start = performance.now();
    const target = (await received()) + members;
    await engine.destinations.connect(buyers.record, second.id, 'track');
    while ((await received()) < target) await new Promise((resolve) => setTimeout(resolve, 20));
    const deliveryRate = members / ((performance.now() - start) / 1000);
    return { withoutDestination, withDestination, messagesDuringRun, backlogAfterRun, drainSeconds, refusingDestination, deliveryRate, deliveredMessages: members };
  } finally {
    sink.stop();
    await server.close();
    await engine.close();
  }
}

/** A loopback URL nothing listens on: a port just released. */
async function refusedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}/`;
}
