import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { startWebhookReceiver, type ReceivedRequest, type ResponsePlan, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { admin, create, send } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';
import { auditOf, connect, createDestination, eventually, readDestination, syncSettled, syncsOf } from './sync-http.ts';

// Issue 7 / contract "Delivery" and "Audit and syncs": network errors, timeouts, 408, 429
// (honouring Retry-After) and 5xx are retried with backoff up to 5 times, then the failure is hard;
// other 4xx fail at once; 410 disables the destination; redirects are not followed. Backoff and
// Retry-After waits are timers on the engine's clock: here a manual one, moved by the test.

const TEN_MINUTES = 10 * 60 * 1000;

/** Answers by path; `/flaky` fails each message's first attempt, `/once429` answers 429 Retry-After: 1 once per message. */
function plan(request: ReceivedRequest, seen: Map<string, number>): ResponsePlan {
  const messageId = (request.json as { messageId?: string }).messageId ?? '';
  const attempt = (seen.get(`${request.path} ${messageId}`) ?? 0) + 1;
  seen.set(`${request.path} ${messageId}`, attempt);
  switch (request.path) {
    case '/500':
      return { status: 500 };
    case '/400':
      return { status: 400, body: 'bad' };
    case '/410':
      return { status: 410 };
    case '/once429':
      return attempt === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 };
    case '/flaky':
      return attempt === 1 ? { status: 503 } : { status: 200 };
    case '/hang':
      return { hang: true };
    case '/redirect':
      return { status: 307, headers: { location: '/elsewhere' } };
    default:
      return { status: 200 };
  }
}

