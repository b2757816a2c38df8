import { afterEach, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../support/engine-process.ts';
import { DEV_AUTH } from '../support/engine-server.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// Issue 6: "timers survive a kill -9 mid-window". The engine runs as `npm start` does, on the
// manual clock; a member's exit is a durable timer, and after SIGKILL and a restart on the same
// data directory the member still leaves at exactly ts + 30 days.

const DAY = 86_400_000;

async function call(url: string, method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function membership(url: string, userId: string): Promise<unknown> {
  const result = await call(url, 'GET', `/v1/spaces/default/collections/users/profiles/user_id:${userId}/traits?class=audience`, DEV_AUTH.access);
  return (result.body as { traits?: Record<string, unknown> }).traits?.['recent_buyers'];
}

async function advance(url: string, advanceMs: number): Promise<string> {
  const result = await call(url, 'POST', '/v1/admin/clock', DEV_AUTH.admin, { advanceMs });
  expect(result.status).toBe(200);
  return (result.body as { now: string }).now;
}

async function waitUntilLive(url: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const result = await call(url, 'GET', '/v1/spaces/default/audiences/recent_buyers', DEV_AUTH.admin);
    if ((result.body as { audience: { status: string } }).audience.status === 'Live') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the audience never went Live');
}

describe('definition timers across kill -9', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a member whose window ends after a crash leaves at exactly ts + 30 days', async () => {
    const dir = makeTempDir('definitions-crash');
    cleanups.push(dir.remove);
    const env = { TROUPE_DATA_DIR: dir.path, TROUPE_CLOCK: 'manual' };
    let engine: EngineProcess = await startEngineProcess(env);
    cleanups.push(() => engine.stop());
    const created = await call(engine.url, 'POST', '/v1/spaces/default/audiences', DEV_AUTH.admin, {
      name: 'Recent buyers',
      definition: { query: "event('Order Completed').within(30 days).count() >= 1" },
    });
    expect(created.status).toBe(201);
    await waitUntilLive(engine.url);
    // The event is stamped with the engine's clock at arrival (no timestamp sent).
    const sent = await call(engine.url, 'POST', '/v1/track', DEV_AUTH.write, { userId: 'crash-buyer', event: 'Order Completed' });
    expect(sent.status).toBe(200);
    expect(await membership(engine.url, 'crash-buyer')).toBe(true);
    const eventAt = Date.parse(await advance(engine.url, 0));
    await advance(engine.url, 10 * DAY);

    await engine.kill9();
    engine = await startEngineProcess(env);

    expect(await membership(engine.url, 'crash-buyer')).toBe(true);
    const now = Date.parse(await advance(engine.url, 0));
    await advance(engine.url, eventAt + 30 * DAY - 1 - now);
    expect(await membership(engine.url, 'crash-buyer')).toBe(true);
    await advance(engine.url, 1);
    expect(await membership(engine.url, 'crash-buyer')).toBe(false);
  });

  it('states written behind at the crash are rebuilt: the events they lagged count once, no more, no less', async () => {
    const dir = makeTempDir('definitions-crash-lag');
    cleanups.push(dir.remove);
    const env = { TROUPE_DATA_DIR: dir.path, TROUPE_CLOCK: 'manual' };
    let engine: EngineProcess = await startEngineProcess(env);
    cleanups.push(() => engine.stop());
    for (const [path, name, query] of [
      ['audiences', 'Recent buyers', "event('Order Completed').within(30 days).count() >= 3"],
      ['computed-traits', 'Spend', "event('Order Completed').within(30 days).sum(property('total'))"],
    ] as const) {
      const created = await call(engine.url, 'POST', `/v1/spaces/default/${path}`, DEV_AUTH.admin, { name, definition: { query } });
      expect(created.status).toBe(201);
    }
    await waitUntilLive(engine.url);
    const order = (total: number) => call(engine.url, 'POST', '/v1/track', DEV_AUTH.write, { userId: 'lagging-buyer', event: 'Order Completed', properties: { total } });
    // The first order creates the states (written at once); the next two only move them, so
    // their effect on the states is written behind: the records list them, the states do not.
    for (const total of [10, 20, 30]) expect((await order(total)).status).toBe(200);
    const spend = async (): Promise<unknown> => {
      const result = await call(engine.url, 'GET', '/v1/spaces/default/collections/users/profiles/user_id:lagging-buyer/traits?class=computed_trait', DEV_AUTH.access);
      return (result.body as { traits?: Record<string, unknown> }).traits?.['spend'];
    };
    expect(await membership(engine.url, 'lagging-buyer')).toBe(true);
    expect(await spend()).toBe(60);

    await engine.kill9();
    engine = await startEngineProcess(env);

    expect(await membership(engine.url, 'lagging-buyer')).toBe(true);
    expect(await spend()).toBe(60);
    // The rebuilt states hold all three orders: one more adds to 100, and the exit comes
    // 30 days after the first of the three newest.
    expect((await order(40)).status).toBe(200);
    expect(await spend()).toBe(100);
    await advance(engine.url, 30 * DAY);
    expect(await membership(engine.url, 'lagging-buyer')).toBe(false);
    expect(await spend()).toBeUndefined();
  });
});
