import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DefinitionEvaluator, EvaluatorState } from '../src/compute/definition-evaluator.ts';
import type { TrackedEvent } from '../src/ingest/tracked-event.ts';
import { compileShardDefinitions } from '../src/runtime/shard/shard-definitions.ts';
import { asSpaceId } from '../src/shared/ids.ts';
import { openEngineStore } from '../src/store/engine-store.ts';
import { BENCH_EVENT_NAMES, benchDefinitions } from './definitions-fixture.ts';
import { processCpuUs } from './load/cpu-cost.ts';
import { stepFloor } from './step-floor.ts';

/**
 * The cost floor under issue 10's target (engine CPU per event ≤ 12 × `JSON.parse` of the event,
 * with 50 audiences and 20 computed traits live). Each row is the least work the engine cannot
 * skip, done by the bare dependency with nothing of Troupe's around it, as CPU per event (every
 * thread, from the OS) and as a multiple of `JSON.parse` of the same events, all in one run:
 * - receiving the events over HTTP: a bare `node:http` server reads each body, parses it and
 *   answers 200 (the load client is `http-load-client.ts`, in its own process);
 * - storing them durably: each event and its dedup mark put in LMDB through the engine's own
 *   databases, in transactions of 1,000 events, 8 in flight (the shards' group commit);
 * - evaluating the definitions each event wakes: the fixture's 70 compiled evaluators called
 *   directly in a hot loop (observe, prune, evaluate) on a profile with a short history.
 * Run: `npm run bench:floor`.
 */
const execFileAsync = promisify(execFile);
const space = asSpaceId('default');

interface Floor {
  readonly jsonParseUs: number;
  readonly httpUs: number;
  readonly lmdbUs: number;
  readonly evaluationUs: number;
}

/** A bare HTTP endpoint for the load client: it keeps the first bodies (the yardstick's sample). */
async function httpFloor(sample: string[]): Promise<{ us: number; events: number }> {
  let events = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      events += (JSON.parse(text) as { batch: unknown[] }).batch.length;
      if (sample.length < 2_000) sample.push(text);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"success":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = new URL('./http-load-client.ts', import.meta.url).pathname;
  const load = (ms: number) => execFileAsync(process.execPath, ['--import', 'tsx', client, `http://127.0.0.1:${port}`, '100', '16', String(ms)]);
  try {
    await load(1_500); // warm-up
    events = 0;
    const before = processCpuUs();
    await load(5_000);
    return { us: (processCpuUs() - before) / events, events };
  } finally {
    server.close();
  }
}

/** The fastest of nine passes of `JSON.parse` over the sampled bodies, per event. */
function jsonParseUs(bodies: readonly string[]): number {
  let events = 0;
  for (const body of bodies) events += (JSON.parse(body) as { batch: unknown[] }).batch.length;
  let fastest = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 9; pass++) {
    const before = processCpuUs();
    for (const body of bodies) JSON.parse(body);
    fastest = Math.min(fastest, processCpuUs() - before);
  }
  return fastest / events;
}

/** The sampled events as the shards store them (numeric times, a source), numbered uniquely. */
function storedEvents(bodies: readonly string[]): TrackedEvent[] {
  const events: TrackedEvent[] = [];
  for (const body of bodies) {
    for (const item of (JSON.parse(body) as { batch: Array<Record<string, unknown>> }).batch) {
      const at = Date.parse(item.timestamp as string);
      events.push({ ...item, timestamp: at, receivedAt: at, sourceId: 'src_floor' } as unknown as TrackedEvent);
    }
  }
  return events;
}

/** Each event and its dedup mark, in the engine's databases, 1,000 per transaction, 8 in flight. */
async function lmdbFloor(dir: string, events: readonly TrackedEvent[]): Promise<number> {
  const store = openEngineStore(join(dir, 'floor'));
  let next = 0;
  const round = () =>
    Promise.all(
      Array.from({ length: 8 }, () =>
        store.root.transaction(() => {
          for (let i = 0; i < 1_000; i++, next++) {
            const event = events[next % events.length]!;
            const messageId = `${next}-${event.messageId}`;
            store.events.put([event.userId ?? '', event.timestamp, messageId], { ...event, messageId });
            store.dedup.put([space, messageId], event.receivedAt);
          }
        }),
      ),
    );
  try {
    for (let warm = 0; warm < 10; warm++) await round();
    const before = processCpuUs();
    const counted = next;
    for (let r = 0; r < 50; r++) await round();
    return (processCpuUs() - before) / (next - counted);
  } finally {
    await store.close();
  }
}

/**
 * The evaluators alone, per track event: for each bench event name, the definitions it wakes
 * observe it, prune and evaluate (with the next change), on a profile holding five earlier
 * events of that name. No profile, no step, no allocation of Troupe's own around them.
 */
