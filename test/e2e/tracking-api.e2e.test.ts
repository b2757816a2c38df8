import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { errorBody, eventsOf, expectStillServing, get, post, SUCCESS, traitsOf } from './tracking-http.ts';

// Contract "Tracking API": routes, auth, body encodings and the request-level limits, over real
// HTTP against a real engine. Item-level validation is in tracking-items.e2e.test.ts.

const MAX_REQUEST_BYTES = 512_000;

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer();
  url = server.url;
});

afterAll(async () => {
  await server.destroy();
});

/** A batch body of exactly `bytes` JSON bytes (ASCII), every item a valid track well under 32 KB. */
function batchOfSize(bytes: number, userId: string): string {
  const itemPad = 20_000;
  const items = Array.from({ length: Math.ceil(bytes / itemPad) }, (_, i) => ({
    type: 'track',
    userId,
    event: 'Padded',
    messageId: `${userId}-${i}`,
    properties: { pad: 'x'.repeat(itemPad - 200) },
  }));
  const draft = JSON.stringify({ batch: items });
  const first = items[0]!;
  first.properties.pad = 'x'.repeat(first.properties.pad.length + (bytes - draft.length));
  const body = JSON.stringify({ batch: items });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

/**
 * POSTs with `Transfer-Encoding: chunked` and no Content-Length (fetch cannot stream a request
 * body without the non-standard `duplex` option), so the server must count bytes as they come.
 */
function postChunked(target: string, bytes: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'POST', headers: { authorization: DEV_AUTH.write, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    // The server may answer and close before the whole body is written.
    req.on('error', reject);
    for (let at = 0; at < bytes.length; at += 64_000) req.write(bytes.subarray(at, at + 64_000));
    req.end();
  });
}

describe('routes', () => {
  const routes: ReadonlyArray<{ path: string; body: (userId: string) => object; stored?: string }> = [
    { path: '/v1/track', body: (userId) => ({ userId, event: 'Signed Up' }), stored: 'Signed Up' },
    { path: '/v1/t', body: (userId) => ({ userId, event: 'Signed Up' }), stored: 'Signed Up' },
    { path: '/v1/identify', body: (userId) => ({ userId, traits: { plan: 'pro' } }) },
    { path: '/v1/i', body: (userId) => ({ userId, traits: { plan: 'pro' } }) },
    { path: '/v1/page', body: (userId) => ({ userId, name: 'Home' }), stored: 'Page Viewed' },
    { path: '/v1/p', body: (userId) => ({ userId, name: 'Home' }), stored: 'Page Viewed' },
    { path: '/v1/screen', body: (userId) => ({ userId, name: 'Settings' }), stored: 'Screen Viewed' },
    { path: '/v1/s', body: (userId) => ({ userId, name: 'Settings' }), stored: 'Screen Viewed' },
    { path: '/v1/group', body: (userId) => ({ userId, groupId: 'acme' }) },
    { path: '/v1/g', body: (userId) => ({ userId, groupId: 'acme' }) },
    { path: '/v1/alias', body: (userId) => ({ userId, previousId: `${userId}-previous` }) },
    { path: '/v1/a', body: (userId) => ({ userId, previousId: `${userId}-previous` }) },
    { path: '/v1/batch', body: (userId) => ({ batch: [{ type: 'track', userId, event: 'Batched' }] }), stored: 'Batched' },
    { path: '/v1/b', body: (userId) => ({ batch: [{ type: 'track', userId, event: 'Batched' }] }), stored: 'Batched' },
    { path: '/v1/import', body: (userId) => ({ batch: [{ type: 'track', userId, event: 'Batched' }] }), stored: 'Batched' },
  ];

  it.each(routes)('POST $path with a valid body → 200 {"success":true}', async ({ path, body, stored }) => {
    const userId = `route${path.replaceAll('/', '-')}`;
    const result = await post(url, path, body(userId));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    // The profile exists; track, page and screen calls show on its events.
    const events = await eventsOf(url, userId);
    expect(events?.map((e) => e.event)).toEqual(stored === undefined ? [] : [stored]);
  });

  it('an identify stores its traits', async () => {
    await post(url, '/v1/identify', { userId: 'route-traits', traits: { plan: 'pro', seats: 3 } });
    expect(await traitsOf(url, 'route-traits')).toEqual({ plan: 'pro', seats: 3 });
  });

  it('an unknown tracking route → 404 JSON, nothing stored', async () => {
    const result = await post(url, '/v1/unknown', { userId: 'route-unknown', event: 'X' });
    expect({ status: result.status, body: result.body }).toEqual({ status: 404, body: errorBody('not_found') });
    expect(await eventsOf(url, 'route-unknown')).toBeUndefined();
    await expectStillServing(url);
  });

  it('any other unknown path or method → 404 JSON', async () => {
    for (const path of ['/nothing-here', '/v1/track', '/v1/track/extra', '/v1/constructor']) {
      const result = await get(url, path);
      expect({ path, status: result.status, body: result.body }).toEqual({ path, status: 404, body: errorBody('not_found') });
    }
    await expectStillServing(url);
  });
});

