import { createHash, randomUUID } from 'node:crypto';
import { Analytics, type AnalyticsSettings } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { metricValue } from '../support/metric-value.ts';
import { fetchAllEvents, fetchTraits, type ProfileEvent } from '../support/profile-lookup.ts';
import { startRecordingProxy } from '../support/recording-proxy.ts';

// The unmodified Segment Node client (`@segment/analytics-node`) pointed at a real engine behind a
// real HTTP server: what it sends must come back through the Profile API exactly, and the client
// must see every delivery succeed (contract: "Unmodified clients work").

/** Contract "Details fixed": a bare-string write key's source id. */
const SOURCE_ID = `src_${createHash('sha256').update('dev-write-key').digest('hex').slice(0, 12)}`;

interface RecordingClient {
  readonly analytics: Analytics;
  /** Everything the client emitted as `error` (a failed delivery, a bad call). */
  readonly errors: unknown[];
  /** The status of every HTTP response the client received. */
  readonly statuses: number[];
}

function newClient(host: string, settings: Partial<AnalyticsSettings> = {}): RecordingClient {
  // flushAt above what a test sends and a long flushInterval: nothing leaves before closeAndFlush,
  // so each test knows which request carried which events.
  const analytics = new Analytics({ writeKey: 'dev-write-key', host, flushAt: 50, flushInterval: 10_000, maxRetries: 3, httpRequestTimeout: 10_000, ...settings });
  const errors: unknown[] = [];
  const statuses: number[] = [];
  analytics.on('error', (error) => errors.push(error));
  analytics.on('http_response', (response) => statuses.push(response.status));
  return { analytics, errors, statuses };
}

/** What a test compares: the fields of an events item the client controls. */
function summary(event: ProfileEvent): { event: string; type: string; message_id: string; properties: Record<string, unknown> } {
  return { event: event.event, type: event.type, message_id: event.message_id, properties: event.properties };
}

