import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { admin, create, DAY, send } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';
import { bodies, connect, createDestination, syncSettled, syncsOf } from './sync-http.ts';

// Issue 7 / contract "Destinations and sync" + "Details fixed: Sync": what Engage sends, exactly
// (segment-reference §6.2): identify `traits.{key}: true|false`, track `Audience Entered/Exited`
// with `properties.audience_key`, `Trait Computed` with `properties.trait_key`, `context.personas`,
// one message per userId value and one per email value, an alias on merge, Standard Webhooks
// signatures; a first connection sends every current member.

const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
const BUYERS = "event('Order Completed').within(30 days).count() >= 1";
const SPEND = "event('Order Completed').sum(property('total'))";

function personas(computationClass: string, id: string, key: string): Record<string, unknown> {
  return { computation_class: computationClass, computation_id: id, computation_key: key, namespace: 'default', space_id: 'default' };
}

describe('what destinations receive (real webhook receivers, manual clock)', () => {
  let server: TestServer;
  let url: string;
  let receiver: WebhookReceiver;
  let identifyDestination: string;
  let trackDestination: string;
  let buyersId: string;
  let spendId: string;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
    receiver = await startWebhookReceiver();
    identifyDestination = (await createDestination(url, 'Identify hook', { url: `${receiver.url}/identify`, secret: SECRET, headers: { 'x-api-key': 'key-123456789' } })).id;
    trackDestination = (await createDestination(url, 'Track hook', { url: `${receiver.url}/track`, sendAliasOnMerge: true })).id;
    buyersId = (await create(url, 'audiences', { name: 'Buyers', definition: { query: BUYERS } })).id;
    spendId = (await create(url, 'computed-traits', { name: 'Total spend', definition: { query: SPEND } })).id;
    await server.engine.definitions.idle();
    await connect(url, 'audiences', buyersId, identifyDestination, 'identify');
    await connect(url, 'audiences', buyersId, trackDestination, 'track');
    await connect(url, 'computed-traits', spendId, identifyDestination, 'identify');
    await connect(url, 'computed-traits', spendId, trackDestination, 'track');
    await syncSettled(server);
  });

  afterAll(async () => {
    await server.destroy();
    await receiver.close();
  });

  it('an entry: one message per userId and per email value, in each format, with the personas context', async () => {
    await send(url, 'identify', { userId: 'u-1', traits: { email: 'one@example.com' } });
    const before = receiver.requests.length;
    await send(url, 'track', { userId: 'u-1', event: 'Order Completed', properties: { total: 40 } });
    await syncSettled(server);
    const received = receiver.requests.slice(before);
    const identify = received.filter((r) => r.path === '/identify').map((r) => r.json as Record<string, unknown>);
    const track = received.filter((r) => r.path === '/track').map((r) => r.json as Record<string, unknown>);
    const common = { messageId: expect.stringMatching(/^troupe-[0-9a-f]{32}$/), timestamp: expect.any(String) };
    expect(identify).toEqual(
      expect.arrayContaining([
        { ...common, type: 'identify', userId: 'u-1', traits: { buyers: true }, context: { personas: personas('audience', buyersId, 'buyers') }, integrations: { All: false, 'Identify hook': true } },
        { ...common, type: 'identify', userId: 'u-1', traits: { buyers: true, email: 'one@example.com' }, context: { personas: personas('audience', buyersId, 'buyers') }, integrations: { All: false, 'Identify hook': true } },
        { ...common, type: 'identify', userId: 'u-1', traits: { total_spend: 40 }, context: { personas: personas('computed_trait', spendId, 'total_spend') }, integrations: { All: false, 'Identify hook': true } },
        { ...common, type: 'identify', userId: 'u-1', traits: { total_spend: 40, email: 'one@example.com' }, context: { personas: personas('computed_trait', spendId, 'total_spend') }, integrations: { All: false, 'Identify hook': true } },
      ]),
    );
    expect(identify).toHaveLength(4);
    expect(track).toEqual(
      expect.arrayContaining([
        { ...common, type: 'track', userId: 'u-1', event: 'Audience Entered', properties: { audience_key: 'buyers', buyers: true }, context: { personas: personas('audience', buyersId, 'buyers') }, integrations: { All: false, 'Track hook': true } },
        {
          ...common,
          type: 'track',
          userId: 'u-1',
          event: 'Audience Entered',
          properties: { audience_key: 'buyers', buyers: true },
          context: { personas: personas('audience', buyersId, 'buyers'), traits: { email: 'one@example.com' } },
          integrations: { All: false, 'Track hook': true },
        },
        { ...common, type: 'track', userId: 'u-1', event: 'Trait Computed', properties: { trait_key: 'total_spend', total_spend: 40 }, context: { personas: personas('computed_trait', spendId, 'total_spend') }, integrations: { All: false, 'Track hook': true } },
      ]),
    );
    expect(track).toHaveLength(4);
    expect(new Set(received.map((r) => (r.json as { messageId: string }).messageId)).size).toBe(8);
  });

  it('signed requests carry Standard Webhooks headers that verify with an independent HMAC; unsigned ones none', () => {
    const signed = receiver.requests.filter((r) => r.path === '/identify');
    expect(signed.length).toBeGreaterThan(0);
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    for (const request of signed) {
      const id = request.headers['webhook-id'];
      const timestamp = request.headers['webhook-timestamp'];
      expect(id).toBe((request.json as { messageId: string }).messageId);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64');
      expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(request.headers['x-api-key']).toBe('key-123456789');
      expect(request.headers['content-type']).toBe('application/json');
    }
    for (const request of receiver.requests.filter((r) => r.path === '/track')) expect(request.headers['webhook-signature']).toBeUndefined();
  });

  it('a trait change is sent with the new value only when it changed; the exit at ts + 30 d sends false', async () => {
    let before = receiver.requests.length;
    await send(url, 'track', { userId: 'u-1', event: 'Order Completed', properties: { total: 0 } });
    await syncSettled(server);
    // Still a member, the sum unchanged (+0): nothing to send.
    expect(receiver.requests.length).toBe(before);

    await send(url, 'track', { userId: 'u-1', event: 'Order Completed', properties: { total: 2 } });
    await syncSettled(server);
    expect(bodies(receiver, '/identify').slice(-2).map((b) => b['traits'])).toEqual([{ total_spend: 42 }, { total_spend: 42, email: 'one@example.com' }]);

    before = receiver.requests.length;
    await advanceClock(url, 30 * DAY);
    await syncSettled(server);
    const exits = receiver.requests.slice(before).map((r) => ({ path: r.path, json: r.json as Record<string, unknown> }));
    expect(exits.filter((e) => e.path === '/identify').map((e) => e.json['traits'])).toEqual([{ buyers: false }, { buyers: false, email: 'one@example.com' }]);
    expect(exits.filter((e) => e.path === '/track').map((e) => [e.json['event'], e.json['properties']])).toEqual([
      ['Audience Exited', { audience_key: 'buyers', buyers: false }],
      ['Audience Exited', { audience_key: 'buyers', buyers: false }],
    ]);
  });

  it('a new identifier on a member re-sends its membership to that identifier only', async () => {
    await send(url, 'track', { userId: 'u-2', event: 'Order Completed', properties: { total: 5 } });
    await syncSettled(server);
    const before = receiver.requests.length;
    await send(url, 'identify', { userId: 'u-2', traits: { email: 'two@example.com' } });
    await syncSettled(server);
    const resent = receiver.requests.slice(before).map((r) => ({ path: r.path, json: r.json as Record<string, unknown> }));
    expect(resent.filter((r) => r.path === '/identify').map((r) => [r.json['userId'], r.json['traits']])).toEqual(
      expect.arrayContaining([
        ['u-2', { buyers: true, email: 'two@example.com' }],
        ['u-2', { total_spend: 5, email: 'two@example.com' }],
      ]),
    );
    expect(resent).toHaveLength(4);
  });

  it('a merge sends an alias {previousId: merged-away profile, userId: surviving profile} where asked', async () => {
    await send(url, 'track', { anonymousId: 'anon-3', event: 'Page Viewed' });
    await send(url, 'track', { userId: 'u-3', event: 'Signed Up' });
    const anonymous = server.engine.store.identity.get(['default', 'anonymous_id', 'anon-3']);
    const known = server.engine.store.identity.get(['default', 'user_id', 'u-3']);
    const before = receiver.requests.length;
    await send(url, 'identify', { userId: 'u-3', anonymousId: 'anon-3' });
    await syncSettled(server);
    const aliases = receiver.requests.slice(before).filter((r) => (r.json as { type: string }).type === 'alias');
    // The profile created first survives (contract: identity defaults).
    expect(aliases.map((r) => [r.path, (r.json as Record<string, unknown>)['previousId'], (r.json as Record<string, unknown>)['userId']])).toEqual([['/track', known, anonymous]]);
  });

  it('a first connection sends every current member, and the syncs list what went out', async () => {
    const late = await startWebhookReceiver();
    try {
      const destination = (await createDestination(url, 'Late hook', { url: late.url })).id;
      await connect(url, 'audiences', buyersId, destination, 'identify');
      await syncSettled(server);
      // u-1 exited; u-2 and u-3's profile... only u-2 bought within 30 days.
      expect(bodies(late).map((b) => [b['userId'], b['traits']])).toEqual(
        expect.arrayContaining([
          ['u-2', { buyers: true }],
          ['u-2', { buyers: true, email: 'two@example.com' }],
        ]),
      );
      expect(late.requests).toHaveLength(2);
      const syncs = await syncsOf(url, 'audiences', buyersId);
      expect(syncs.filter((s) => s.destinationId === destination)).toEqual([
        { at: expect.any(String), destinationId: destination, messageId: expect.any(String), status: 'delivered', attempts: 1, lastError: null },
        { at: expect.any(String), destinationId: destination, messageId: expect.any(String), status: 'delivered', attempts: 1, lastError: null },
      ]);
    } finally {
      await late.close();
    }
  });

  it('the API never shows a secret or a header value in full', async () => {
    const result = await admin(url, 'GET', `/v1/spaces/default/destinations/${identifyDestination}`);
    expect(result.body).toEqual({
      destination: {
        id: identifyDestination,
        name: 'Identify hook',
        type: 'webhook',
        settings: { url: `${receiver.url}/identify`, headers: { 'x-api-key': '••••6789' }, sendAliasOnMerge: false, secret: `••••${SECRET.slice(-4)}`, timeoutMs: 10_000 },
        enabled: true,
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    expect(JSON.stringify(result.body)).not.toContain(SECRET.slice(6, 20));
  });
});
