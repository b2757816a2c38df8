import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ActorMessage } from '../src/actors/actor-message.ts';
import { stepProfile } from '../src/actors/step-profile.ts';
import type { ProfileState } from '../src/actors/profile-state.ts';
import { serveEngine } from '../src/serve.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { extractIdentifiers } from '../src/identity/extract-identifiers.ts';
import { resolveIdentity } from '../src/identity/resolve-identity.ts';
import { identitySettingsFrom } from '../src/identity/settings.ts';
import { parseTrackingRequest } from '../src/ingest/parse-request.ts';
import { createEngine, type Engine } from '../src/engine.ts';
import { newProfileId } from '../src/runtime/profile-id.ts';
import { createIdentityGraphStore } from '../src/runtime/identity-graph-store.ts';
import { createShardRuntime } from '../src/runtime/shard/shard-runtime.ts';
import { asProfileId, type ProfileId } from '../src/shared/ids.ts';
import { openEngineStore } from '../src/store/engine-store.ts';
import { formatRate, measureRate } from './measure.ts';
import { BENCH_EVENT_NAMES, benchDefinitions } from './definitions-fixture.ts';
import { syncStage } from './sync-stage.ts';
import { BENCH_SPACE, BENCH_T0, batchBody, knownTrack, namedEvents, validatedEvents } from './bench-events.ts';
import { actorStepRound, liveDefinitions } from './actor-step-round.ts';
import { replayDefinition } from './backfill-round.ts';
import { heavyProfileRates } from './heavy-profile.ts';

/**
 * Per-stage micro benchmarks of the hot path (issue 2). Each stage runs alone, on one thread
 * except the last, which drives the whole engine over HTTP. Run: `npm run bench:micro`.
 */
const execFileAsync = promisify(execFile);
const space = BENCH_SPACE;
const T0 = BENCH_T0;
const results: Record<string, number> = {};

async function validateStage(): Promise<void> {
  const body = batchBody(100, 0);
  results['validate+normalise'] = await measureRate(100, () => parseTrackingRequest({ route: 'batch', body, receivedAt: T0 }));
}

async function identityStage(dir: string): Promise<void> {
  const store = openEngineStore(join(dir, 'identity'));
  const graph = createIdentityGraphStore(store);
  const settings = identitySettingsFrom(undefined);
  const events = validatedEvents(1000);
  // Known visitors: the profiles exist and are committed; the common case at steady state.
  for (const event of events) {
    const { identifiers } = extractIdentifiers(event, settings);
    const r = resolveIdentity({ identifiers, at: T0, messageId: event.messageId, sourceId: 'src', eventType: event.type }, graph.view(space), settings, newProfileId);
    if (r.kind === 'resolved') {
      const writes = graph.stage(space, r);
      await store.root.transaction(() => {
        for (const { key, profileId } of writes.identifiers) if (profileId !== null) store.identity.put(key, profileId);
        for (const p of writes.profiles) store.graphProfiles.put(p.id, p);
      });
      graph.settle(writes);
    }
  }
  const view = graph.view(space);
  results['identity: extract+resolve (known)'] = await measureRate(events.length, () => {
    for (const event of events) {
      const { identifiers } = extractIdentifiers(event, settings);
      resolveIdentity({ identifiers, at: T0, messageId: event.messageId, sourceId: 'src', eventType: event.type }, view, settings, newProfileId);
    }
  });
  let n = 0;
  results['identity: extract+resolve+stage (new)'] = await measureRate(1000, () => {
    for (let i = 0; i < 1000; i++) {
      n++;
      const identifiers = [{ type: 'user_id', value: `new-${n}` }, { type: 'anonymous_id', value: `anon-new-${n}` }];
      const r = resolveIdentity({ identifiers, at: T0, messageId: `x${n}`, sourceId: 'src', eventType: 'track' }, view, settings, newProfileId);
      if (r.kind === 'resolved') {
        graph.settle(graph.stage(space, r));
      }
    }
  });
  await store.close();
}

/** The pure actor step (`actor-step-round.ts`), with no definitions and with the 70 of the fixture. */
async function actorStage(): Promise<void> {
  for (const [label, definitions] of [
    ['actor step', undefined],
    ['actor step, 70 definitions live', liveDefinitions()],
  ] as const) {
    const round = actorStepRound(definitions);
    // Steady state, untimed: every profile has a few events (new profiles are the identity rows' concern).
    for (let warm = 0; warm < 30; warm++) round();
    results[label] = await measureRate(1000, round);
  }
}

