import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Json } from '../../src/shared/json.ts';
import { startBenchEngine, type BenchEngine } from './bench-engine.ts';
import { EngineCpuMeter, jsonParseCpuUsPerEvent } from './cpu-cost.ts';
import { parseBenchOptions, type BenchOptions } from './bench-options.ts';
import { diffAnswers, readTroupeAnswers, type Mismatch } from './correctness-diff.ts';
import type { LoggedEvent } from './event-log.ts';
import { measureFreshness, type FreshnessSample } from './freshness.ts';
import { profilesOfLog } from './profile-identity.ts';
import { progressBar } from './progress.ts';
import { writeReport, type BenchReport } from './report.ts';
import { generateWorkload } from './workload.ts';
import { requestBody, writeWorkload } from './write-workload.ts';

const execFileAsync = promisify(execFile);
const LOAD_CLIENT = new URL('./load-client.ts', import.meta.url).pathname;
const LOOKUP_CLIENT = new URL('./lookup-client.ts', import.meta.url).pathname;
const BATCH_SIZE = 100;
/** Load generator processes and keep-alive connections each (the HTTP row's 32 in all). */
const CLIENTS = 2;
const CONCURRENCY = 16;
/** The manual clock's step per batch: the workload then spans weeks, so windows open and close. */
const MANUAL_STEP_MS = 60_000;

interface LoadResult {
  readonly events: number;
  readonly seconds: number;
  readonly non200: number;
  readonly throttled: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number[];
  readonly p99BySecond: number[];
  readonly cpuSeconds: number;
}

/**
 * `npm run bench`: the whole engine under the seeded workload (see `workload.ts`), its figures
 * and, on the manual clock, the correctness diff against the DuckDB peer. `--quick` is the
 * ~20-second smoke run CI takes.
 */