describe('auth', () => {
  it('Basic auth with the write key as user name and an empty password → 200', async () => {
    const result = await post(url, '/v1/track', { userId: 'auth-basic', event: 'E' }, { auth: DEV_AUTH.write });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'auth-basic'))?.length).toBe(1);
  });

  it('`writeKey` in the body instead of the header → 200', async () => {
    const result = await post(url, '/v1/track', { writeKey: 'dev-write-key', userId: 'auth-body', event: 'E' }, { auth: null });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'auth-body'))?.length).toBe(1);
  });

  it('`writeKey` on a batch envelope → 200', async () => {
    const body = { writeKey: 'dev-write-key', batch: [{ type: 'track', userId: 'auth-batch-body', event: 'E' }] };
    const result = await post(url, '/v1/batch', body, { auth: null });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'auth-batch-body'))?.length).toBe(1);
  });

  it('no key at all → 401, nothing stored', async () => {
    const result = await post(url, '/v1/track', { userId: 'auth-none', event: 'E' }, { auth: null });
    expect({ status: result.status, body: result.body }).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await eventsOf(url, 'auth-none')).toBeUndefined();
    await expectStillServing(url);
  });

  it('an unknown key in the header → 401, nothing stored', async () => {
    const auth = `Basic ${Buffer.from('not-a-key:').toString('base64')}`;
    const result = await post(url, '/v1/track', { userId: 'auth-unknown', event: 'E' }, { auth });
    expect({ status: result.status, body: result.body }).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await eventsOf(url, 'auth-unknown')).toBeUndefined();
    await expectStillServing(url);
  });

  it('an unknown key in the body → 401, nothing stored', async () => {
    const result = await post(url, '/v1/track', { writeKey: 'not-a-key', userId: 'auth-unknown-body', event: 'E' }, { auth: null });
    expect({ status: result.status, body: result.body }).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await eventsOf(url, 'auth-unknown-body')).toBeUndefined();
    await expectStillServing(url);
  });

  it('another kind of token (access, admin) is not a write key → 401', async () => {
    for (const auth of [DEV_AUTH.access, DEV_AUTH.admin]) {
      const result = await post(url, '/v1/track', { userId: 'auth-wrong-kind', event: 'E' }, { auth });
      expect({ auth, status: result.status, body: result.body }).toEqual({ auth, status: 401, body: errorBody('unauthorized') });
    }
    expect(await eventsOf(url, 'auth-wrong-kind')).toBeUndefined();
  });
});

describe('body encodings', () => {
  it('a `Content-Type: text/plain` body is read as JSON (browsers send it)', async () => {
    const body = JSON.stringify({ userId: 'enc-text', event: 'From Browser' });
    const result = await post(url, '/v1/track', body, { headers: { 'content-type': 'text/plain' } });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'enc-text'))?.map((e) => e.event)).toEqual(['From Browser']);
  });

  it('a gzip body with `Content-Encoding: gzip` is accepted', async () => {
    const body = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'enc-gzip', event: 'Zipped' }] }));
    const result = await post(url, '/v1/batch', body, { headers: { 'content-encoding': 'gzip' } });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'enc-gzip'))?.map((e) => e.event)).toEqual(['Zipped']);
  });

  it('a corrupt gzip body → 400, nothing stored', async () => {
    const good = gzipSync(JSON.stringify({ userId: 'enc-corrupt', event: 'Zipped' }));
    const truncated = good.subarray(0, good.length - 12);
    const garbage = Buffer.from(JSON.stringify({ userId: 'enc-corrupt', event: 'Not Zipped' }));
    for (const body of [truncated, garbage]) {
      const result = await post(url, '/v1/track', body, { headers: { 'content-encoding': 'gzip' } });
      expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('invalid_encoding') });
      await expectStillServing(url);
    }
    expect(await eventsOf(url, 'enc-corrupt')).toBeUndefined();
  });
});

