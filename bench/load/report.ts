import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { BenchOptions } from './bench-options.ts';
import type { Mismatch } from './correctness-diff.ts';

/** Everything one run of `npm run bench` measured (null where the mode does not measure it). */
export interface BenchReport {
  readonly options: BenchOptions;
  readonly minutes: number;
  readonly eventsPerSec: number;
  readonly ingestP50Ms: number | null;
  readonly ingestP99Ms: number | null;
  /** Requests the engine answered 429 (the generators sent them again). */
  readonly throttled: number;
  readonly freshnessP50Ms: number | null;
  readonly freshnessP99Ms: number | null;
  readonly lookupsPerSec: number | null;
  readonly lookupP50Ms: number | null;
  readonly lookupP99Ms: number | null;
  readonly syncMessagesPerSec: number;
  readonly syncLagP99Ms: number | null;
  readonly backfillEventsPerSec: number | null;
  /** The engine process's CPU (all threads, from the OS) per accepted event while loading, the backfill's interval left out. */
  readonly engineCpuUsPerEvent: number | null;
  /** CPU of `JSON.parse` per event of the same request bodies, measured in the same run. */
  readonly jsonParseCpuUsPerEvent: number | null;
  /** `engineCpuUsPerEvent / jsonParseCpuUsPerEvent`: the figure every hot-path change is held to. */
  readonly costInJsonParses: number | null;
  readonly rssMb: number;
  readonly bytesPerEvent: number;
  readonly bytesPerProfile: number;
  readonly diskMb: number;
  readonly profiles: number;
  /** The engine's shard workers. */
  readonly shards: number;
  readonly events: number;
  readonly storedEvents: number;
  readonly audiences: number;
  readonly traits: number;
  /** The load generators' CPU, in cores, over the run. */
  readonly loadGeneratorCpu: number | null;
  readonly series: { readonly perSecond: number[]; readonly p99BySecond: number[]; readonly freshness: Array<[number, number]> } | null;
  readonly peer: { readonly loadMs: number; readonly recomputeMs: number; readonly events: number } | null;
  readonly mismatches: number | null;
  readonly mismatchExamples: readonly Mismatch[];
}

const RESULTS = new URL('../results/', import.meta.url);

/** Prints the table, writes `bench/results/latest.json` (and the chart for a speed run); returns the JSON's path. */
export function writeReport(report: BenchReport): string {
  const fixed = (value: number | null, digits = 0): string => (value === null ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const freshnessInterval = report.freshnessP99Ms;
  const rows: Array<[string, string, string]> = [
    ['events/s (HTTP, sustained)', fixed(report.eventsPerSec), '≥ 50,000'],
    ['engine CPU per event (µs), in JSON.parses', `${fixed(report.engineCpuUsPerEvent, 1)}, ${fixed(report.costInJsonParses, 1)}× (parse ${fixed(report.jsonParseCpuUsPerEvent, 2)} µs)`, '≤ 12×'],
    ['ingest latency p50 / p99 (ms)', `${fixed(report.ingestP50Ms, 1)} / ${fixed(report.ingestP99Ms, 1)}`, ''],
    ['freshness p50 / p99 (ms)', `${fixed(report.freshnessP50Ms, 1)} / ${fixed(report.freshnessP99Ms, 1)}`, 'p99 < 100'],
    ['Profile API lookups/s, p50 / p99 (ms)', `${fixed(report.lookupsPerSec)}, ${fixed(report.lookupP50Ms, 2)} / ${fixed(report.lookupP99Ms, 2)}`, 'p99 < 2 at 5,000/s'],
    ['sync messages/s, lag p99 (ms)', `${fixed(report.syncMessagesPerSec)}, ${fixed(report.syncLagP99Ms)}`, ''],
    ['backfill events/s (while ingesting)', fixed(report.backfillEventsPerSec), '≥ 1,000,000'],
    ['resident memory (MB)', fixed(report.rssMb), '< 2,048 at 1 M profiles'],
    ['LMDB bytes per event / per profile', `${fixed(report.bytesPerEvent)} / ${fixed(report.bytesPerProfile)}`, '< 1,024 per event'],
    ['profiles / events / definitions', `${fixed(report.profiles)} / ${fixed(report.events)} / ${report.audiences + report.traits}`, ''],
    ['load generator CPU (cores)', fixed(report.loadGeneratorCpu, 2), ''],
    ['peer (DuckDB): load / one recompute (ms)', report.peer === null ? '—' : `${fixed(report.peer.loadMs)} / ${fixed(report.peer.recomputeMs)}`, ''],
    [
      'peer: interval to match Troupe freshness',
      report.peer === null || freshnessInterval === null ? '—' : `${fixed(freshnessInterval)} ms → ${fixed(report.peer.recomputeMs / freshnessInterval, 1)} cores recomputing`,
      '',
    ],
    ['correctness diff (mismatches)', report.mismatches === null ? '— (speed run)' : fixed(report.mismatches), '0'],
  ];
  console.log(`\nTroupe load bench — ${machine()} — commit ${commit()} — ${report.shards} shard${report.shards === 1 ? '' : 's'} — ${report.options.clock} clock, seed ${report.options.seed}, ${report.minutes.toFixed(1)} min`);
  for (const [name, value, target] of rows) console.log(`  ${name.padEnd(42)} ${value.padEnd(28)} ${target}`);
  for (const m of report.mismatchExamples) console.log(`  mismatch: ${m.person} ${m.key}: troupe ${JSON.stringify(m.troupe)} peer ${JSON.stringify(m.peer)}`);
  mkdirSync(RESULTS, { recursive: true });
  const name = report.options.quick ? 'quick' : 'latest';
  const file = new URL(`${name}${report.options.clock === 'manual' ? '-diff' : ''}.json`, RESULTS);
  const { series, ...figures } = report;
  writeFileSync(file, `${JSON.stringify({ ...figures, machine: machine(), commit: commit(), at: new Date().toISOString() }, null, 2)}\n`);
  if (series !== null) writeFileSync(new URL(`${name}.svg`, RESULTS), chart(series));
  return file.pathname;
}

function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}`;
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Throughput, ingest p99 and freshness over the run, three stacked panels, plain SVG. */
function chart(series: NonNullable<BenchReport['series']>): string {
  const width = 720;
  const panel = 140;
  const panels: Array<{ title: string; points: Array<[number, number]> }> = [
    { title: 'events/s', points: series.perSecond.map((v, i) => [i, v]) },
    { title: 'ingest p99 (ms)', points: series.p99BySecond.map((v, i) => [i, v]) },
    { title: 'freshness (ms, per probe)', points: series.freshness },
  ];
  const seconds = Math.max(1, series.perSecond.length, ...series.freshness.map(([t]) => t));
  const parts = panels.map(({ title, points }, index) => {
    const top = 20 + index * (panel + 30);
    const max = Math.max(1, ...points.map(([, v]) => v));
    const path = points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${(50 + (t / seconds) * (width - 70)).toFixed(1)},${(top + panel - (v / max) * panel).toFixed(1)}`).join(' ');
    return [
      `<text x="50" y="${top - 5}" font-size="12">${title} (max ${Math.round(max).toLocaleString('en-US')})</text>`,
      `<rect x="50" y="${top}" width="${width - 70}" height="${panel}" fill="none" stroke="#ccc"/>`,
      `<path d="${path}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`,
    ].join('');
  });
  const height = 20 + panels.length * (panel + 30);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">${parts.join('')}<text x="50" y="${height - 5}" font-size="11">seconds into the run (0–${Math.round(seconds)})</text></svg>\n`;
}