describe('retries, failures and the audit trail (manual clock)', () => {
  let server: TestServer;
  let url: string;
  let receiver: WebhookReceiver;
  const seen = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
    receiver = await startWebhookReceiver();
    receiver.respondWith((request) => plan(request, seen));
  });

  afterAll(async () => {
    await server.destroy();
    await receiver.close();
  });

  /** An audience of its own event, connected (identify) to a destination of its own at `path`. */
  async function wired(name: string, path: string, settings: Record<string, unknown> = {}): Promise<{ audienceId: string; destinationId: string; key: string }> {
    const audience = await create(url, 'audiences', { name, definition: { query: `event('${name}').count() >= 1` } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, `${name} hook`, { url: `${receiver.url}${path}`, ...settings })).id;
    await connect(url, 'audiences', audience.id, destinationId, 'identify');
    await syncSettled(server);
    return { audienceId: audience.id, destinationId, key: audience.key };
  }

  const requestsTo = (path: string): ReceivedRequest[] => receiver.requests.filter((r) => r.path === path);

  it('a 500 every time: exactly 6 attempts (1 + 5 retries), then a hard failure in syncs and audit', async () => {
    const { audienceId, destinationId, key } = await wired('Failing', '/500', { secret: `whsec_${Buffer.from('a-32-byte-secret-for-retry-test!').toString('base64')}` });
    await send(url, 'track', { userId: 'r-500', event: 'Failing' });
    await syncSettled(server);
    expect(requestsTo('/500')).toHaveLength(1);
    expect(await syncsOf(url, 'audiences', audienceId)).toEqual([
      { at: expect.any(String), destinationId, messageId: expect.any(String), status: 'retrying', attempts: 1, lastError: 'HTTP 500' },
    ]);
    for (let retry = 1; retry <= 5; retry++) {
      await advanceClock(url, TEN_MINUTES);
      await syncSettled(server);
      expect(requestsTo('/500')).toHaveLength(1 + retry);
    }
    await advanceClock(url, TEN_MINUTES);
    await syncSettled(server);
    expect(requestsTo('/500')).toHaveLength(6);
    // Every attempt carried the same message id and webhook-id (the receiver's dedup key).
    const messageId = (requestsTo('/500')[0]!.json as { messageId: string }).messageId;
    expect(requestsTo('/500').map((r) => [r.headers['webhook-id'], (r.json as { messageId: string }).messageId])).toEqual(Array.from({ length: 6 }, () => [messageId, messageId]));
    await eventually(async () => {
      expect(await syncsOf(url, 'audiences', audienceId)).toEqual([
        { at: expect.any(String), destinationId, messageId: expect.any(String), status: 'failed', attempts: 6, lastError: 'HTTP 500' },
      ]);
    });
    const audit = (await auditOf(url)).filter((entry) => entry['destinationId'] === destinationId);
    expect(audit.map((entry) => [entry['attempt'], entry['status'], entry['hard']])).toEqual([
      [6, 500, true],
      [5, 500, false],
      [4, 500, false],
      [3, 500, false],
      [2, 500, false],
      [1, 500, false],
    ]);
    expect(audit[0]).toEqual({
      at: expect.any(String),
      destinationId,
      audienceId,
      key,
      messageId: (requestsTo('/500')[0]!.json as { messageId: string }).messageId,
      attempt: 6,
      status: 500,
      error: 'HTTP 500',
      hard: true,
    });
  });

  it('a 400 fails at once: one attempt, hard', async () => {
    const { audienceId, destinationId } = await wired('Refused', '/400');
    await send(url, 'track', { userId: 'r-400', event: 'Refused' });
    await syncSettled(server);
    await advanceClock(url, TEN_MINUTES);
    await syncSettled(server);
    expect(requestsTo('/400')).toHaveLength(1);
    await eventually(async () => {
      expect((await syncsOf(url, 'audiences', audienceId)).map((s) => [s.destinationId, s.status, s.attempts, s.lastError])).toEqual([[destinationId, 'failed', 1, 'HTTP 400']]);
    });
    expect((await auditOf(url)).filter((e) => e['destinationId'] === destinationId).map((e) => [e['attempt'], e['status'], e['hard']])).toEqual([[1, 400, true]]);
  });

  it('429 with Retry-After: 1 is not retried before 1 s has passed on the engine clock', async () => {
    await wired('Throttled', '/once429');
    await send(url, 'track', { userId: 'r-429', event: 'Throttled' });
    await syncSettled(server);
    expect(requestsTo('/once429')).toHaveLength(1);
    await advanceClock(url, 999);
    await syncSettled(server);
    expect(requestsTo('/once429')).toHaveLength(1);
    // Retry-After's 1 s bounds the wait below; the backoff's full jitter may make it longer.
    await advanceClock(url, TEN_MINUTES);
    await syncSettled(server);
    expect(requestsTo('/once429')).toHaveLength(2);
  });

  it('a timeout counts as a failed attempt (no status) and is retried', async () => {
    const { destinationId } = await wired('Slow', '/hang', { timeoutMs: 200 });
    await send(url, 'track', { userId: 'r-hang', event: 'Slow' });
    await eventually(async () => {
      expect((await auditOf(url)).filter((e) => e['destinationId'] === destinationId).map((e) => [e['attempt'], e['status'], e['error'], e['hard']])).toEqual([
        [1, null, 'timed out after 200 ms', false],
      ]);
    });
  });

  it('a redirect is not followed: the attempt fails at once and the Location gets nothing', async () => {
    const { destinationId } = await wired('Moved', '/redirect');
    await send(url, 'track', { userId: 'r-redirect', event: 'Moved' });
    await syncSettled(server);
    expect(requestsTo('/redirect')).toHaveLength(1);
    expect(requestsTo('/elsewhere')).toHaveLength(0);
    await eventually(async () => {
      expect((await auditOf(url)).filter((e) => e['destinationId'] === destinationId).map((e) => [e['status'], e['error'], e['hard']])).toEqual([[307, 'redirect to /elsewhere not followed', true]]);
    });
  });

  it('410 Gone disables the destination; what it holds waits until it is enabled again', async () => {
    const { destinationId } = await wired('Gone', '/410');
    await send(url, 'track', { userId: 'r-410-a', event: 'Gone' });
    await syncSettled(server);
    await eventually(async () => {
      const destination = await readDestination(url, destinationId);
      expect(destination.enabled).toBe(false);
      expect(destination.disabledReason).toMatch(/410/);
    });
    expect(requestsTo('/410')).toHaveLength(1);
    // Disabled: new changes are not queued for it.
    await send(url, 'track', { userId: 'r-410-b', event: 'Gone' });
    await syncSettled(server);
    expect(requestsTo('/410')).toHaveLength(1);
    // Enabled again at a working URL: new changes go out.
    const patched = await admin(url, 'PATCH', `/v1/spaces/default/destinations/${destinationId}`, { enabled: true, settings: { url: `${receiver.url}/gone-fixed` } });
    expect(patched.status).toBe(200);
    expect((patched.body as { destination: { disabledReason: unknown } }).destination.disabledReason).toBeNull();
    await send(url, 'track', { userId: 'r-410-c', event: 'Gone' });
    await syncSettled(server);
    expect(requestsTo('/gone-fixed').map((r) => (r.json as { userId: string }).userId)).toEqual(['r-410-c']);
  });

  it("interleaved entries and exits of one profile arrive in order though each message's first attempt fails", async () => {
    const audience = await create(url, 'audiences', { name: 'Flipping', definition: { query: "trait('state') = 'in'" } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, 'Flaky hook', { url: `${receiver.url}/flaky` })).id;
    await connect(url, 'audiences', audience.id, destinationId, 'identify');
    const states = ['in', 'out', 'in', 'out', 'in', 'out', 'in'];
    for (const state of states) {
      for (const user of ['flip-a', 'flip-b']) await send(url, 'identify', { userId: user, traits: { state } });
    }
    for (let round = 0; round < 20; round++) {
      await syncSettled(server);
      await advanceClock(url, TEN_MINUTES);
    }
    await syncSettled(server);
    const delivered = receiver.requests.filter((r, i) => r.path === '/flaky' && receiver.requests.slice(0, i).some((earlier) => earlier.path === '/flaky' && earlier.body === r.body));
    for (const user of ['flip-a', 'flip-b']) {
      const sequence = delivered.map((r) => r.json as { userId: string; traits: { flipping: boolean } }).filter((b) => b.userId === user).map((b) => b.traits.flipping);
      expect(sequence).toEqual([true, false, true, false, true, false, true]);
    }
  });
});

describe('notifyTransientFailures: false', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    const base = loadConfig({ env: {} });
    server = await startTestServer({ clock: 'manual', spaces: base.spaces.map((space) => ({ ...space, notifyTransientFailures: false })) });
    receiver = await startWebhookReceiver();
    receiver.respondWith(() => ({ status: 500 }));
  });

  afterAll(async () => {
    await server.destroy();
    await receiver.close();
  });

  it('the audit trail lists only the hard failure', async () => {
    const url = server.url;
    const audience = await create(url, 'audiences', { name: 'Quiet', definition: { query: "event('Quiet').count() >= 1" } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, 'Quiet hook', { url: receiver.url })).id;
    await connect(url, 'audiences', audience.id, destinationId, 'track');
    await send(url, 'track', { userId: 'quiet', event: 'Quiet' });
    for (let round = 0; round < 7; round++) {
      await syncSettled(server);
      await advanceClock(url, TEN_MINUTES);
    }
    await syncSettled(server);
    expect(receiver.requests).toHaveLength(6);
    await eventually(async () => {
      expect((await auditOf(url)).map((e) => [e['attempt'], e['hard']])).toEqual([[6, true]]);
    });
  });
});
