import { afterEach, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../support/engine-process.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { create, send, untilLive } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';
import { auditOf, connect, createDestination, eventually } from './sync-http.ts';

// Issue 7: "pending and retrying deliveries resume after a restart or kill -9; nothing is lost,
// and a duplicate is possible only for a send that was in flight at the crash (same messageId and
// webhook-id, so a receiver can drop it)". The engine runs as `npm start` does, on the manual clock.

const USERS = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];

describe('deliveries across kill -9', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('messages in flight and messages waiting to retry are all delivered after a restart, under their ids', async () => {
    const dir = makeTempDir('sync-crash');
    cleanups.push(dir.remove);
    const env = { TROUPE_DATA_DIR: dir.path, TROUPE_CLOCK: 'manual' };
    let engine: EngineProcess = await startEngineProcess(env);
    cleanups.push(() => engine.stop());
    const receiver: WebhookReceiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    // Until the crash: /hanging never answers (its sends are in flight), /failing answers 500.
    let healthy = false;
    receiver.respondWith((request) => (healthy ? { status: 200 } : request.path === '/hanging' ? { hang: true } : { status: 500 }));

    await create(engine.url, 'audiences', { name: 'Crash buyers', definition: { query: "event('Order Completed').count() >= 1" } });
    const audience = await untilLive(engine.url, 'audiences', 'crash_buyers');
    const hanging = (await createDestination(engine.url, 'Hanging', { url: `${receiver.url}/hanging`, timeoutMs: 60_000 })).id;
    const failing = (await createDestination(engine.url, 'Failing', { url: `${receiver.url}/failing` })).id;
    await connect(engine.url, 'audiences', audience.id, hanging, 'identify');
    await connect(engine.url, 'audiences', audience.id, failing, 'track');
    for (const userId of USERS) await send(engine.url, 'track', { userId, event: 'Order Completed' });
    // Every message has been tried once: in flight at /hanging, waiting to retry after /failing's 500.
    await receiver.waitFor(10, 10_000);
    const idsOf = (path: string, requests: readonly ReceivedRequest[]): string[] =>
      requests.filter((r) => r.path === path).map((r) => (r.json as { messageId: string }).messageId).sort();
    const before = { hanging: idsOf('/hanging', receiver.requests), failing: idsOf('/failing', receiver.requests) };
    expect(before.hanging).toHaveLength(5);
    expect(before.failing).toHaveLength(5);
    // The engine has recorded each 500 (audit) and so its retry state: both are in one batch.
    await eventually(async () => expect((await auditOf(engine.url)).filter((e) => e['destinationId'] === failing)).toHaveLength(5));

    await engine.kill9();
    healthy = true;
    const seenBeforeRestart = receiver.requests.length;
    engine = await startEngineProcess(env);

    // In flight at the crash: sent again at start, same ids (the receiver could drop duplicates).
    await eventually(() => expect(idsOf('/hanging', receiver.requests.slice(seenBeforeRestart))).toEqual(before.hanging), 15_000);
    // Waiting to retry: due on the engine's clock, which the restart did not move.
    expect(idsOf('/failing', receiver.requests.slice(seenBeforeRestart))).toEqual([]);
    await advanceClock(engine.url, 10 * 60 * 1000);
    await eventually(() => expect(idsOf('/failing', receiver.requests.slice(seenBeforeRestart))).toEqual(before.failing), 15_000);
    const redelivered = receiver.requests.slice(seenBeforeRestart).filter((r) => r.path === '/hanging');
    for (const request of redelivered) expect(request.headers['webhook-id'] ?? (request.json as { messageId: string }).messageId).toBe((request.json as { messageId: string }).messageId);
  });
});
