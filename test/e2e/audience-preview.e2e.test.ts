import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackedEvent } from '../../src/ingest/tracked-event.ts';
import type { Json } from '../../src/shared/json.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { historyArb, traitsArb } from '../support/reference/history-arbitraries.ts';
import { T0 } from '../support/reference/vocabulary.ts';
import { admin, create, DAY, HOUR, iso, send, traitsOf, untilLive } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';

// Issue 11 item 3: `POST /v1/spaces/{space}/audiences/preview` {query, at?} → {size, sample,
// evaluatedEvents, ms}, over stored history with the real compiled evaluator, nothing created or
// written; a future `at` answers who is still in it then if nothing else arrives; bounded work
// says it is partial.

interface Preview {
  readonly size: number;
  readonly sample: ReadonlyArray<{ readonly id: string; readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }> }>;
  readonly evaluatedEvents: number;
  readonly evaluatedProfiles: number;
  readonly ms: number;
  readonly at: string;
  readonly partial: boolean;
  readonly stoppedBy?: string;
}

async function preview(url: string, body: object): Promise<Preview> {
  const result = await admin(url, 'POST', '/v1/spaces/default/audiences/preview', body);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body as Preview;
}

/** The user ids a preview names (its sample holds every member while there are at most 10). */
function sampledUsers(answer: Preview): string[] {
  return answer.sample.flatMap((member) => member.identifiers.filter((i) => i.type === 'user_id').map((i) => i.value)).sort();
}

/** The users whose trait `key` reads `true` through the Profile API. */
async function membersByProfileApi(url: string, users: readonly string[], key: string): Promise<string[]> {
  const members: string[] = [];
  for (const user of users) if ((await traitsOf(url, `user_id:${user}`, `include=${key}`))[key] === true) members.push(user);
  return members.sort();
}

/** A generated history as Tracking API calls for `userId`, its hour grid ending `shift` after T0. */
function calls(userId: string, history: readonly TrackedEvent[], traits: Record<string, Json>, shift: number): object[] {
  const identify = { type: 'identify', userId, traits, messageId: `${userId}-traits` };
  const events = [...history]
    .sort((a, b) => a.receivedAt - b.receivedAt)
    .map((event) => ({
      type: event.type,
      userId,
      messageId: `${userId}-${event.messageId}`,
      timestamp: iso(event.timestamp + shift),
      ...(event.type === 'track' ? { event: event.event } : {}),
      ...(event.type === 'page' && event.name !== undefined ? { name: event.name } : {}),
      ...(event.properties === undefined ? {} : { properties: event.properties }),
      ...(event.context === undefined ? {} : { context: event.context }),
    }));
  return [identify, ...events];
}

// Audience queries as a person writes them, over the histories' vocabulary (events A, B, C and
// pages; properties n and s; traits t1 and t2): windows, where filters, funnels that settle,
// reducers, junctions and NOT.
const nameArb = fc.constantFrom('A', 'B', 'C', 'Page Viewed');
const hoursArb = fc.integer({ min: 1, max: 72 });
const windowArb = fc.oneof(
  fc.constant(''),
  { weight: 2, arbitrary: hoursArb.map((h) => `.within(${h} hours)`) },
  fc.tuple(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 1, max: 48 })).map(([start, length]) => `.between(${start} hours, ${start + length} hours)`),
);
const whereArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom(-1, 0, 2, 3).map((n) => `.where(property('n') >= ${n})`),
  fc.constantFrom('a', 'ab', '').map((text) => `.where(property('s') = '${text}')`),
  fc.tuple(nameArb, hoursArb, fc.constantFrom('= 0', '>= 1')).map(([child, h, test]) => `.where(event('${child}').within(parent: ${h} hours).count() ${test})`),
);
const tailArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 }).map((k) => `.count() >= ${k}`) },
  fc.tuple(fc.constantFrom('=', '<', '>'), fc.integer({ min: 0, max: 3 })).map(([op, k]) => `.count() ${op} ${k}`),
  fc.constantFrom(-1, 2, 5).map((n) => `.sum(property('n')) > ${n}`),
  fc.constantFrom('a', 'b', '').map((text) => `.last(property('s')) = '${text}'`),
  fc.constantFrom(0, 3).map((n) => `.max(property('n')) >= ${n}`),
);
const leafArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(nameArb, whereArb, windowArb, tailArb).map(([name, where, window, tail]) => `event('${name}')${where}${window}${tail}`) },
  { weight: 1, arbitrary: fc.constantFrom("trait('t1') = 'a'", "trait('t2') = ''", "trait('t1') >= 2") },
);
const queryArb = fc.oneof(
  { weight: 3, arbitrary: leafArb },
  { weight: 1, arbitrary: fc.tuple(leafArb, leafArb, fc.constantFrom('AND', 'OR')).map(([a, b, junction]) => `${a} ${junction} ${b}`) },
  { weight: 1, arbitrary: leafArb.map((a) => `NOT ( ${a} )`) },
);