function evaluationFloor(): number {
  const set = compileShardDefinitions(benchDefinitions(space), 1).forSpace(space).users;
  const traits = (key: string) => (key === 'plan' ? 'pro' : undefined);
  const start = Date.UTC(2026, 0, 1);
  const event = (i: number, name: string, at = start + i * 600_000): TrackedEvent =>
    ({ type: 'track', event: name, messageId: `m${i}`, timestamp: at, receivedAt: at, sourceId: 's', properties: { total: i % 300, currency: i % 3 === 0 ? 'EUR' : 'USD' } }) as unknown as TrackedEvent;
  const woken = BENCH_EVENT_NAMES.map((name) => {
    const evaluators = (set.byEvent.get(name) ?? []).map((definition) => definition.evaluator);
    const states = evaluators.map((evaluator) => {
      let state: EvaluatorState = evaluator.initialState();
      for (let i = 0; i < 5; i++) state = evaluator.observe(state, event(i, name), start + i * 600_000);
      return state;
    });
    return { name, evaluators, states };
  });
  // Each event is dated in the minute before the instant it is observed at, after the five held
  // ones, as events arrive after they happen. (They were dated up to a week after it: every one
  // took the future-dated path, a pending occurrence and a look-ahead, as the micro bench's once did.)
  const now = start + 10 * 600_000;
  const once = (i: number): void => {
    const { name, evaluators, states } = woken[i % woken.length]!;
    const occurred = event(5, name, now - 1 - (i % 60_000));
    evaluators.forEach((evaluator: DefinitionEvaluator, k) => {
      const state = evaluator.prune(evaluator.observe(states[k]!, occurred, now), now);
      evaluator.evaluateWithNextChange(state, traits, now);
    });
  };
  for (let i = 0; i < 50_000; i++) once(i);
  const runs = 200_000;
  const before = processCpuUs();
  for (let i = 0; i < runs; i++) once(i);
  return (processCpuUs() - before) / runs;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-floor-'));
  try {
    const sample: string[] = [];
    const http = await httpFloor(sample);
    const floor: Floor = { jsonParseUs: jsonParseUs(sample), httpUs: http.us, lmdbUs: await lmdbFloor(dir, storedEvents(sample)), evaluationUs: evaluationFloor() };
    const step = stepFloor(storedEvents(sample).slice(0, 1_000), compileShardDefinitions(benchDefinitions(space), 1).forSpace(space).users);
    const times = (us: number) => `${us.toFixed(2).padStart(6)} µs = ${(us / floor.jsonParseUs).toFixed(1).padStart(4)} × JSON.parse`;
    const total = floor.httpUs + floor.lmdbUs + floor.evaluationUs;
    console.log(`Troupe cost floor — ${cpus().length} cores, node ${process.version}; CPU per event, all threads`);
    console.log(`  JSON.parse of the event (the yardstick)         ${floor.jsonParseUs.toFixed(2)} µs`);
    console.log(`  HTTP: receive, parse, answer (bare node:http)   ${times(floor.httpUs)}`);
    console.log(`  LMDB: the event and its dedup mark, durable     ${times(floor.lmdbUs)}`);
    console.log(`  the 70 definitions' evaluators an event wakes   ${times(floor.evaluationUs)}`);
    console.log(`  floor (the three together)                      ${times(total)}   (issue 10's target: 12 ×)`);
    // Issue 6: the step with 70 definitions may cost 3 × the step with none, so they get 2 × it.
    const budget = 2 * step.noneStepUs;
    const ofBudget = (us: number) => `${us.toFixed(2).padStart(6)} µs = ${((100 * us) / budget).toFixed(0).padStart(3)} % of the budget`;
    console.log(`Issue 6's step target, on the micro bench's workload (10,000 profiles, ${step.wokenPerEvent.toFixed(1)} definitions woken per event)`);
    console.log(`  actor step, no definitions                      ${step.noneStepUs.toFixed(2).padStart(6)} µs  (budget for the definitions: 2 × = ${budget.toFixed(2)} µs)`);
    console.log(`  their bookkeeping in a pure step                ${ofBudget(step.pureBookkeepingUs)}`);
    console.log(`  the same, in the engine's chunked layout        ${ofBudget(step.chunkedBookkeepingUs)}`);
    console.log(`  the same bookkeeping in place (not pure)        ${ofBudget(step.inPlaceBookkeepingUs)}`);
    console.log(`  their evaluators (the row above)                ${ofBudget(floor.evaluationUs)}`);
    console.log(`  pure bookkeeping and evaluators                 ${ofBudget(Math.min(step.pureBookkeepingUs, step.chunkedBookkeepingUs) + floor.evaluationUs)}`);
    mkdirSync(new URL('./results', import.meta.url), { recursive: true });
    const file = new URL(`./results/floor-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url);
    writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...floor, floorInJsonParses: total / floor.jsonParseUs, step }, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
