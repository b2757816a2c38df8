import type { ActorEffect } from '../actors/actor-message.ts';
import type { Clock } from '../shared/clock.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { ShardPool } from './shard-pool.ts';

/** Node cannot arm a setTimeout beyond 2^31-1 ms (24.8 days); we re-arm at most hourly anyway. */
const MAX_ARM_MS = 3600_000;

export interface TimerDriver {
  /** A shard reported its earliest pending timer (after any delivery or tick). */
  noteNextTimer(shard: number, nextTimerAt: EpochMs | null): void;
  /** Fires every timer due by the clock's current time on every shard; resolves once committed. */
  runDue(): Promise<readonly ActorEffect[]>;
  stop(): void;
}

/**
 * Wakes shards when their earliest timer falls due. Timers themselves are durable in LMDB and
 * held by the shards; this only decides WHEN to tick. On the system clock it arms one setTimeout
 * for the earliest due time (capped, so never beyond Node's limit); on the manual clock nothing
 * is armed and `runDue` is called by `POST /v1/admin/clock` after the clock moves.
 */
export function createTimerDriver(pool: ShardPool, clock: Clock, onFired: (effects: readonly ActorEffect[]) => void, onError: (error: unknown) => void): TimerDriver {
  const nextDue: Array<EpochMs | null> = Array.from({ length: pool.count }, () => null);
  let armed: NodeJS.Timeout | undefined;
  let armedFor = Number.POSITIVE_INFINITY;
  let stopped = false;
  let running: Promise<readonly ActorEffect[]> | undefined;

  function earliest(): EpochMs | null {
    let min: EpochMs | null = null;
    for (const due of nextDue) if (due !== null && (min === null || due < min)) min = due;
    return min;
  }

  function arm(): void {
    if (stopped || clock.kind === 'manual') return;
    const due = earliest();
    if (due === null || due >= armedFor) return;
    if (armed !== undefined) clearTimeout(armed);
    armedFor = due;
    const wait = Math.min(Math.max(0, due - clock.now()), MAX_ARM_MS);
    armed = setTimeout(() => {
      armed = undefined;
      armedFor = Number.POSITIVE_INFINITY;
      runDue().catch(onError);
    }, wait);
    armed.unref();
  }

  async function tickAll(): Promise<readonly ActorEffect[]> {
    const now = clock.now();
    const results = await Promise.all(
      Array.from({ length: pool.count }, (_, shard) => pool.tick(shard, now).then((r) => ({ shard, r }))),
    );
    const effects: ActorEffect[] = [];
    for (const { shard, r } of results) {
      nextDue[shard] = r.nextTimerAt;
      effects.push(...r.effects);
    }
    onFired(effects);
    return effects;
  }

  async function runDue(): Promise<readonly ActorEffect[]> {
    // Ticks never overlap: a second caller waits for the running tick, then ticks again so that
    // timers due by ITS notion of now have run when it resolves.
    while (running !== undefined) await running.catch(() => undefined);
    running = tickAll();
    try {
      return await running;
    } finally {
      running = undefined;
      arm();
    }
  }

  return {
    noteNextTimer(shard, nextTimerAt) {
      nextDue[shard] = nextTimerAt;
      arm();
    },
    runDue,
    stop() {
      stopped = true;
      if (armed !== undefined) clearTimeout(armed);
    },
  };
}