describe('audience preview: equals what creating the audience produces (property, real engine per run)', () => {
  it('now and at a future instant, on random histories and random audiences', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(historyArb({ maxEvents: 16 }), traitsArb), { minLength: 1, maxLength: 6 }),
        queryArb,
        fc.integer({ min: 1, max: 72 }),
        async (people, query, hoursAhead) => {
          run += 1;
          const server = await startTestServer({ clock: 'manual' });
          try {
            const { url } = server;
            const now = await advanceClock(url, 0);
            // The histories' hour 72 is now: later hours are future-dated events.
            const shift = now - (T0 + 72 * HOUR);
            const users = people.map((_, i) => `u${run}-${i}`);
            const batch = people.flatMap(([history, traits], i) => calls(users[i]!, history, traits, shift));
            for (let i = 0; i < batch.length; i += 100) await send(url, 'batch', { batch: batch.slice(i, i + 100) });

            const at = now + hoursAhead * HOUR;
            const previewNow = await preview(url, { query });
            const previewLater = await preview(url, { query, at: iso(at) });
            expect(previewNow).toMatchObject({ partial: false, at: iso(now), evaluatedProfiles: people.length });
            expect(previewLater.at).toBe(iso(at));

            const created = await create(url, 'audiences', { name: `Preview check ${run}`, definition: { query } });
            await untilLive(url, 'audiences', created.id);
            const membersNow = await membersByProfileApi(url, users, created.key);
            expect({ query, members: sampledUsers(previewNow), size: previewNow.size }).toEqual({ query, members: membersNow, size: membersNow.length });

            await advanceClock(url, at - now);
            const membersLater = await membersByProfileApi(url, users, created.key);
            expect({ query, at: iso(at), members: sampledUsers(previewLater), size: previewLater.size }).toEqual({ query, at: iso(at), members: membersLater, size: membersLater.length });
          } finally {
            await server.destroy();
          }
        },
      ),
      { numRuns: 10, seed: 20261130, endOnFailure: true },
    );
  }, 240_000);
});