/** One heavy profile's step at 30 and at 100 days of history (`heavy-profile.ts`): equal when a step costs the same however long the windows. */
async function heavyStage(): Promise<void> {
  const [at30, at100] = heavyProfileRates([30, 100]);
  results['actor step, one heavy profile, 30 days of history'] = at30!;
  results['actor step, one heavy profile, 100 days of history'] = at100!;
}

/**
 * The shard runtime's step + commit: deliveries of 1,000 events over 10,000 profiles, 8 in flight
 * (group commit), unique keys; with no definitions, then with the 70 of the fixture live. The same
 * message stream is also stepped alone (the pure step over an in-memory map), so the commit's own
 * cost per event is told apart: commit = deliver − step, both measured in this run.
 */
async function commitStage(dir: string): Promise<void> {
  for (const [label, withDefinitions] of [
    ['LMDB commit (shard runtime, 1000/delivery)', false],
    ['LMDB commit, 70 definitions live', true],
  ] as const) {
    const store = openEngineStore(join(dir, withDefinitions ? 'commit-defs' : 'commit'));
    const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 100_000 });
    if (withDefinitions) {
      for (const record of benchDefinitions(space)) await store.definitions.put(record.id, record);
      runtime.useDefinitions(1);
    }
    const events = namedEvents(1000);
    const deliveryOf = (round: number): { now: number; messages: ActorMessage[] } => {
      const now = T0 + round * 60_000;
      const messages: ActorMessage[] = events.map((event, i) => {
        const named = event.type === 'track' ? { ...event, event: BENCH_EVENT_NAMES[(i + round) % BENCH_EVENT_NAMES.length]! } : event;
        // In the second before the delivery's instant (see the actor stage).
        return knownTrack(asProfileId(`use_${(round * 7 + i) % 10_000}`), { ...named, messageId: `${round}-${i}`, timestamp: now - events.length + i });
      });
      return { now, messages };
    };
    let round = 0;
    const deliverRound = async (): Promise<void> => {
      await Promise.all(
        Array.from({ length: 8 }, () => {
          const { now, messages } = deliveryOf(++round);
          return runtime.deliver(messages, now);
        }),
      );
    };
    const definitions = withDefinitions ? liveDefinitions() : undefined;
    const states = new Map<ProfileId, ProfileState | undefined>();
    let stepRound = 0;
    const stepRoundAlone = (): void => {
      for (let d = 0; d < 8; d++) {
        const { now, messages } = deliveryOf(++stepRound);
        for (const message of messages) states.set(message.profileId, stepProfile(states.get(message.profileId), message, now, definitions).state);
      }
    };
    // Steady state, untimed: all 10,000 profiles exist with a few events each.
    for (let warm = 0; warm < 4; warm++) {
      await deliverRound();
      stepRoundAlone();
    }
    const delivered = await measureRate(8000, deliverRound);
    results[label] = delivered;
    const stepped = await measureRate(8000, stepRoundAlone);
    results[label.replace('LMDB commit', 'commit alone')] = 1 / (1 / delivered - 1 / stepped);
    await store.close();
  }
}

/**
 * Backfill: 20,000 profiles with 10 stored events each, then one new definition replayed over
 * all of them by the shard runtime's backfill chunks (what each shard does in parallel).
 */
async function backfillStage(dir: string): Promise<void> {
  const store = openEngineStore(join(dir, 'backfill'));
  const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 100_000 });
  const events = namedEvents(1000);
  for (let round = 0; round < 200; round++) {
    const messages: ActorMessage[] = events.map((event, i) => knownTrack(asProfileId(`use_${(round * 1000 + i) % 20_000}`), { ...event, messageId: `${round}-${i}`, timestamp: T0 + round * 1000 + i }));
    await runtime.deliver(messages, T0 + 200_000);
  }
  const [record] = benchDefinitions(space).filter((d) => d.key === 'audience_1');
  await store.definitions.put(record!.id, record!);
  runtime.useDefinitions(1);
  const started = performance.now();
  const replayed = await replayDefinition(runtime, record!.id, 'bench', 200);
  results['backfill over stored events (one shard)'] = replayed / ((performance.now() - started) / 1000);
  await store.close();
}

/**
 * The whole engine over HTTP (its default shard workers, identity resolution, durable commits), driven by a
 * load generator in a separate process so that client work does not run on the engine's thread.
 * The machine has 2 cores: the client, the main thread and the shards share them.
 */
