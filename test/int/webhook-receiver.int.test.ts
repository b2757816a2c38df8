import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The receiver the sync tests deliver to: a real local HTTP server, driven here with fetch.

function post(url: string, body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-secret': 'abc' }, body, ...(signal ? { signal } : {}) });
}

/** What a rejected fetch's cause says (undici puts the socket error there). */
async function failureOf(pending: Promise<Response>): Promise<{ name: string; cause: string | undefined }> {
  try {
    const response = await pending;
    return { name: `answered ${response.status}`, cause: undefined };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    return { name: err.name, cause: err.cause?.code };
  }
}

describe('webhook receiver', () => {
  let receiver: WebhookReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  it('answers 200 by default and records each request in arrival order', async () => {
    receiver = await startWebhookReceiver();
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = Date.now();
    const first = await post(`${receiver.url}/hooks/a?x=1`, '{"type":"track","n":1}');
    const second = await post(`${receiver.url}/hooks/b`, 'not json');
    expect([first.status, await first.text(), second.status]).toEqual([200, '', 200]);
    expect(receiver.requests.map(({ method, path, body, json }) => ({ method, path, body, json }))).toEqual([
      { method: 'POST', path: '/hooks/a?x=1', body: '{"type":"track","n":1}', json: { type: 'track', n: 1 } },
      { method: 'POST', path: '/hooks/b', body: 'not json', json: undefined },
    ]);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
    expect(receiver.requests[0]?.headers['x-secret']).toBe('abc');
    const [a, b] = receiver.requests;
    expect(a!.at).toBeGreaterThanOrEqual(before);
    expect(b!.at).toBeGreaterThanOrEqual(a!.at);
    expect(b!.at).toBeLessThanOrEqual(Date.now());
  });

  it('answers as the handler plans, given each request and its index', async () => {
    receiver = await startWebhookReceiver();
    const seen: Array<[string, number]> = [];
    receiver.respondWith((request, index) => {
      seen.push([request.body, index]);
      return index === 0 ? { status: 503, headers: { 'retry-after': '7' }, body: 'busy' } : { status: 201, body: 'ok' };
    });
    const first = await post(receiver.url, '"one"');
    const second = await post(receiver.url, '"two"');
    expect([first.status, first.headers.get('retry-after'), await first.text()]).toEqual([503, '7', 'busy']);
    expect([second.status, await second.text()]).toEqual([201, 'ok']);
    expect(seen).toEqual([
      ['"one"', 0],
      ['"two"', 1],
    ]);
  });

  it('answers 500 naming the error when the handler throws', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith(() => {
      throw new Error('bad plan');
    });
    const response = await post(receiver.url, '{}');
    expect([response.status, await response.text()]).toEqual([500, 'webhook receiver handler threw: bad plan']);
  });

  it('can hang a request, which records it and never answers; close ends it', async () => {
    receiver = await startWebhookReceiver();
    receiver.respondWith((_, index) => (index === 0 ? { hang: true } : { status: 204 }));
    expect(await failureOf(post(receiver.url, '{"n":1}', AbortSignal.timeout(300)))).toEqual({ name: 'TimeoutError', cause: undefined });
    expect(receiver.requests.map((r) => r.json)).toEqual([{ n: 1 }]);
    expect((await post(receiver.url, '{"n":2}')).status).toBe(204);

    receiver.respondWith(() => ({ hang: true }));
    const hanging = failureOf(post(receiver.url, '{"n":3}'));
    await receiver.waitFor(3);
    await receiver.close();
    expect(await hanging).toEqual({ name: 'TypeError', cause: 'UND_ERR_SOCKET' });
  });

  it('refuses connections, then accepts them again on the same port', async () => {
    receiver = await startWebhookReceiver();
    expect((await post(receiver.url, '{"n":1}')).status).toBe(200);
    await receiver.refuseConnections();
    // A fresh connection (no keep-alive socket left to reuse): refused.
    expect(await failureOf(post(receiver.url, '{"n":2}'))).toEqual({ name: 'TypeError', cause: 'ECONNREFUSED' });
    await receiver.acceptConnections();
    expect((await post(receiver.url, '{"n":3}')).status).toBe(200);
    expect(receiver.requests.map((r) => r.json)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('waits for a number of requests, and says how many came when it times out', async () => {
    receiver = await startWebhookReceiver();
    const two = receiver.waitFor(2, 2_000);
    await Promise.all([post(receiver.url, '1'), post(receiver.url, '2')]);
    expect((await two).length).toBe(2);
    expect((await receiver.waitFor(1, 10)).length).toBe(2);
    await expect(receiver.waitFor(3, 50)).rejects.toThrow('webhook receiver: waited 50 ms for 3 requests, 2 arrived');
  });

  it('rejects a pending wait when closed', async () => {
    receiver = await startWebhookReceiver();
    const pending = receiver.waitFor(1, 5_000);
    await receiver.close();
    await expect(pending).rejects.toThrow('webhook receiver: closed with 0 of 1 requests');
    await expect(receiver.acceptConnections()).rejects.toThrow('webhook receiver: closed, cannot accept connections again');
  });
});
