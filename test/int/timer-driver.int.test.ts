import { afterEach, describe, expect, it } from 'vitest';
import type { ActorEffect } from '../../src/actors/actor-message.ts';
import { createShardPool, type ShardPool } from '../../src/runtime/shard-pool.ts';
import { createTimerDriver } from '../../src/runtime/timer-driver.ts';
import { createManualClock, createSystemClock } from '../../src/shared/clock.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { trackedEvent } from '../support/events.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const space = asSpaceId('default');
const pid = asProfileId('use_driver');

async function createProfileWithTimer(pool: ShardPool, now: number, dueAt: number): Promise<number> {
  const shard = pool.shardOf(pid);
  await pool.deliver(shard, {
    now,
    messages: [{ type: 'profile.track', profileId: pid, spaceId: space, event: trackedEvent({ messageId: 'm1', timestamp: now }), newIdentifiers: [] }],
  });
  const result = await pool.deliver(shard, { now, messages: [{ type: 'profile.schedule', profileId: pid, spaceId: space, key: 'wake', dueAt }] });
  return result.nextTimerAt ?? Number.NaN;
}

describe('timer driver over real shard workers', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('on the manual clock, fires a timer only once the clock is moved past it', async () => {
    const dir = makeTempDir('driver-manual');
    const pool = createShardPool({ dataDir: dir.path, shards: 2, cacheSize: 100 });
    cleanups.push(dir.remove, () => pool.close());
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const fired: ActorEffect[] = [];
    const driver = createTimerDriver(pool, clock, (effects) => fired.push(...effects), (e) => { throw e; });
    cleanups.push(() => driver.stop());
    const dueAt = clock.now() + 7 * 24 * 3600_000;
    driver.noteNextTimer(pool.shardOf(pid), await createProfileWithTimer(pool, clock.now(), dueAt));

    clock.set(dueAt - 1);
    expect(await driver.runDue()).toEqual([]);
    clock.set(dueAt);
    expect(await driver.runDue()).toEqual([{ type: 'timer.fired', profileId: pid, key: 'wake', dueAt, at: dueAt }]);
    expect(fired).toHaveLength(1);
  });

  it('on the system clock, arms itself and fires when the due time comes', async () => {
    const dir = makeTempDir('driver-system');
    const pool = createShardPool({ dataDir: dir.path, shards: 2, cacheSize: 100 });
    cleanups.push(dir.remove, () => pool.close());
    const clock = createSystemClock();
    let resolveFired: (effects: readonly ActorEffect[]) => void = () => undefined;
    const firedOnce = new Promise<readonly ActorEffect[]>((resolve) => (resolveFired = resolve));
    const driver = createTimerDriver(pool, clock, (effects) => effects.length > 0 && resolveFired(effects), (e) => { throw e; });
    cleanups.push(() => driver.stop());
    const dueAt = clock.now() + 150;
    driver.noteNextTimer(pool.shardOf(pid), await createProfileWithTimer(pool, clock.now(), dueAt));

    const effects = await firedOnce;
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ type: 'timer.fired', profileId: pid, key: 'wake', dueAt });
    expect((effects[0] as { at: number }).at).toBeGreaterThanOrEqual(dueAt);
  });
});
