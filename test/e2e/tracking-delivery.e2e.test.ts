import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { advanceClock, errorBody, eventsOf, post, SUCCESS, type HttpResult } from './tracking-http.ts';

// Contract "Tracking API": deduplication by messageId (at least 24 hours, across restarts),
// generated messageIds, and overload (429 + Retry-After, nothing acknowledged is lost).

const HOUR = 60 * 60 * 1000;

describe('deduplication by messageId', () => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    url = server.url;
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('the same messageId twice → both 200, stored once (the first one)', async () => {
    const first = await post(url, '/v1/track', { userId: 'dup-twice', event: 'First', messageId: 'dup-1' });
    const replay = await post(url, '/v1/track', { userId: 'dup-twice', event: 'Replayed', messageId: 'dup-1' });
    expect([first, replay].map((r) => ({ status: r.status, body: r.body }))).toEqual([
      { status: 200, body: SUCCESS },
      { status: 200, body: SUCCESS },
    ]);
    expect((await eventsOf(url, 'dup-twice'))?.map((e) => [e.message_id, e.event])).toEqual([['dup-1', 'First']]);
  });

  it('the same messageId twice in one batch → stored once', async () => {
    const item = { type: 'track', userId: 'dup-batch', event: 'E', messageId: 'dup-batch-1' };
    const result = await post(url, '/v1/batch', { batch: [item, item, { ...item, messageId: 'dup-batch-2' }] });
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'dup-batch'))?.map((e) => e.message_id).sort()).toEqual(['dup-batch-1', 'dup-batch-2']);
  });

  it('concurrent retries of one request count once', async () => {
    const body = { batch: Array.from({ length: 50 }, (_, i) => ({ type: 'track', userId: 'dup-concurrent', event: 'E', messageId: `dup-c-${i}` })) };
    const results = await Promise.all(Array.from({ length: 5 }, () => post(url, '/v1/batch', body)));
    expect(results.map((r) => ({ status: r.status, body: r.body }))).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: SUCCESS })));
    expect((await eventsOf(url, 'dup-concurrent'))?.length).toBe(50);
  });

  it('a rejected item does not claim its messageId', async () => {
    const rejected = await post(url, '/v1/track', { userId: 'dup-rejected', messageId: 'dup-r-1' });
    expect({ status: rejected.status, body: rejected.body }).toEqual({ status: 400, body: errorBody('missing_event_name') });
    const accepted = await post(url, '/v1/track', { userId: 'dup-rejected', event: 'Fixed', messageId: 'dup-r-1' });
    expect({ status: accepted.status, body: accepted.body }).toEqual({ status: 200, body: SUCCESS });
    expect((await eventsOf(url, 'dup-rejected'))?.map((e) => e.event)).toEqual(['Fixed']);
  });

  it('a missing messageId is generated: two identical bodies are both stored, with distinct ids', async () => {
    const body = { userId: 'dup-generated', event: 'No Id' };
    const results = [await post(url, '/v1/track', body), await post(url, '/v1/track', body)];
    expect(results.map((r) => ({ status: r.status, body: r.body }))).toEqual([
      { status: 200, body: SUCCESS },
      { status: 200, body: SUCCESS },
    ]);
    const ids = (await eventsOf(url, 'dup-generated'))?.map((e) => e.message_id) ?? [];
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/\S/);
  });
});

describe('deduplication survives a restart and 24 hours', () => {
  const dir = makeTempDir('e2e-dedup-restart');

  afterAll(() => {
    dir.remove();
  });

  it('a replay after stop() and a new engine on the same data dir is ignored', async () => {
    const body = { userId: 'dup-restart', event: 'Once', messageId: 'dup-restart-1' };
    const first = await startTestServer({ dataDir: dir.path, clock: 'manual' });
    try {
      expect((await post(first.url, '/v1/track', body)).status).toBe(200);
    } finally {
      await first.stop();
    }

    const second = await startTestServer({ dataDir: dir.path, clock: 'manual' });
    try {
      const replay = await post(second.url, '/v1/track', { ...body, event: 'Twice' });
      expect({ status: replay.status, body: replay.body }).toEqual({ status: 200, body: SUCCESS });
      await advanceClock(second.url, 24 * HOUR);
      const late = await post(second.url, '/v1/track', { ...body, event: 'Thrice' });
      expect({ status: late.status, body: late.body }).toEqual({ status: 200, body: SUCCESS });
      expect((await eventsOf(second.url, 'dup-restart'))?.map((e) => [e.message_id, e.event])).toEqual([['dup-restart-1', 'Once']]);
    } finally {
      await second.stop();
    }
  });
});

describe('overload', () => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer({ maxQueuedEventsPerShard: 1 });
    url = server.url;
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('many concurrent big batches → some 429 with Retry-After; every acknowledged event is stored; retries succeed', async () => {
    const BATCHES = 24;
    const PER_BATCH = 100;
    const batch = (n: number): object => ({
      batch: Array.from({ length: PER_BATCH }, (_, i) => ({
        type: 'track',
        userId: `load-${n}`,
        event: 'Load',
        messageId: `load-${n}-${i}`,
        properties: { pad: 'x'.repeat(500) },
      })),
    });
    // Bursts until one is refused (the first burst nearly always is; more only on a slow runner).
    let results: HttpResult[] = [];
    for (let burst = 0; burst < 5 && !results.some((r) => r.status === 429); burst++) {
      results = await Promise.all(Array.from({ length: BATCHES }, (_, n) => post(url, '/v1/batch', batch(n))));
    }

    const refused = results.flatMap((r, n) => (r.status === 429 ? [n] : []));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const n of refused) {
      const r = results[n]!;
      expect(r.body).toEqual(errorBody('overloaded'));
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }
    for (const [n, r] of results.entries()) {
      if (r.status === 429) continue;
      expect({ n, status: r.status, body: r.body }).toEqual({ n, status: 200, body: SUCCESS });
      expect((await eventsOf(url, `load-${n}`))?.length).toBe(PER_BATCH);
    }

    // A client that backs off and resends gets every refused batch in, once.
    for (const n of refused) {
      const retry = await post(url, '/v1/batch', batch(n));
      expect({ n, status: retry.status, body: retry.body }).toEqual({ n, status: 200, body: SUCCESS });
    }
    for (let n = 0; n < BATCHES; n++) expect((await eventsOf(url, `load-${n}`))?.length).toBe(PER_BATCH);
  });
});
