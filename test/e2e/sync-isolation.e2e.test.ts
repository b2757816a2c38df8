import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { metricValue } from '../support/metric-value.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { create, send } from './definitions-http.ts';
import { connect, createDestination, eventually } from './sync-http.ts';

// Issue 7, isolation and backpressure: a destination refusing connections and one that accepts
// and never answers hold only their own lanes (bounded requests in flight, the rest waiting in
// LMDB); a healthy destination receives everything meanwhile, and ingestion is never refused.
// The system clock: real timeouts and real backoff. (Rates are the bench's business.)

const USERS = 200;

describe('a slow or unreachable destination does not hold up the others (system clock)', () => {
  let server: TestServer;
  let healthy: WebhookReceiver;
  let hanging: WebhookReceiver;
  let refusing: WebhookReceiver;
  let ids: { healthy: string; hanging: string; refusing: string };

  beforeAll(async () => {
    server = await startTestServer({ clock: 'system' });
    [healthy, hanging, refusing] = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startWebhookReceiver()]);
    hanging.respondWith(() => ({ hang: true }));
    await refusing.refuseConnections();
    const audience = await create(server.url, 'audiences', { name: 'Isolated', definition: { query: "event('Order Completed').count() >= 1" } });
    await server.engine.definitions.idle();
    ids = {
      healthy: (await createDestination(server.url, 'Healthy', { url: healthy.url })).id,
      hanging: (await createDestination(server.url, 'Hanging', { url: hanging.url, timeoutMs: 30_000 })).id,
      refusing: (await createDestination(server.url, 'Refusing', { url: refusing.url })).id,
    };
    for (const id of [ids.hanging, ids.refusing, ids.healthy]) await connect(server.url, 'audiences', audience.id, id, 'track');
  });

  afterAll(async () => {
    await server.destroy();
    await Promise.all([healthy.close(), hanging.close(), refusing.close()]);
  });

  it('the healthy destination gets every message while the others fail; ingestion answers 200 throughout', async () => {
    for (let batch = 0; batch < USERS / 50; batch++) {
      await send(server.url, 'batch', {
        batch: Array.from({ length: 50 }, (_, i) => ({ type: 'track', userId: `iso-${batch * 50 + i}`, event: 'Order Completed' })),
      });
    }
    await healthy.waitFor(USERS, 15_000);
    expect(new Set(healthy.requests.map((r) => (r.json as { userId: string }).userId)).size).toBe(USERS);
    // The hanging destination holds at most its lane's 8 requests, however many messages wait.
    expect(hanging.requests.length).toBeLessThanOrEqual(8);
    expect(refusing.requests).toHaveLength(0);

    await eventually(async () => {
      expect(await metricValue(server.url, 'troupe_sync_messages_delivered_total', { destination: ids.healthy })).toBe(USERS);
      expect(await metricValue(server.url, 'troupe_sync_backlog', { destination: ids.healthy })).toBe(0);
      // Nothing given up within seconds: retries of a destination that is down span minutes.
      expect(await metricValue(server.url, 'troupe_sync_backlog', { destination: ids.hanging })).toBe(USERS);
      expect(await metricValue(server.url, 'troupe_sync_backlog', { destination: ids.refusing })).toBe(USERS);
      expect(await metricValue(server.url, 'troupe_sync_failures_total', { destination: ids.refusing, hard: 'false' })).toBeGreaterThanOrEqual(8);
      expect(await metricValue(server.url, 'troupe_sync_failures_total', { destination: ids.refusing, hard: 'true' })).toBe(0);
    }, 10_000);
    expect(await metricValue(server.url, 'troupe_requests_overloaded_total')).toBe(0);
  });
});