async function httpStage(dir: string): Promise<void> {
  const config = { ...loadConfig({ env: { TROUPE_PORT: '0', TROUPE_DATA_DIR: join(dir, 'http'), TROUPE_LOG_LEVEL: 'silent' } }) };
  const engine = await createEngine(config, pino({ level: 'silent' }));
  const server = await serveEngine(engine, config);
  const client = new URL('./http-load-client.ts', import.meta.url).pathname;
  const run = async (durationMs: number): Promise<{ events: number; seconds: number; non200: number }> => {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', client, server.url, '100', '32', String(durationMs)], { encoding: 'utf8' });
    return JSON.parse(stdout) as { events: number; seconds: number; non200: number };
  };
  try {
    await run(1000); // warm-up: creates the 20,000 profiles
    const measured = await run(6000);
    if (measured.non200 > 0) console.warn(`  (${measured.non200} requests were not 200: backpressure)`);
    results['HTTP batch end to end (100/request, 32 concurrent, known profiles)'] = measured.events / measured.seconds;
    await lookupStage(engine);
    await engineBackfillStage(engine, 'sparse');
    // The history above is what 7 s of load left: 3–6 events per profile, where a replay's cost
    // per profile (its record, its states, its writes) outweighs its events. More load, untimed,
    // until each profile holds 10 or more (as the one-shard row's history), then again.
    for (let round = 0; storedEvents(engine) < 10 * PROFILES_KNOWN; round++) {
      if (round === 15) throw new Error(`bench: 60 s of load stored only ${storedEvents(engine)} events, too few for the dense backfill`);
      await run(4000);
    }
    await engineBackfillStage(engine, 'dense');
  } finally {
    await server.close();
    await engine.close();
  }
}

/**
 * Profile API trait lookups on the populated engine, through the app (no network): the handler's
 * own cost, LMDB read included. Reported as lookups/s and p99 latency.
 */
async function lookupStage(engine: Engine): Promise<void> {
  const auth = `Basic ${Buffer.from('dev-access-token:').toString('base64')}`;
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < 5000; i++) {
    const t = performance.now();
    const response = await engine.app.request(`/v1/spaces/default/collections/users/profiles/user_id:user-${(i * 7) % 20_000}/traits`, { headers: { authorization: auth } });
    if (response.status !== 200) throw new Error(`lookup answered ${response.status}`);
    await response.arrayBuffer();
    latencies.push(performance.now() - t);
  }
  results['Profile API traits lookup (in-process)'] = 5000 / ((performance.now() - started) / 1000);
  latencies.sort((a, b) => a - b);
  lookupP99Ms = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
}

let lookupP99Ms = Number.NaN;

/**
 * The whole engine's backfill (its shards in parallel, as a user's creation runs it) over the
 * history the HTTP stage stored: events stored / seconds from creation until Live. Creations
 * before it, untimed for the row, warm the path (the shard workers' JIT, the page cache), as every
 * other row's warm-up does. It takes two: the HTTP stage runs with no definition live, so the first
 * creation is the first time the compute path runs at all, and the second is the first time it
 * meets a profile holding another definition's state and another evaluator at the same call
 * sites. Both spend ~1.4 s of CPU (measured per thread) in V8's optimizing compiler recompiling
 * the step and the commit after deoptimizing them; the third spends none. What those first two
 * cost is printed beside the row (`backfillHistory`), not hidden.
 */
async function engineBackfillStage(engine: Engine, history: 'sparse' | 'dense'): Promise<void> {
  const stored = storedEvents(engine);
  const profiles = (engine.store.profiles.getStats() as { entryCount?: number }).entryCount ?? 1;
  const backfill = async (name: string, threshold: number): Promise<number> => {
    const started = performance.now();
    await engine.definitions.create('default', {
      kind: 'audience',
      name,
      query: `event('Order Completed').where(property('total') > ${threshold}).within(30 days).count() >= 1`,
      target: 'USERS',
      enabled: true,
      options: { includeHistoricalData: true, includeAnonymousUsers: false },
    });
    await engine.definitions.idle();
    return stored / ((performance.now() - started) / 1000);
  };
  const warmUps = [await backfill(`Bench backfill warm-up ${history}`, 200), await backfill(`Bench backfill second warm-up ${history}`, 150)];
  results[history === 'sparse' ? 'backfill through the engine (default shards)' : 'backfill through the engine, 10+ events per profile'] = await backfill(`Bench backfill ${history}`, 100);
  if (history === 'sparse') sparseEventsPerProfile = stored / profiles;
  backfillHistory.push(`${stored.toLocaleString('en-US')} events over ${profiles.toLocaleString('en-US')} profiles (its warm-up creations: ${warmUps.map((rate) => formatRate(rate, 'events')).join(', ')})`);
}