describe('audience preview (one engine, manual clock)', () => {
  let server: TestServer;
  let url: string;
  let now: number;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
    now = await advanceClock(url, 0);
    // 30 buyers: buyer i bought i % 5 + 1 times, the last purchase i % 10 days ago.
    const batch: object[] = [];
    for (let i = 0; i < 30; i++) {
      for (let k = 0; k <= i % 5; k++) batch.push({ type: 'track', userId: `buyer-${i}`, event: 'Order Completed', properties: { total: 10 * (k + 1) }, timestamp: iso(now - ((i % 10) + k) * DAY) });
    }
    for (let i = 0; i < batch.length; i += 100) await send(url, 'batch', { batch: batch.slice(i, i + 100) });
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('counts members over stored history and writes nothing', async () => {
    const before = { definitions: server.engine.store.definitions.getStats(), compute: server.engine.store.compute.getStats(), answers: server.engine.store.answers.getStats(), timers: server.engine.store.timers.getStats() };
    const answer = await preview(url, { query: "event('Order Completed').within(7 days).count() >= 1" });
    // Last purchase i % 10 days ago: 0–6 days for 21 of the 30 buyers.
    expect(answer).toMatchObject({ size: 21, evaluatedProfiles: 30, evaluatedEvents: 90, partial: false, at: iso(now) });
    expect(answer.sample).toHaveLength(10);
    expect(answer.sample.every((member) => member.id.startsWith('use_') && member.identifiers.some((i) => i.type === 'user_id'))).toBe(true);
    expect(typeof answer.ms).toBe('number');
    // Each sampled id is a Profile API lookup id.
    expect((await admin(url, 'GET', `/v1/spaces/default/collections/users/profiles/${answer.sample[0]!.id}/traits`, undefined, DEV_AUTH.access)).status).toBe(200);
    const after = { definitions: server.engine.store.definitions.getStats(), compute: server.engine.store.compute.getStats(), answers: server.engine.store.answers.getStats(), timers: server.engine.store.timers.getStats() };
    expect(entryCounts(after)).toEqual(entryCounts(before));
    expect((await admin(url, 'GET', '/v1/spaces/default/audiences')).body).toEqual({ audiences: [] });
  });

  it('looks ahead: at a future instant, members whose window has closed by then are out', async () => {
    const query = "event('Order Completed').within(7 days).count() >= 1";
    // In 3 days, only purchases 0–3 days ago are still inside 7 days: i % 10 in 0..3, 12 buyers.
    expect(await preview(url, { query, at: iso(now + 3 * DAY) })).toMatchObject({ size: 12, at: iso(now + 3 * DAY) });
    // Exactly at the edge: a purchase 3 days ago leaves the window at +4 days, to the millisecond.
    expect((await preview(url, { query, at: iso(now + 4 * DAY - 1) })).size).toBe(12);
    expect((await preview(url, { query, at: iso(now + 4 * DAY) })).size).toBe(9);
  });

  it('reads other definitions through trait() as they will be at the instant asked', async () => {
    await create(url, 'computed-traits', { name: 'Recent orders', definition: { query: "event('Order Completed').within(3 days).count()" } });
    await server.engine.definitions.idle();
    const query = "trait('recent_orders') >= 1";
    // Now: buyers whose last purchase is 0–2 days ago (i % 10 in 0..2): 9. In 2 days: 0 only: 3.
    expect((await preview(url, { query })).size).toBe(9);
    expect((await preview(url, { query, at: iso(now + 2 * DAY) })).size).toBe(3);
  });

  it('lists a created audience\'s members a page at a time, the same the preview named', async () => {
    const query = "event('Order Completed').within(7 days).count() >= 1";
    const previewed = await preview(url, { query });
    const audience = await create(url, 'audiences', { name: 'Weekly buyers', definition: { query } });
    await untilLive(url, 'audiences', audience.id);
    type Page = { members: Array<{ id: string; identifiers: Array<{ type: string; value: string }> }>; cursor: { has_more: boolean; next: string | null; limit: number } };
    const listed: Page['members'] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const result = await admin(url, 'GET', `/v1/spaces/default/audiences/weekly_buyers/members?limit=10${next === null ? '' : `&next=${next}`}`);
      expect(result.status).toBe(200);
      const page = result.body as Page;
      listed.push(...page.members);
      next = page.cursor.next;
      pages += 1;
      expect(page.cursor.has_more).toBe(next !== null);
    } while (next !== null);
    expect(pages).toBe(3);
    expect(listed).toHaveLength(21);
    expect(new Set(listed.map((m) => m.id)).size).toBe(21);
    expect(listed.map((m) => m.id)).toEqual([...listed.map((m) => m.id)].sort());
    // The preview's sample is the first ten members by profile id.
    expect(previewed.sample).toEqual(listed.slice(0, 10));
    expect(await admin(url, 'GET', '/v1/spaces/default/audiences/nope/members')).toMatchObject({ status: 404 });
    expect(await admin(url, 'GET', '/v1/spaces/default/audiences/weekly_buyers/members?limit=0')).toMatchObject({ status: 400, body: { error: { code: 'invalid_request_error' } } });
  });

  it('stops at its limits and says the answer is partial', async () => {
    const answer = await preview(url, { query: "event('Order Completed').count() >= 1", limits: { events: 1 } });
    expect(answer).toMatchObject({ partial: true, stoppedBy: 'events' });
    expect(answer.evaluatedProfiles).toBeLessThan(30);
    expect(answer.evaluatedEvents).toBeLessThan(90);
  });

  it('checks a query as you type: valid with what it reads, or refused at its line and column', async () => {
    const check = async (collection: string, body: object) => (await admin(url, 'POST', `/v1/spaces/default/${collection}/validate`, body)).body;
    expect(await check('audiences', { query: "event('Order Completed').where(property('total') > trait('floor')).count() >= 1" })).toEqual({ valid: true, reads: { events: ['Order Completed'], traits: ['floor'] } });
    expect(await check('audiences', { query: "event('Order Completed').count( >= 1" })).toEqual({
      valid: false,
      error: { code: 'invalid_definition', message: "line 1, column 33: expected an argument of count, found '>='", line: 1, column: 33 },
    });
    expect(await check('audiences', { query: "event('Order Completed')\n  .sum(property('total'))" })).toMatchObject({ valid: false, error: { code: 'invalid_definition', line: 2, column: 26 } });
    expect(await check('computed-traits', { query: "event('Order Completed')\n  .sum(property('total'))" })).toEqual({ valid: true, reads: { events: ['Order Completed'], traits: [] } });
    expect(await admin(url, 'POST', '/v1/spaces/default/audiences/validate', { text: 'x' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  });

  it('refuses what it cannot answer, with a code and a message naming the problem', async () => {
    const path = '/v1/spaces/default/audiences/preview';
    const refused = (code: string, message: unknown) => ({ status: 400, body: { error: { code, message } } });
    expect(await admin(url, 'POST', path, { query: "event('Order Completed').count( >= 1" })).toMatchObject(refused('invalid_definition', "line 1, column 33: expected an argument of count, found '>='"));
    expect(await admin(url, 'POST', path, { query: "event('Order Completed').count()" })).toMatchObject(refused('invalid_definition', expect.stringMatching(/^line 1, column \d+: /)));
    expect(await admin(url, 'POST', path, {})).toMatchObject(refused('invalid_body', '`query` is required: the audience definition to preview.'));
    expect(await admin(url, 'POST', path, { query: "event('A').count() >= 1", at: 'tomorrow' })).toMatchObject(refused('invalid_body', '`at` must be an ISO-8601 instant such as "2026-12-01T00:00:00Z", got "tomorrow".'));
    expect(await admin(url, 'POST', path, { query: "event('A').count() >= 1", at: iso(now - 1) })).toMatchObject(refused('invalid_body', expect.stringContaining("is before the engine's current time")));
    expect(await admin(url, 'POST', path, { query: "event('A').count() >= 1", limits: { events: 0 } })).toMatchObject(refused('invalid_body', '`limits.events` must be a whole number from 1 to 50,000,000, got 0.'));
    expect(await admin(url, 'POST', path, { query: "event('A').count() >= 1", extra: 1 })).toMatchObject(refused('invalid_body', expect.stringContaining('Unknown field `extra`')));
    expect(await admin(url, 'POST', path, { query: "event('A').count() >= 1" }, DEV_AUTH.access)).toMatchObject({ status: 401 });
  });
});

function entryCounts(stats: Record<string, unknown>): Record<string, number | undefined> {
  return Object.fromEntries(Object.entries(stats).map(([name, value]) => [name, (value as { entryCount?: number }).entryCount]));
}
