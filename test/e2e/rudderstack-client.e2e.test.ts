import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import Analytics from '@rudderstack/rudder-sdk-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { fetchAllEvents, fetchTraits, type ProfileEvent } from '../support/profile-lookup.ts';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from '../support/recording-proxy.ts';

// The unmodified RudderStack Node client (`@rudderstack/rudder-sdk-node`, gzip on) pointed at a
// real engine. A recording proxy sits in between: it forwards every byte unchanged and lets the
// test see that bodies really travel gzip-encoded and what timestamps the client put in them.

interface SentMessage {
  readonly type: string;
  readonly messageId: string;
  readonly originalTimestamp: string;
  readonly sentAt: string;
}

interface RudderClient {
  readonly client: Analytics;
  readonly errors: unknown[];
}

function newClient(dataPlaneUrl: string): RudderClient {
  const errors: unknown[] = [];
  // The client sends its first message at once, then waits for flushAt or flushInterval: a large
  // flushAt and a long interval leave the rest for the test's explicit flush().
  const client = new Analytics('dev-write-key', {
    dataPlaneUrl,
    gzip: true,
    flushAt: 100,
    flushInterval: 60_000,
    retryCount: 0,
    logLevel: 'error',
    errorHandler: (error: unknown) => errors.push(error),
  });
  return { client, errors };
}

/** The batch body the client sent, decoded the way the engine must decode it. */
function sentMessages(request: RecordedRequest): SentMessage[] {
  expect(request.headers['content-encoding']).toBe('gzip');
  const body = JSON.parse(gunzipSync(request.body).toString('utf8')) as { batch: SentMessage[] };
  return body.batch;
}

function summary(event: ProfileEvent): { event: string; type: string; message_id: string; properties: Record<string, unknown> } {
  return { event: event.event, type: event.type, message_id: event.message_id, properties: event.properties };
}

