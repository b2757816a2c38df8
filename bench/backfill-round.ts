import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorMessage } from '../src/actors/actor-message.ts';
import { createShardRuntime, type ShardRuntime } from '../src/runtime/shard/shard-runtime.ts';
import { asProfileId } from '../src/shared/ids.ts';
import { openEngineStore } from '../src/store/engine-store.ts';
import { definitionRecord } from '../test/support/definition-record.ts';
import { BENCH_SPACE, BENCH_T0, knownTrack, validatedEvents } from './bench-events.ts';

/**
 * The micro bench's sparse backfill, in one shard runtime in this thread: `profiles` profiles
 * with ~`eventsPerProfile` stored events each (the HTTP stage's events: track and identify, one
 * event name), then one new audience after another, each replayed over every profile by the
 * runtime's backfill chunks. Returns the CPU (this process's, all threads) per profile of the
 * backfills after `warmUps` (the first creations recompile the path: see `engineBackfillStage`
 * in `micro.ts`). `bench/ab-step.ts --workload backfill` runs it for two trees at once.
 */
export async function backfillCpuPerProfile(options: { profiles?: number; eventsPerProfile?: number; warmUps?: number; measured?: number } = {}): Promise<number> {
  const { profiles = 10_000, eventsPerProfile = 3.5, warmUps = 2, measured = 4 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'troupe-backfill-round-'));
  const store = openEngineStore(join(dir, 'db'));
  try {
    const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 100_000 });
    const events = validatedEvents(1000);
    const total = Math.round(profiles * eventsPerProfile);
    for (let sent = 0, round = 0; sent < total; round++) {
      const messages: ActorMessage[] = events.map((event, i) => knownTrack(asProfileId(`use_${(round * 1000 + i) % profiles}`), { ...event, messageId: `${round}-${i}`, timestamp: BENCH_T0 + round * 1000 + i }));
      sent += messages.length;
      await runtime.deliver(messages, BENCH_T0 + 200_000);
    }
    let cpu = 0;
    for (let i = 0; i < warmUps + measured; i++) {
      const record = definitionRecord({
        id: `aud_backfill_${i}`,
        key: `backfill_${i}`,
        kind: 'audience',
        query: `event('Order Completed').where(property('total') > ${100 + i}).within(30 days).count() >= 1`,
        spaceId: BENCH_SPACE,
      });
      await store.definitions.put(record.id, record);
      runtime.useDefinitions(i + 1);
      const before = process.cpuUsage();
      await replayDefinition(runtime, record.id, `run-${i}`, 500);
      const used = process.cpuUsage(before);
      if (i >= warmUps) cpu += used.user + used.system;
    }
    return cpu / (measured * profiles);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replays one definition over every profile of the bench space on `runtime`, chunk after chunk (as a shard does a backfill's); returns the events replayed. */
export async function replayDefinition(runtime: ShardRuntime, definitionId: string, run: string, limit: number): Promise<number> {
  let replayed = 0;
  let next: string | undefined;
  do {
    const chunk = await runtime.backfill({ definitionId, spaceId: BENCH_SPACE, run, limit, now: BENCH_T0 + 300_000, replay: true });
    replayed += chunk.events;
    next = chunk.next;
  } while (next !== undefined);
  return replayed;
}
