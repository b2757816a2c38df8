import { afterEach, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../support/engine-process.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { create, DAY, send, traitsOf, untilLive } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';

// Issue 6: "timers survive a kill -9 mid-window". The engine runs as `npm start` does, on the
// manual clock; a member's exit is a durable timer, and after SIGKILL and a restart on the same
// data directory the member still leaves at exactly ts + 30 days. Definition states written
// behind at the crash are rebuilt from the events they lagged.

describe('definition timers across kill -9', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startOnFreshDirectory(prefix: string): Promise<{ engine: EngineProcess; env: Record<string, string> }> {
    const dir = makeTempDir(prefix);
    cleanups.push(dir.remove);
    const env = { TROUPE_DATA_DIR: dir.path, TROUPE_CLOCK: 'manual' };
    const engine = await startEngineProcess(env);
    return { engine, env };
  }

  it('a member whose window ends after a crash leaves at exactly ts + 30 days', async () => {
    const started = await startOnFreshDirectory('definitions-crash');
    let engine = started.engine;
    cleanups.push(() => engine.stop());
    const membership = async (): Promise<unknown> => (await traitsOf(engine.url, 'user_id:crash-buyer', 'class=audience'))['recent_buyers'];
    await create(engine.url, 'audiences', { name: 'Recent buyers', definition: { query: "event('Order Completed').within(30 days).count() >= 1" } });
    await untilLive(engine.url, 'audiences', 'recent_buyers');
    // The event is stamped with the engine's clock at arrival (no timestamp sent).
    await send(engine.url, 'track', { userId: 'crash-buyer', event: 'Order Completed' });
    expect(await membership()).toBe(true);
    const eventAt = await advanceClock(engine.url, 0);
    await advanceClock(engine.url, 10 * DAY);

    await engine.kill9();
    engine = await startEngineProcess(started.env);

    expect(await membership()).toBe(true);
    const now = await advanceClock(engine.url, 0);
    await advanceClock(engine.url, eventAt + 30 * DAY - 1 - now);
    expect(await membership()).toBe(true);
    await advanceClock(engine.url, 1);
    expect(await membership()).toBe(false);
  });

  it('states written behind at the crash are rebuilt: the events they lagged count once, no more, no less', async () => {
    const started = await startOnFreshDirectory('definitions-crash-lag');
    let engine = started.engine;
    cleanups.push(() => engine.stop());
    const lookup = 'user_id:lagging-buyer';
    const membership = async (): Promise<unknown> => (await traitsOf(engine.url, lookup, 'class=audience'))['recent_buyers'];
    const spend = async (): Promise<unknown> => (await traitsOf(engine.url, lookup, 'class=computed_trait'))['spend'];
    await create(engine.url, 'audiences', { name: 'Recent buyers', definition: { query: "event('Order Completed').within(30 days).count() >= 3" } });
    await create(engine.url, 'computed-traits', { name: 'Spend', definition: { query: "event('Order Completed').within(30 days).sum(property('total'))" } });
    await untilLive(engine.url, 'audiences', 'recent_buyers');
    await untilLive(engine.url, 'computed-traits', 'spend');
    const order = (total: number): Promise<void> => send(engine.url, 'track', { userId: 'lagging-buyer', event: 'Order Completed', properties: { total } });
    // The first order creates the states (written at once); the next two only move them, so
    // their effect on the states is written behind: the records list them, the states do not.
    for (const total of [10, 20, 30]) await order(total);
    expect(await membership()).toBe(true);
    expect(await spend()).toBe(60);

    await engine.kill9();
    engine = await startEngineProcess(started.env);

    expect(await membership()).toBe(true);
    expect(await spend()).toBe(60);
    // The rebuilt states hold all three orders: one more adds to 100, and 30 days on, all four
    // have left the window.
    await order(40);
    expect(await spend()).toBe(100);
    await advanceClock(engine.url, 30 * DAY);
    expect(await membership()).toBe(false);
    expect(await spend()).toBeUndefined();
  });
});