/** Distinct originalTimestamps: the client stamps each call with `new Date()`, millisecond resolution. */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('@rudderstack/rudder-sdk-node against a real engine', () => {
  const run = randomUUID().slice(0, 8);
  const id = (name: string): string => `rs-${run}-${name}`;
  let proxy: RecordingProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  describe('on the system clock', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await server.destroy();
    });

    it('delivers gzip-encoded identify, track and page calls; traits and events come back exactly', async () => {
      proxy = await startRecordingProxy(server.url);
      const { client, errors } = newClient(proxy.url);
      const erin = id('erin');
      const email = `erin-${run}@example.com`;

      const sentFrom = Date.now();
      client.identify({ userId: erin, traits: { email, name: 'Erin Example', plan: 'startup', seats: 5, beta: true } });
      await tick();
      client.track({ userId: erin, event: 'Report Exported', properties: { format: 'csv', rows: 1200, filters: { region: 'eu' } } });
      await tick();
      client.page({ userId: erin, name: 'Settings', category: 'Account', properties: { path: '/settings', referrer: 'https://example.com/' } });
      await tick();
      client.track({ userId: erin, event: 'Plan Upgraded', properties: { from: 'startup', to: 'growth' } });
      await client.flush();
      const sentUntil = Date.now();

      expect(errors).toEqual([]);
      // The first call goes out alone (the client flushes its first message at once), the rest in
      // one batch; every request gzip-encoded and answered 200 by the engine.
      expect(proxy.requests.map((r) => [r.path, r.headers['content-encoding'], r.targetStatus])).toEqual([
        ['/v1/batch', 'gzip', 200],
        ['/v1/batch', 'gzip', 200],
      ]);
      const sent = proxy.requests.flatMap(sentMessages);
      expect(sent.map((m) => m.type)).toEqual(['identify', 'track', 'page', 'track']);
      const [, exported, page, upgraded] = sent;

      const traits = await fetchTraits(server.url, `user_id:${erin}`);
      expect(traits.status).toBe(200);
      expect(traits.body.traits).toEqual({ email, name: 'Erin Example', plan: 'startup', seats: 5, beta: true });

      const events = await fetchAllEvents(server.url, `user_id:${erin}`);
      expect(events.map(summary)).toEqual([
        { event: 'Plan Upgraded', type: 'track', message_id: upgraded!.messageId, properties: { from: 'startup', to: 'growth' } },
        // A server-side page call's name and category are added to its properties (never overriding).
        { event: 'Page Viewed', type: 'page', message_id: page!.messageId, properties: { path: '/settings', referrer: 'https://example.com/', name: 'Settings', category: 'Account' } },
        { event: 'Report Exported', type: 'track', message_id: exported!.messageId, properties: { format: 'csv', rows: 1200, filters: { region: 'eu' } } },
      ]);

      // RudderStack sends `originalTimestamp` (no `timestamp`) and `sentAt`: the stored time is
      // originalTimestamp shifted by the transit time, so it lies within the send window and no
      // earlier than what the client stamped.
      for (const [stored, message] of [
        [events[0]!, upgraded!],
        [events[1]!, page!],
        [events[2]!, exported!],
      ] as const) {
        const storedAt = Date.parse(stored.timestamp);
        const original = Date.parse(message.originalTimestamp);
        expect(storedAt).toBeGreaterThanOrEqual(original);
        expect(storedAt).toBeGreaterThanOrEqual(sentFrom);
        expect(storedAt).toBeLessThanOrEqual(sentUntil);
      }

      const byEmail = await fetchTraits(server.url, `email:${email}`);
      expect(byEmail.body.traits).toEqual(traits.body.traits);
    });
  });

  describe("when the client's clock is an hour behind the engine's", () => {
    let server: TestServer;
    let engineNow: number;
    beforeAll(async () => {
      // A manual engine clock moved one hour past the wall clock this client reads: the client is
      // a device whose clock is an hour slow. receivedAt is then known to the millisecond.
      server = await startTestServer({ clock: 'manual' });
      const response = await fetch(`${server.url}/v1/admin/clock`, {
        method: 'POST',
        headers: { authorization: DEV_AUTH.admin, 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: 60 * 60 * 1000 }),
      });
      expect(response.status).toBe(200);
      engineNow = Date.parse(((await response.json()) as { now: string }).now);
    });
    afterAll(async () => {
      await server.destroy();
    });

    it('stores receivedAt − (sentAt − originalTimestamp), to the millisecond', async () => {
      proxy = await startRecordingProxy(server.url);
      const { client, errors } = newClient(proxy.url);
      const frank = id('frank');

      client.identify({ userId: frank, traits: { name: 'Frank' } });
      client.track({ userId: frank, event: 'Song Played', properties: { title: 'Clocks' } });
      // Some time between the call and the send, so sentAt − originalTimestamp is not zero.
      await new Promise((resolve) => setTimeout(resolve, 250));
      client.page({ userId: frank, name: 'Library' });
      await client.flush();

      expect(errors).toEqual([]);
      expect(proxy.requests.map((r) => r.targetStatus)).toEqual([200, 200]);
      const sent = proxy.requests.flatMap(sentMessages);
      const [, played, page] = sent;
      const expected = (m: SentMessage): string => new Date(engineNow - (Date.parse(m.sentAt) - Date.parse(m.originalTimestamp))).toISOString();
      // The wait made the track's in-client delay at least 250 ms; the page's is near zero.
      expect(Date.parse(played!.sentAt) - Date.parse(played!.originalTimestamp)).toBeGreaterThanOrEqual(250);

      const events = await fetchAllEvents(server.url, `user_id:${frank}`);
      expect(events.map((e) => [e.event, e.message_id, e.timestamp])).toEqual([
        ['Page Viewed', page!.messageId, expected(page!)],
        ['Song Played', played!.messageId, expected(played!)],
      ]);
      // Uncorrected, the events would sit an hour in the engine's past.
      expect(Date.parse(events[1]!.timestamp) - Date.parse(played!.originalTimestamp)).toBeGreaterThan(59 * 60 * 1000);
      expect((await fetchTraits(server.url, `user_id:${frank}`)).body.traits).toEqual({ name: 'Frank' });
    });
  });
});