describe('@segment/analytics-node against a real engine', () => {
  let server: TestServer;
  // Ids unique to this run, so the file's tests never see each other's profiles.
  const run = randomUUID().slice(0, 8);
  const id = (name: string): string => `seg-${run}-${name}`;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('delivers identify, track, page, screen and group calls; the Profile API returns exactly what was sent', async () => {
    const { analytics, errors, statuses } = newClient(server.url);
    const alice = id('alice');
    const bob = id('bob');
    const aliceEmail = `alice-${run}@example.com`;
    const bobEmail = `bob-${run}@example.com`;
    // Explicit timestamps one second apart make the expected order independent of how fast the
    // calls run; the skew correction moves them all by the same few milliseconds (one request).
    const base = Date.now() - 60_000;
    const at = (second: number): Date => new Date(base + second * 1000);
    const mid = (name: string): string => `${id(name)}-msg`;

    analytics.identify({ userId: alice, traits: { email: aliceEmail, name: 'Alice Liddell', plan: 'free' }, timestamp: at(0), messageId: mid('a-identify-1') });
    analytics.identify({ userId: bob, traits: { email: bobEmail, name: 'Bob Builder' }, timestamp: at(1), messageId: mid('b-identify') });
    analytics.track({
      userId: alice,
      event: 'Order Completed',
      properties: { order_id: 'o-1', total: 99.5, currency: 'EUR', products: [{ sku: 'sku-1', quantity: 2 }], gift: false },
      timestamp: at(2),
      messageId: mid('a-track-order'),
    });
    analytics.page({ userId: alice, category: 'Docs', name: 'Pricing', properties: { path: '/pricing', url: 'https://example.com/pricing' }, timestamp: at(3), messageId: mid('a-page') });
    analytics.screen({ userId: alice, name: 'Checkout', properties: { step: 2 }, timestamp: at(4), messageId: mid('a-screen') });
    analytics.group({ userId: alice, groupId: `acme-${run}`, traits: { name: 'Acme Inc', employees: 50 }, timestamp: at(5), messageId: mid('a-group') });
    analytics.screen({ userId: bob, name: 'Home', properties: { variant: 'b' }, timestamp: at(6), messageId: mid('b-screen') });
    analytics.identify({ userId: alice, traits: { plan: 'pro', age: 31 }, timestamp: at(7), messageId: mid('a-identify-2') });
    // Bob joins the same group: a shared group_id must not fold two users into one profile.
    analytics.group({ userId: bob, groupId: `acme-${run}`, traits: { name: 'Acme Inc', employees: 50 }, timestamp: at(8), messageId: mid('b-group') });
    analytics.track({ userId: alice, event: 'Cart Viewed', properties: { cart_id: 'c-9' }, timestamp: at(9), messageId: mid('a-track-cart') });
    analytics.track({ userId: bob, event: 'Signed Up', properties: { source: 'ads' }, timestamp: at(10), messageId: mid('b-track') });

    const sentFrom = Date.now();
    await analytics.closeAndFlush({ timeout: 20_000 });
    const sentUntil = Date.now();

    // The client saw success: one request, answered 200, and no error events.
    expect(errors).toEqual([]);
    expect(statuses).toEqual([200]);

    const aliceTraits = await fetchTraits(server.url, `user_id:${alice}`);
    expect(aliceTraits.status).toBe(200);
    // The later identify changed `plan` and added `age`; group traits are the group's, not hers.
    expect(aliceTraits.body.traits).toEqual({ email: aliceEmail, name: 'Alice Liddell', plan: 'pro', age: 31 });
    const bobTraits = await fetchTraits(server.url, `user_id:${bob}`);
    expect(bobTraits.status).toBe(200);
    expect(bobTraits.body.traits).toEqual({ email: bobEmail, name: 'Bob Builder' });

    const aliceEvents = await fetchAllEvents(server.url, `user_id:${alice}`);
    // Newest first; identify and group calls are not events (contract "Details fixed").
    expect(aliceEvents.map(summary)).toEqual([
      { event: 'Cart Viewed', type: 'track', message_id: mid('a-track-cart'), properties: { cart_id: 'c-9' } },
      { event: 'Screen Viewed', type: 'screen', message_id: mid('a-screen'), properties: { step: 2, name: 'Checkout' } },
      {
        event: 'Page Viewed',
        type: 'page',
        message_id: mid('a-page'),
        // The client copies `category` into properties; the engine adds `name` (as analytics.js does).
        properties: { path: '/pricing', url: 'https://example.com/pricing', category: 'Docs', name: 'Pricing' },
      },
      {
        event: 'Order Completed',
        type: 'track',
        message_id: mid('a-track-order'),
        properties: { order_id: 'o-1', total: 99.5, currency: 'EUR', products: [{ sku: 'sku-1', quantity: 2 }], gift: false },
      },
    ]);
    const bobEvents = await fetchAllEvents(server.url, `user_id:${bob}`);
    expect(bobEvents.map(summary)).toEqual([
      { event: 'Signed Up', type: 'track', message_id: mid('b-track'), properties: { source: 'ads' } },
      { event: 'Screen Viewed', type: 'screen', message_id: mid('b-screen'), properties: { variant: 'b', name: 'Home' } },
    ]);

    // Two distinct profiles, every event from this source, each timestamp the sent one corrected
    // by the request's transit time (receivedAt − sentAt, both on this machine's clock).
    expect(new Set(aliceEvents.map((e) => e.related.users)).size).toBe(1);
    expect(new Set(bobEvents.map((e) => e.related.users)).size).toBe(1);
    expect(aliceEvents[0]!.related.users).not.toBe(bobEvents[0]!.related.users);
    const sentSecond: Record<string, number> = { 'a-track-cart': 9, 'a-screen': 4, 'a-page': 3, 'a-track-order': 2, 'b-track': 10, 'b-screen': 6 };
    for (const event of [...aliceEvents, ...bobEvents]) {
      expect(event.source_id).toBe(SOURCE_ID);
      const name = event.message_id.slice(id('').length, -'-msg'.length);
      const sent = at(sentSecond[name]!).getTime();
      const stored = Date.parse(event.timestamp);
      expect(stored).toBeGreaterThanOrEqual(sent);
      expect(stored).toBeLessThanOrEqual(sent + (sentUntil - sentFrom));
    }

    // Any id of the profile finds it: the email from the identify traits gives the same profile.
    const byEmail = await fetchTraits(server.url, `email:${aliceEmail}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.traits).toEqual(aliceTraits.body.traits);
    expect(await fetchAllEvents(server.url, `email:${aliceEmail}`)).toEqual(aliceEvents);
    const bobByEmail = await fetchAllEvents(server.url, `email:${bobEmail}`);
    expect(bobByEmail).toEqual(bobEvents);
  });

  it('counts a messageId once when a second client resends it (duplicates metric rises by one)', async () => {
    const carol = id('carol');
    const messageId = `${id('carol')}-trial`;
    const duplicatesBefore = await metricValue(server.url, 'troupe_events_duplicate_total', { space: 'default' });
    const acceptedBefore = await metricValue(server.url, 'troupe_events_accepted_total', { space: 'default' });

    const first = newClient(server.url);
    first.analytics.identify({ userId: carol, traits: { name: 'Carol' }, messageId: `${messageId}-identify` });
    first.analytics.track({ userId: carol, event: 'Trial Started', properties: { plan: 'team' }, messageId });
    await first.analytics.closeAndFlush({ timeout: 20_000 });

    // A second process (another client instance) delivering the same message again.
    const second = newClient(server.url);
    second.analytics.track({ userId: carol, event: 'Trial Started', properties: { plan: 'team' }, messageId });
    await second.analytics.closeAndFlush({ timeout: 20_000 });

    expect([first.errors, second.errors]).toEqual([[], []]);
    expect([first.statuses, second.statuses]).toEqual([[200], [200]]);
    const events = await fetchAllEvents(server.url, `user_id:${carol}`);
    expect(events.map(summary)).toEqual([{ event: 'Trial Started', type: 'track', message_id: messageId, properties: { plan: 'team' } }]);
    expect(await metricValue(server.url, 'troupe_events_duplicate_total', { space: 'default' })).toBe(duplicatesBefore + 1);
    expect(await metricValue(server.url, 'troupe_events_accepted_total', { space: 'default' })).toBe(acceptedBefore + 2);
  });

  it("counts once what the client's own retry resends after a lost response", async () => {
    const dave = id('dave');
    // The engine commits the first request, but the client is told 503: it must retry the same
    // batch (same messageIds), and the engine must acknowledge without storing anything twice.
    const proxy = await startRecordingProxy(server.url, { replaceStatus: (_request, index) => (index === 0 ? 503 : undefined) });
    try {
      const duplicatesBefore = await metricValue(server.url, 'troupe_events_duplicate_total', { space: 'default' });
      const acceptedBefore = await metricValue(server.url, 'troupe_events_accepted_total', { space: 'default' });
      const { analytics, errors, statuses } = newClient(proxy.url, { maxRetries: 3 });
      const base = Date.now() - 10_000;
      for (let i = 0; i < 3; i++) {
        analytics.track({ userId: dave, event: 'Item Viewed', properties: { n: i }, timestamp: new Date(base + i * 1000), messageId: `${dave}-view-${i}` });
      }
      await analytics.closeAndFlush({ timeout: 20_000 });

      expect(errors).toEqual([]);
      expect(statuses).toEqual([503, 200]);
      expect(proxy.requests.map((r) => r.targetStatus)).toEqual([200, 200]);
      const idsOf = (body: Buffer): string[] => (JSON.parse(body.toString('utf8')) as { batch: Array<{ messageId: string }> }).batch.map((m) => m.messageId);
      const [firstTry, retry] = proxy.requests;
      expect(idsOf(retry!.body)).toEqual(idsOf(firstTry!.body));
      expect(retry!.headers['x-retry-count']).toBe('1');

      const events = await fetchAllEvents(server.url, `user_id:${dave}`);
      expect(events.map(summary)).toEqual([2, 1, 0].map((n) => ({ event: 'Item Viewed', type: 'track', message_id: `${dave}-view-${n}`, properties: { n } })));
      expect(await metricValue(server.url, 'troupe_events_duplicate_total', { space: 'default' })).toBe(duplicatesBefore + 3);
      expect(await metricValue(server.url, 'troupe_events_accepted_total', { space: 'default' })).toBe(acceptedBefore + 3);
    } finally {
      await proxy.close();
    }
  });
});
