import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { errorBody, get, post, SUCCESS } from './tracking-http.ts';

// Contract "Start-up": `GET /health` and `GET /metrics` (Prometheus text); request ids on every
// response (`Request-Id`, as Segment's Profile API sends it).

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer({ shards: 2 });
  url = server.url;
});

afterAll(async () => {
  await server.destroy();
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Sample lines of the Prometheus text exposition format (comments skipped). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(): Promise<Sample[]> {
  const result = await get(url, '/metrics');
  expect(result.status).toBe(200);
  return parseSamples(result.body as string);
}

/** The sample with exactly these labels; an unlabelled-yet counter child counts as 0. */
function valueOf(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted);
  return found?.value ?? 0;
}

describe('GET /health', () => {
  it('→ 200 {"status":"ok"}', async () => {
    const result = await get(url, '/health');
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text with the engine’s metric families', async () => {
    const result = await get(url, '/metrics');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = result.body as string;
    expect(text).toContain('# TYPE troupe_events_accepted_total counter');
    expect(text).toContain('# TYPE troupe_events_rejected_total counter');
    expect(text).toContain('# TYPE troupe_batch_latency_seconds histogram');
    expect(text).toContain('# TYPE troupe_shard_queue_depth gauge');
    // Idle: nothing queued on either shard.
    const samples = parseSamples(text);
    expect(samples.filter((s) => s.name === 'troupe_shard_queue_depth')).toEqual([
      { name: 'troupe_shard_queue_depth', labels: { shard: '0' }, value: 0 },
      { name: 'troupe_shard_queue_depth', labels: { shard: '1' }, value: 0 },
    ]);
  });

  it('counters move by the exact number of events accepted and rejected, rejections by code', async () => {
    const before = await scrape();
    const valid = Array.from({ length: 7 }, (_, i) => ({ type: 'track', userId: `metrics-${i % 3}`, event: 'Counted', messageId: `metrics-${i}` }));
    const body = {
      batch: [...valid, { type: 'track', userId: 'metrics-0' }, { type: 'track', event: 'No Ids' }, { type: 'track', userId: 'metrics-1' }],
    };
    const batch = await post(url, '/v1/batch', body);
    expect(batch.status).toBe(200);
    const single = await post(url, '/v1/track', { userId: 'metrics-0' });
    expect({ status: single.status, body: single.body }).toEqual({ status: 400, body: errorBody('missing_event_name') });
    const identify = await post(url, '/v1/identify', { userId: 'metrics-9', traits: { a: 1 } });
    expect({ status: identify.status, body: identify.body }).toEqual({ status: 200, body: SUCCESS });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}): number => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect({
      accepted: delta('troupe_events_accepted_total', { space: 'default' }),
      missingEvent: delta('troupe_events_rejected_total', { space: 'default', code: 'missing_event_name' }),
      noIds: delta('troupe_events_rejected_total', { space: 'default', code: 'no_user_anon_id' }),
    }).toEqual({ accepted: 8, missingEvent: 3, noIds: 1 });
    expect(after.some((s) => s.name === 'troupe_events_rejected_total' && s.labels['code'] === 'missing_event_name')).toBe(true);
    // Two requests committed events: each is one latency observation.
    expect(delta('troupe_batch_latency_seconds_count')).toBe(2);
    expect(delta('troupe_batch_latency_seconds_sum')).toBeGreaterThan(0);
    expect(valueOf(after, 'troupe_batch_latency_seconds_bucket', { le: '+Inf' })).toBe(valueOf(after, 'troupe_batch_latency_seconds_count'));

    // A client's retry of the same messageIds is acknowledged but not accepted again.
    const retry = await post(url, '/v1/batch', { batch: valid });
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 200, body: SUCCESS });
    expect(valueOf(await scrape(), 'troupe_events_accepted_total', { space: 'default' })).toBe(valueOf(after, 'troupe_events_accepted_total', { space: 'default' }));
  });
});

describe('request ids', () => {
  const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;
  const PROFILE = '/v1/spaces/default/collections/users/profiles/user_id:request-ids';

  async function requestId(path: string, init: RequestInit = {}): Promise<string | null> {
    const response = await fetch(`${url}${path}`, init);
    await response.arrayBuffer();
    return response.headers.get('request-id');
  }

  it('every response has a `Request-Id` header, a fresh one per request', async () => {
    const write = { authorization: DEV_AUTH.write, 'content-type': 'application/json' };
    await post(url, '/v1/track', { userId: 'request-ids', event: 'E' });
    const requests: Array<[string, RequestInit]> = [
      ['/health', {}],
      ['/metrics', {}],
      ['/nowhere', {}],
      ['/v1/track', { method: 'POST', headers: write, body: '{"userId":"request-ids","event":"E"}' }],
      ['/v1/track', { method: 'POST', headers: write, body: '{"userId":"request-ids"}' }],
      ['/v1/track', { method: 'POST', headers: write, body: '{' }],
      ['/v1/track', { method: 'POST', body: '{"userId":"request-ids","event":"E"}' }],
      ['/v1/nope', { method: 'POST', headers: write, body: '{}' }],
      [`${PROFILE}/traits`, { headers: { authorization: DEV_AUTH.access } }],
      [`${PROFILE}/traits`, {}],
      ['/v1/spaces/default/collections/users/profiles/user_id:nobody/traits', { headers: { authorization: DEV_AUTH.access } }],
      ['/v1/admin/clock', { method: 'POST', body: '{"advanceMs":0}' }],
      ['/v1/admin/clock', { method: 'POST', headers: { authorization: DEV_AUTH.admin }, body: '{"advanceMs":0}' }],
    ];
    const ids: string[] = [];
    for (const [path, init] of requests) {
      const id = await requestId(path, init);
      expect({ path, method: init.method ?? 'GET', id }).toEqual({ path, method: init.method ?? 'GET', id: expect.stringMatching(SAFE_ID) });
      ids.push(id ?? '');
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a safe `X-Request-Id` from the client is echoed, on success and on error', async () => {
    expect(await requestId('/health', { headers: { 'x-request-id': 'trace-123.abc_DEF' } })).toBe('trace-123.abc_DEF');
    const body = '{"userId":"request-ids"}';
    const headers = { 'x-request-id': 'bad-track-1', authorization: DEV_AUTH.write };
    expect(await requestId('/v1/track', { method: 'POST', headers, body })).toBe('bad-track-1');
    expect(await requestId('/nowhere', { headers: { 'x-request-id': 'a'.repeat(128) } })).toBe('a'.repeat(128));
  });

  it('an unsafe `X-Request-Id` is not echoed; a fresh id replaces it', async () => {
    for (const unsafe of ['has space', 'a/b', 'a'.repeat(129), '"quoted"', 'x;y=z']) {
      const id = await requestId('/health', { headers: { 'x-request-id': unsafe } });
      expect(id).toMatch(SAFE_ID);
      expect(id).not.toBe(unsafe);
    }
  });
});
