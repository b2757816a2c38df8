import { benchDefinitions } from '../definitions-fixture.ts';
import { openPeer } from './duckdb-peer.ts';
import { syntheticLog } from './synthetic-log.ts';

/**
 * Times the peer on a synthetic log: `node --import tsx bench/peer/measure-peer.ts [events] [persons]`
 * (default 1,000,000 events over 20,000 persons and 90 days), the bench's 70 definitions, one
 * load and two recomputes (the first warms DuckDB's caches).
 */
const events = Number(process.argv[2] ?? 1_000_000);
const persons = Number(process.argv[3] ?? 20_000);
const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1);

let t = performance.now();
const log = syntheticLog({ seed: 8, persons, events, start, spanMs: 90 * DAY });
const generateMs = performance.now() - t;
const definitions = benchDefinitions('bench').map((d) => ({ key: d.key, kind: d.kind, query: d.query }));
t = performance.now();
const peer = await openPeer(log, definitions);
const openMs = performance.now() - t;
try {
  const at = start + 90 * DAY;
  const runs = [await peer.recompute(at), await peer.recompute(at)];
  const audiences = definitions.filter((d) => d.kind === 'audience').map((d) => d.key);
  let members = 0;
  for (const answers of runs[1]!.answers.values()) for (const key of audiences) if (answers[key] === true) members++;
  console.log(
    JSON.stringify({
      events,
      persons: peer.log.persons.length,
      occurrences: peer.log.occurrences,
      identifies: peer.log.identifies,
      definitions: definitions.length,
      generateMs: Math.round(generateMs),
      loadMs: Math.round(peer.loadMs),
      openMs: Math.round(openMs),
      recomputeMs: runs.map((r) => Math.round(r.recomputeMs)),
      readMs: runs.map((r) => Math.round(r.readMs)),
      memberships: members,
    }),
  );
} finally {
  peer.close();
}
