import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import type { DefinitionInput } from '../../src/runtime/definition-registry.ts';
import { createEngine, type Engine } from '../../src/engine.ts';
import { serveEngine } from '../../src/serve.ts';
import { benchDefinitions } from '../definitions-fixture.ts';
import { startWebhookSink } from '../webhook-sink-process.ts';


export interface BenchEngine {
  readonly engine: Engine;
  readonly url: string;
  readonly sinkUrl: string;
  readonly dataDir: string;
  /** Shard workers the engine runs (config `shards`). */
  readonly shards: number;
  readonly definitions: ReadonlyArray<{ readonly key: string; readonly kind: 'audience' | 'computed_trait'; readonly query: string }>;
  /** Messages the sink got, and the lag from change to arrival. */
  sink(): Promise<{ received: number; lagP50Ms: number | null; lagP99Ms: number | null }>;
  close(): Promise<void>;
}

/**
 * The engine as `npm start` runs it (the real config loader, a clean data directory, the HTTP
 * server), with the bench's 50 audiences and 20 computed traits live (`definitions-fixture.ts`)
 * and a webhook receiver in its own process connected to ten of them (five audiences in identify
 * format, five computed traits in track format).
 */
export async function startBenchEngine(dataDir: string, clock: 'system' | 'manual'): Promise<BenchEngine> {
  // TROUPE_SHARDS passes through, as for `npm start` (unset: the default, "auto").
  const base = loadConfig({ env: { TROUPE_PORT: '0', TROUPE_DATA_DIR: dataDir, TROUPE_LOG_LEVEL: 'warn', TROUPE_SHARDS: process.env['TROUPE_SHARDS'] } });
  const config = { ...base, clock };
  const engine = await createEngine(config, pino({ level: 'warn' }));
  const server = await serveEngine(engine, config);
  const sink = await startWebhookSink();
  const sinkUrl = sink.url;
  const fixture = benchDefinitions('default');
  // Computed traits first: the audiences read some of them.
  const ordered = [...fixture.filter((d) => d.kind === 'computed_trait'), ...fixture.filter((d) => d.kind === 'audience')];
  const created = new Map<string, string>();
  for (const record of ordered) {
    const input: DefinitionInput = {
      kind: record.kind,
      name: record.key,
      key: record.key,
      query: record.query,
      target: 'USERS',
      enabled: true,
      options: { includeHistoricalData: true, includeAnonymousUsers: false },
    };
    created.set(record.key, (await engine.definitions.create('default', input)).record.id);
  }
  await engine.definitions.idle();
  const destination = await engine.destinations.create('default', { name: 'Bench sink', enabled: true, settings: { url: sinkUrl, headers: {}, sendAliasOnMerge: true, timeoutMs: 10_000 } });
  for (let i = 0; i < 5; i++) {
    for (const [key, format] of [[`audience_${i}`, 'identify'], [`trait_${i}`, 'track']] as const) {
      const record = engine.definitions.byId(created.get(key)!);
      if (record !== undefined) await engine.destinations.connect(record, destination.id, format);
    }
  }
  await engine.destinations.idle();
  return {
    engine,
    url: server.url,
    sinkUrl,
    dataDir,
    shards: config.shards,
    definitions: ordered.map(({ key, kind, query }) => ({ key, kind, query })),
    sink: () => sink.counts(),
    async close() {
      sink.stop();
      await server.close();
      await engine.close();
    },
  };
}