/** The users the HTTP load client sends for (`http-load-client.ts`). */
const PROFILES_KNOWN = 20_000;

function storedEvents(engine: Engine): number {
  return (engine.store.events.getStats() as { entryCount?: number }).entryCount ?? 0;
}

const backfillHistory: string[] = [];
/** Events per profile in the sparse history (it depends on how fast the HTTP stage ran). */
let sparseEventsPerProfile = Number.NaN;
let syncNote = '';

async function runSyncStage(dir: string): Promise<void> {
  const sync = await syncStage(dir);
  results['HTTP end to end, flipping audience, no destination'] = sync.withoutDestination;
  results['HTTP end to end, destination receiving every change'] = sync.withDestination;
  results['HTTP end to end, that destination refusing connections'] = sync.refusingDestination;
  results['sync delivery to a local receiver (messages/s)'] = sync.deliveryRate;
  syncNote = `${sync.messagesDuringRun.toLocaleString('en-US')} messages delivered during the 6 s run with the destination, ${sync.backlogAfterRun.toLocaleString('en-US')} still queued at its end (delivered ${sync.drainSeconds.toFixed(1)} s later); first sync of ${sync.deliveredMessages.toLocaleString('en-US')} members`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-'));
  try {
    // BENCH_ONLY=actor,commit runs just those stages (a quick look while working on one).
    const only = process.env.BENCH_ONLY?.split(',');
    const stages: Array<[string, () => Promise<void>]> = [
      ['validate', validateStage],
      ['identity', () => identityStage(dir)],
      ['actor', actorStage],
      ['heavy', heavyStage],
      ['commit', () => commitStage(dir)],
      ['backfill', () => backfillStage(dir)],
      ['http', () => httpStage(dir)],
      ['sync', () => runSyncStage(dir)],
    ];
    for (const [name, stage] of stages) if (only === undefined || only.includes(name)) await stage();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, ${(freemem() / 1024 ** 3).toFixed(0)} GiB free, node ${process.version}`;
  console.log(`Troupe micro benchmarks — ${machine}`);
  for (const [stage, rate] of Object.entries(results)) console.log(`  ${stage.padEnd(56)} ${formatRate(rate, stage.startsWith('Profile API') ? 'lookups' : stage.startsWith('sync') ? 'messages' : 'events')}`);
  console.log(`  Profile API traits lookup p99: ${lookupP99Ms.toFixed(3)} ms`);
  if (backfillHistory.length > 0) console.log(`  engine backfill replayed ${backfillHistory.join(', then ')}`);
  if (syncNote !== '') console.log(`  sync: ${syncNote}`);
  const ratio = (a: string, b: string): string => ((results[a] ?? Number.NaN) / (results[b] ?? Number.NaN)).toFixed(2);
  console.log(`  ratios in this run: actor step 70 defs / none ${ratio('actor step, 70 definitions live', 'actor step')} (target ≥ 0.33),`);
  console.log(`    one heavy profile, 100 days / 30 days of history ${ratio('actor step, one heavy profile, 100 days of history', 'actor step, one heavy profile, 30 days of history')} (per-event steps: ~1),`);
  console.log(`    LMDB commit 70 defs / none ${ratio('LMDB commit, 70 definitions live', 'LMDB commit (shard runtime, 1000/delivery)')} with the step, ${ratio('commit alone, 70 definitions live', 'commit alone (shard runtime, 1000/delivery)')} without (target ≥ 0.67),`);
  const http = 'HTTP batch end to end (100/request, 32 concurrent, known profiles)';
  console.log(`    backfill / HTTP end to end ${ratio('backfill through the engine (default shards)', http)} over ${sparseEventsPerProfile.toFixed(1)} events per profile, ${ratio('backfill through the engine, 10+ events per profile', http)} over 10+ (target ≥ 10; one shard alone, 10 per profile: ${ratio('backfill over stored events (one shard)', http)})`);
  console.log(`    HTTP with a destination / without ${ratio('HTTP end to end, destination receiving every change', 'HTTP end to end, flipping audience, no destination')}, refusing / without ${ratio('HTTP end to end, that destination refusing connections', 'HTTP end to end, flipping audience, no destination')} (target ≥ 0.8)`);
  if (process.env.BENCH_ONLY !== undefined) return;
  mkdirSync(new URL('./results', import.meta.url), { recursive: true });
  const file = new URL(`./results/micro-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine, perSecond: results, lookupP99Ms }, null, 2)}\n`);
}

await main();