describe('request limits', () => {
  it('a body of exactly 512,000 bytes is accepted', async () => {
    const result = await post(url, '/v1/batch', batchOfSize(MAX_REQUEST_BYTES, 'limit-at'));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'limit-at'))?.length).toBe(26);
  });

  it('a body of 512,001 bytes → 400 request_too_large, nothing stored', async () => {
    const result = await post(url, '/v1/batch', batchOfSize(MAX_REQUEST_BYTES + 1, 'limit-over'));
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('request_too_large') });
    expect(await eventsOf(url, 'limit-over')).toBeUndefined();
    await expectStillServing(url);
  });

  it('a chunked body of 512,001 bytes (no Content-Length) → 400 request_too_large, nothing stored', async () => {
    const result = await postChunked(`${url}/v1/batch`, Buffer.from(batchOfSize(MAX_REQUEST_BYTES + 1, 'limit-chunked')));
    expect(result).toEqual({ status: 400, body: errorBody('request_too_large') });
    expect(await eventsOf(url, 'limit-chunked')).toBeUndefined();
    await expectStillServing(url);
  });

  it('the limit counts the decompressed bytes: a small gzip of 512,001 bytes → 400', async () => {
    const body = gzipSync(batchOfSize(MAX_REQUEST_BYTES + 1, 'limit-gzip'));
    expect(body.length).toBeLessThan(MAX_REQUEST_BYTES);
    const result = await post(url, '/v1/batch', body, { headers: { 'content-encoding': 'gzip' } });
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('request_too_large') });
    expect(await eventsOf(url, 'limit-gzip')).toBeUndefined();
    await expectStillServing(url);
  });

  it('malformed JSON → 400 invalid_json, nothing stored', async () => {
    for (const body of ['{"userId":"bad-json","event":"E"', '', 'userId=bad-json&event=E']) {
      const result = await post(url, '/v1/track', body);
      expect({ body, status: result.status, response: result.body }).toEqual({ body, status: 400, response: errorBody('invalid_json') });
      await expectStillServing(url);
    }
    expect(await eventsOf(url, 'bad-json')).toBeUndefined();
  });

  it('JSON that is not an object → 400', async () => {
    for (const body of ['[{"userId":"u","event":"E"}]', '"text"', 'null']) {
      const result = await post(url, '/v1/track', body);
      expect({ body, status: result.status, response: result.body }).toEqual({ body, status: 400, response: errorBody('invalid_body') });
    }
    await expectStillServing(url);
  });

  it('an empty batch → 400', async () => {
    const result = await post(url, '/v1/batch', { batch: [] });
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('batch_empty') });
    await expectStillServing(url);
  });

  it('2,500 items are accepted; 2,501 → 400 batch_too_large, nothing stored', async () => {
    const items = (userId: string, n: number): object[] =>
      Array.from({ length: n }, (_, i) => ({ type: 'track', userId, event: 'Bulk', messageId: `${userId}-${i}` }));
    const over = await post(url, '/v1/batch', { batch: items('bulk-over', 2_501) });
    expect({ status: over.status, body: over.body }).toEqual({ status: 400, body: errorBody('batch_too_large') });
    expect(await eventsOf(url, 'bulk-over')).toBeUndefined();
    await expectStillServing(url);

    const at = await post(url, '/v1/batch', { batch: items('bulk-at', 2_500) });
    expect({ status: at.status, body: at.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'bulk-at'))?.length).toBe(100);
  });
});

describe('browsers (CORS)', () => {
  it('answers a preflight and a cross-origin POST on the Tracking API, but not on the Profile API', async () => {
    const preflight = await fetch(`${url}/v1/t`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const posted = await fetch(`${url}/v1/t`, {
      method: 'POST',
      headers: { origin: 'https://shop.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'dev-write-key', userId: 'cors-u1', event: 'Browser Event', type: 'track' }),
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('access-control-allow-origin')).toBe('*');

    const lookup = await fetch(`${url}/v1/spaces/default/collections/users/profiles/user_id:cors-u1/traits`, {
      headers: { origin: 'https://shop.example', authorization: DEV_AUTH.access },
    });
    expect(lookup.status).toBe(200);
    expect(lookup.headers.get('access-control-allow-origin')).toBeNull();
  });
});