async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'troupe-load-'));
  const started = Date.now();
  try {
    const bodiesPath = join(dir, 'bodies.txt');
    const logPath = join(dir, 'events.jsonl');
    const start = Date.now();
    const stepMs = options.clock === 'manual' ? MANUAL_STEP_MS : 0;
    const workloadOptions = { seed: options.seed, profiles: options.profiles, events: options.events, batchSize: BATCH_SIZE, start, stepMs };
    const written = await writeWorkload(workloadOptions, bodiesPath, logPath);
    const bench = await startBenchEngine(join(dir, 'data'), options.clock);
    try {
      const report = options.clock === 'manual' ? await manualRun(bench, options, workloadOptions, logPath) : await systemRun(bench, options, bodiesPath, logPath, written.events);
      const file = writeReport({ ...report, shards: bench.shards, minutes: (Date.now() - started) / 60_000 });
      console.log(`\nwritten: ${file}`);
      if (report.mismatches !== null && report.mismatches > 0) process.exitCode = 1;
    } finally {
      await bench.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The speed run: load generators in their own processes, probes and lookups alongside, a backfill mid-run. */
async function systemRun(bench: BenchEngine, options: BenchOptions, bodiesPath: string, logPath: string, events: number): Promise<Omit<BenchReport, 'minutes' | 'shards'>> {
  const { engine, url } = bench;
  const durationMs = options.durationSeconds * 1000;
  const jsonParseUs = await jsonParseCpuUsPerEvent(bodiesPath);
  const bar = progressBar('ingesting', events);
  const loads = Array.from({ length: CLIENTS }, (_, index) =>
    execFileAsync(process.execPath, ['--import', 'tsx', LOAD_CLIENT, url, bodiesPath, String(index), String(CLIENTS), String(CONCURRENCY), String(durationMs)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).then(({ stdout }) => JSON.parse(stdout) as LoadResult),
  );
  const ingestStarted = performance.now();
  // Stored events (probes included): what the engine has committed so far.
  const accepted = (): number => (engine.store.events.getStats() as { entryCount?: number }).entryCount ?? 0;
  // The CPU figure is ingestion's alone: it is counted while only the generators and the
  // freshness probes run (the first 40% of the events, and whatever follows the lookups and the
  // backfill), never while Profile API lookups or the backfill add work of their own.
  const cpu = new EngineCpuMeter(accepted);
  cpu.resume();
  let running = true;
  const all = Promise.all(loads).finally(() => (running = false));
  const freshness: FreshnessSample[] = [];
  const probes = measureFreshness(url, () => running, freshness).catch((error: unknown) => {
    throw new Error(`freshness probes failed: ${String(error)}`, { cause: error });
  });
  probes.catch(() => undefined);
  let backfill: { eventsPerSec: number; events: number } | null = null;
  const progress = setInterval(() => bar.update(accepted(), `${Math.round(accepted() / ((performance.now() - ingestStarted) / 1000)).toLocaleString('en-US')} events/s`), 500);
  const waitFor = async (share: number): Promise<void> => {
    while (running && accepted() < events * share) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  try {
    // Then Profile API lookups alongside, and one backfill halfway.
    await waitFor(0.4);
    cpu.pause();
    let lookupsDone = false;
    const lookupRun = execFileAsync(process.execPath, ['--import', 'tsx', LOOKUP_CLIENT, url, String(options.profiles), '5000', '8', String(Math.min(durationMs, options.quick ? 8_000 : 60_000))], { encoding: 'utf8' })
      .then(({ stdout }) => JSON.parse(stdout) as { lookups: number; seconds: number; found: number; p50Ms: number; p99Ms: number })
      .finally(() => (lookupsDone = true));
    // Observed below; until then a failure must not surface as an unhandled rejection.
    lookupRun.catch(() => undefined);
    await waitFor(0.5);
    if (running) {
      const stored = accepted();
      const began = performance.now();
      await engine.definitions.create('default', {
        kind: 'audience',
        name: 'Bench backfill',
        query: "event('Product Viewed').within(30 days).count() >= 3",
        target: 'USERS',
        enabled: true,
        options: { includeHistoricalData: true, includeAnonymousUsers: false },
      });
      await engine.definitions.idle();
      backfill = { eventsPerSec: stored / ((performance.now() - began) / 1000), events: stored };
    }
    while (running && !lookupsDone) await new Promise((resolve) => setTimeout(resolve, 100));
    if (running) cpu.resume();
    const results = await all;
    cpu.pause();
    await probes;
    const lookups = await lookupRun;
    clearInterval(progress);
    bar.end();
    const seconds = Math.max(...results.map((r) => r.seconds));
    const sent = results.reduce((sum, r) => sum + r.events, 0);
    const perSecond = sumSeries(results.map((r) => r.perSecond));
    const p99BySecond = maxSeries(results.map((r) => r.p99BySecond));
    await engine.sync.idle();
    const sink = await bench.sink();
    const fresh = freshness.map((s) => s.ms).sort((a, b) => a - b);
    // Memory and disk before the peer loads the log into this process (its memory is not the engine's).
    const stored = storeFigures(bench);
    const peer = options.peer ? await peerRecompute(logPath, bench, Date.now()) : null;
    return {
      options,
      eventsPerSec: sent / seconds,
      ingestP50Ms: median(results.map((r) => r.p50Ms)),
      ingestP99Ms: Math.max(...results.map((r) => r.p99Ms)),
      throttled: results.reduce((sum, r) => sum + r.throttled, 0),
      freshnessP50Ms: quantile(fresh, 0.5),
      freshnessP99Ms: quantile(fresh, 0.99),
      lookupsPerSec: lookups.lookups / lookups.seconds,
      lookupP50Ms: lookups.p50Ms,
      lookupP99Ms: lookups.p99Ms,
      syncMessagesPerSec: sink.received / seconds,
      syncLagP99Ms: sink.lagP99Ms,
      backfillEventsPerSec: backfill?.eventsPerSec ?? null,
      ...stored,
      ...costFigures(cpu.usPerEvent(), jsonParseUs),
      events: sent,
      loadGeneratorCpu: results.reduce((sum, r) => sum + r.cpuSeconds, 0) / seconds,
      series: { perSecond, p99BySecond, freshness: freshness.map((s) => [s.at / 1000, s.ms]) },
      peer: peer === null ? null : { loadMs: peer.loadMs, recomputeMs: peer.recomputeMs, events: peer.events },
      mismatches: null,
      mismatchExamples: [],
    };
  } finally {
    clearInterval(progress);
  }
}

/**
 * The diff run: the same workload sent batch by batch, the manual clock moved to each batch's
 * time first (so windows, timers and late events play out in event time), then every profile's
 * answers read through the Profile API and compared with the peer's at the same instant.
 */
async function manualRun(bench: BenchEngine, options: BenchOptions, workloadOptions: Parameters<typeof generateWorkload>[0], logPath: string): Promise<Omit<BenchReport, 'minutes' | 'shards'>> {
  const { engine, url } = bench;
  const auth = `Basic ${Buffer.from('dev-write-key:').toString('base64')}`;
  const bar = progressBar('replaying (manual)', options.events);
  let sent = 0;
  const began = performance.now();
  for (const batch of generateWorkload(workloadOptions)) {
    if (batch.at > engine.clock.now()) await engine.advanceClockTo(batch.at);
    const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: requestBody(batch) });
    if (response.status !== 200) throw new Error(`batch answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    sent += batch.events.length;
    if ((sent / BATCH_SIZE) % 20 === 0) bar.update(sent);
  }
  // One more hour: future-dated events come due, windows move, timers fire.
  const at = engine.clock.now() + 3_600_000;
  await engine.advanceClockTo(at);
  await engine.sync.idle();
  bar.end();
  const seconds = (performance.now() - began) / 1000;
  const { events, lookups } = profilesOfLog(readLog(logPath));
  const keys = new Set(bench.definitions.map((d) => d.key));
  const readBar = progressBar('reading answers', lookups.length);
  const troupe = await readTroupeAnswers(url, lookups, keys, (done) => readBar.update(done));
  readBar.end();
  let peer: { answers: ReadonlyMap<string, Readonly<Record<string, Json>>>; loadMs: number; recomputeMs: number } | null = null;
  let mismatches: Mismatch[] | null = null;
  if (options.peer) {
    const { computePeerAnswers } = await import('../peer/duckdb-peer.ts');
    peer = await computePeerAnswers({ events, definitions: bench.definitions, at });
    mismatches = diffAnswers(troupe, peer.answers, bench.definitions);
  }
  const members = [...troupe.values()].filter((answers) => Object.values(answers).some((value) => value === true)).length;
  console.log(`  ${troupe.size.toLocaleString('en-US')} profiles read, ${members.toLocaleString('en-US')} members of some audience`);
  return {
    options,
    eventsPerSec: sent / seconds,
    ingestP50Ms: null,
    ingestP99Ms: null,
    throttled: 0,
    freshnessP50Ms: null,
    freshnessP99Ms: null,
    lookupsPerSec: null,
    lookupP50Ms: null,
    lookupP99Ms: null,
    syncMessagesPerSec: (await bench.sink()).received / seconds,
    syncLagP99Ms: null,
    backfillEventsPerSec: null,
    ...storeFigures(bench),
    ...costFigures(null, null),
    events: sent,
    loadGeneratorCpu: null,
    series: null,
    peer: peer === null ? null : { loadMs: peer.loadMs, recomputeMs: peer.recomputeMs, events: events.length },
    mismatches: mismatches === null ? null : mismatches.length,
    mismatchExamples: mismatches?.slice(0, 20) ?? [],
  };
}

async function peerRecompute(logPath: string, bench: BenchEngine, at: number): Promise<{ loadMs: number; recomputeMs: number; events: number }> {
  const { events } = profilesOfLog(readLog(logPath));
  const { computePeerAnswers } = await import('../peer/duckdb-peer.ts');
  const peer = await computePeerAnswers({ events, definitions: bench.definitions, at });
  return { loadMs: peer.loadMs, recomputeMs: peer.recomputeMs, events: events.length };
}

function readLog(path: string): LoggedEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoggedEvent);
}

/** Memory and disk at the end of a run; the LMDB file's allocated size (it is sparse: its nominal size is the map size). */
function storeFigures(bench: BenchEngine): Pick<BenchReport, 'rssMb' | 'bytesPerEvent' | 'bytesPerProfile' | 'diskMb' | 'profiles' | 'storedEvents' | 'audiences' | 'traits'> {
  const { store } = bench.engine;
  const bytes = statSync(join(bench.dataDir, 'troupe.mdb')).blocks * 512;
  const stored = (store.events.getStats() as { entryCount?: number }).entryCount ?? 0;
  const profiles = (store.profiles.getStats() as { entryCount?: number }).entryCount ?? 0;
  return {
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    bytesPerEvent: stored === 0 ? 0 : bytes / stored,
    bytesPerProfile: profiles === 0 ? 0 : bytes / profiles,
    diskMb: bytes / 1024 / 1024,
    profiles,
    storedEvents: stored,
    audiences: bench.definitions.filter((d) => d.kind === 'audience').length,
    traits: bench.definitions.filter((d) => d.kind === 'computed_trait').length,
  };
}

/** The hot path's figure: engine CPU per event, and that as a multiple of `JSON.parse` of the same event. */
function costFigures(engineUs: number | null, jsonParseUs: number | null): Pick<BenchReport, 'engineCpuUsPerEvent' | 'jsonParseCpuUsPerEvent' | 'costInJsonParses'> {
  return {
    engineCpuUsPerEvent: engineUs,
    jsonParseCpuUsPerEvent: jsonParseUs,
    costInJsonParses: engineUs === null || jsonParseUs === null || jsonParseUs === 0 ? null : engineUs / jsonParseUs,
  };
}

function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5) ?? 0;
}

function sumSeries(series: readonly number[][]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => series.reduce((sum, s) => sum + (s[i] ?? 0), 0));
}

function maxSeries(series: readonly number[][]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => Math.max(0, ...series.map((s) => s[i] ?? 0)));
}

await main();
