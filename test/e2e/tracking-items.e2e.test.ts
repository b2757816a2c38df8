import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { errorBody, eventsOf, expectStillServing, post, SUCCESS, traitsOf } from './tracking-http.ts';

// Contract "Details fixed" (Limits): an item over its own limits is rejected as an item — listed
// in `rejected` in a batch, a 400 with its code on a single-event route — and the valid items of
// a batch are kept. Also: batch-level context merges into items, suppressed userIds.

let server: TestServer;
let url: string;

beforeAll(async () => {
  // `banned` is suppressed in the default space; everything else is the default config.
  const base = loadConfig({ env: { TROUPE_LOG_LEVEL: 'silent' } });
  server = await startTestServer({ spaces: base.spaces.map((space) => ({ ...space, suppressedUserIds: ['banned'] })) });
  url = server.url;
});

afterAll(async () => {
  await server.destroy();
});

/** `{"a":{"a":…{}}}` with `levels` objects; a value nested under the event's top level adds 1. */
function nested(levels: number): object {
  let value: object = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** A track body of exactly `bytes` JSON bytes (ASCII). */
function trackOfSize(bytes: number, userId: string): string {
  const draft = JSON.stringify({ userId, event: 'Sized', properties: { pad: '' } });
  const body = JSON.stringify({ userId, event: 'Sized', properties: { pad: 'x'.repeat(bytes - draft.length) } });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

function traits(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`t${i}`, i]));
}

describe('single-event routes: a bad item → 400 with its code, nothing stored', () => {
  const cases: ReadonlyArray<{ name: string; path: string; body: string; code: string; userId?: string }> = [
    { name: 'track without event', path: '/v1/track', body: '{"userId":"single-no-event"}', code: 'missing_event_name', userId: 'single-no-event' },
    { name: 'track with an empty event', path: '/v1/track', body: '{"userId":"single-empty-event","event":""}', code: 'missing_event_name', userId: 'single-empty-event' },
    { name: 'no userId nor anonymousId', path: '/v1/track', body: '{"event":"E"}', code: 'no_user_anon_id' },
    { name: 'numeric userId', path: '/v1/track', body: '{"userId":42,"event":"E"}', code: 'invalid_field', userId: '42' },
    { name: 'group without groupId', path: '/v1/group', body: '{"userId":"single-no-group"}', code: 'missing_group_id', userId: 'single-no-group' },
    { name: 'alias without previousId', path: '/v1/alias', body: '{"userId":"single-no-prev"}', code: 'missing_previous_id', userId: 'single-no-prev' },
    {
      name: '33 levels of nesting (the event is level 1)',
      path: '/v1/track',
      body: JSON.stringify({ userId: 'single-deep', event: 'E', properties: nested(32) }),
      code: 'nesting_too_deep',
      userId: 'single-deep',
    },
    {
      name: 'a `__proto__` key',
      path: '/v1/track',
      body: '{"userId":"single-proto","event":"E","properties":{"__proto__":{"admin":true}}}',
      code: 'forbidden_key',
      userId: 'single-proto',
    },
    { name: 'a `constructor` key', path: '/v1/identify', body: '{"userId":"single-ctor","traits":{"constructor":1}}', code: 'forbidden_key', userId: 'single-ctor' },
    { name: 'a `prototype` key', path: '/v1/track', body: '{"userId":"single-prototype","event":"E","context":{"prototype":{}}}', code: 'forbidden_key', userId: 'single-prototype' },
    {
      name: 'a messageId of 101 characters',
      path: '/v1/track',
      body: JSON.stringify({ userId: 'single-mid', event: 'E', messageId: 'm'.repeat(101) }),
      code: 'message_id_too_long',
      userId: 'single-mid',
    },
    {
      name: '300 traits',
      path: '/v1/identify',
      body: JSON.stringify({ userId: 'single-traits', traits: traits(300) }),
      code: 'too_many_traits',
      userId: 'single-traits',
    },
    { name: 'an event of 32,769 bytes', path: '/v1/track', body: trackOfSize(32_769, 'single-big'), code: 'event_too_large', userId: 'single-big' },
    { name: 'a userId of 2,000 bytes', path: '/v1/track', body: JSON.stringify({ userId: 'u'.repeat(2_000), event: 'E' }), code: 'id_too_long' },
    { name: 'only blocked ids (userId "null")', path: '/v1/track', body: '{"userId":"null","event":"E"}', code: 'no_matching_identifiers', userId: 'null' },
    { name: 'only blocked ids (userId "-1", anonymousId "0")', path: '/v1/page', body: '{"userId":"-1","anonymousId":"0"}', code: 'no_matching_identifiers', userId: '-1' },
    { name: 'a bad timestamp', path: '/v1/track', body: '{"userId":"single-ts","event":"E","timestamp":"yesterday"}', code: 'invalid_timestamp', userId: 'single-ts' },
    { name: 'a suppressed userId', path: '/v1/track', body: '{"userId":"banned","event":"E"}', code: 'suppressed', userId: 'banned' },
    { name: 'a suppressed userId with an anonymousId', path: '/v1/identify', body: '{"userId":"banned","anonymousId":"anon-banned","traits":{"a":1}}', code: 'suppressed', userId: 'banned' },
  ];

  it.each(cases)('$name → 400 $code', async ({ path, body, code, userId }) => {
    const result = await post(url, path, body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody(code) });
    if (userId !== undefined) expect(await eventsOf(url, userId)).toBeUndefined();
    await expectStillServing(url);
  });
});

describe('single-event routes: just within each limit → 200', () => {
  const cases: ReadonlyArray<{ name: string; path: string; body: string; userId: string }> = [
    { name: '32 levels of nesting', path: '/v1/track', body: JSON.stringify({ userId: 'ok-deep', event: 'E', properties: nested(31) }), userId: 'ok-deep' },
    { name: 'a messageId of 100 characters', path: '/v1/track', body: JSON.stringify({ userId: 'ok-mid', event: 'E', messageId: 'm'.repeat(100) }), userId: 'ok-mid' },
    { name: '299 traits', path: '/v1/identify', body: JSON.stringify({ userId: 'ok-traits', traits: traits(299) }), userId: 'ok-traits' },
    { name: 'an event of 32,768 bytes', path: '/v1/track', body: trackOfSize(32_768, 'ok-big'), userId: 'ok-big' },
    { name: 'a groupId of 500 characters', path: '/v1/group', body: JSON.stringify({ userId: 'ok-group', groupId: 'g'.repeat(500) }), userId: 'ok-group' },
    { name: 'a blocked userId with a usable anonymousId', path: '/v1/track', body: '{"userId":"null","anonymousId":"ok-anon","event":"E"}', userId: 'null' },
  ];

  it.each(cases)('$name', async ({ path, body, userId }) => {
    const result = await post(url, path, body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    if (userId !== 'null') expect(await eventsOf(url, userId)).toBeDefined();
  });

  it('a groupId of 501 characters → 400 id_too_long', async () => {
    const result = await post(url, '/v1/group', { userId: 'bad-group', groupId: 'g'.repeat(501) });
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('id_too_long') });
    await expectStillServing(url);
  });
});

describe('batches: invalid items are rejected one by one', () => {
  it('some invalid items → 200 with `rejected` listing exact indexes and codes; the valid ones are stored', async () => {
    const valid = [
      JSON.stringify({ type: 'track', userId: 'mixed', event: 'First', messageId: 'mixed-0' }),
      JSON.stringify({ type: 'identify', userId: 'mixed', traits: { plan: 'pro' }, messageId: 'mixed-2' }),
      JSON.stringify({ type: 'page', userId: 'mixed', name: 'Pricing', messageId: 'mixed-6' }),
    ];
    const items = [
      valid[0],
      JSON.stringify({ type: 'track', userId: 'mixed' }),
      valid[1],
      JSON.stringify({ type: 'track', event: 'No Ids' }),
      JSON.stringify({ type: 'bogus', userId: 'mixed' }),
      JSON.stringify({ type: 'track', userId: 7, event: 'E' }),
      valid[2],
      JSON.stringify({ type: 'track', userId: 'mixed', event: 'E', messageId: 'm'.repeat(101) }),
      JSON.stringify({ type: 'track', userId: 'null', event: 'E' }),
      '{"type":"track","userId":"mixed","event":"E","properties":{"__proto__":{"x":1}}}',
      JSON.stringify({ type: 'track', userId: 'banned', event: 'E' }),
      JSON.stringify({ type: 'identify', userId: 'mixed', traits: traits(300) }),
      '"not an object"',
      JSON.stringify({ type: 'track', userId: 'mixed', event: 'Deep', messageId: 'mixed-13', properties: nested(31) }),
      JSON.stringify({ type: 'track', userId: 'mixed', event: 'Deeper', properties: nested(32) }),
    ];
    const result = await post(url, '/v1/batch', `{"batch":[${items.join(',')}]}`);
    const rejected = (index: number, code: string): object => ({ index, code, message: expect.stringMatching(/\S/) });
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: {
        success: true,
        rejected: [
          rejected(1, 'missing_event_name'),
          rejected(3, 'no_user_anon_id'),
          rejected(4, 'invalid_type'),
          rejected(5, 'invalid_field'),
          rejected(7, 'message_id_too_long'),
          rejected(8, 'no_matching_identifiers'),
          rejected(9, 'forbidden_key'),
          rejected(10, 'suppressed'),
          rejected(11, 'too_many_traits'),
          rejected(12, 'invalid_event'),
          rejected(14, 'nesting_too_deep'),
        ],
      },
    });
    const events = await eventsOf(url, 'mixed');
    expect(events?.map((e) => e.message_id).sort()).toEqual(['mixed-0', 'mixed-13', 'mixed-6']);
    expect(await traitsOf(url, 'mixed')).toEqual({ plan: 'pro' });
    expect(await eventsOf(url, 'banned')).toBeUndefined();
  });

  it('an item over 32,768 bytes is rejected alone in a larger batch', async () => {
    const big = JSON.parse(trackOfSize(32_769, 'batch-big')) as Record<string, unknown>;
    const body = { batch: [{ type: 'track', ...big }, { type: 'track', userId: 'batch-big', event: 'Small', messageId: 'batch-big-1' }] };
    const result = await post(url, '/v1/batch', body);
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { success: true, rejected: [{ index: 0, code: 'event_too_large', message: expect.stringMatching(/\S/) }] },
    });
    expect((await eventsOf(url, 'batch-big'))?.map((e) => e.message_id)).toEqual(['batch-big-1']);
  });

  // An item's size is its JSON as received (contract "Details fixed"): whitespace and `\u`
  // escapes count, in a batch as on the single route.
  it('an item whose JSON as received is over 32,768 bytes is rejected in a batch as on the single route', async () => {
    const properties = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'.repeat(15)]));
    // 24,966 bytes compact; 43,026 bytes as sent, pretty-printed (Python's json.dumps also adds
    // spaces, and escapes non-ASCII as \u00e9: 6 bytes for a 2-byte character).
    const pretty = JSON.stringify({ type: 'track', userId: 'batch-pretty', event: 'Pretty', messageId: 'pretty-1', properties }, null, 8);
    expect(Buffer.byteLength(pretty)).toBeGreaterThan(32_768);
    const single = await post(url, '/v1/track', pretty);
    expect({ status: single.status, body: single.body }).toEqual({ status: 400, body: errorBody('event_too_large') });
    const small = JSON.stringify({ type: 'track', userId: 'batch-pretty', event: 'Small', messageId: 'pretty-2' });
    const batch = await post(url, '/v1/batch', `{"batch":[${pretty},${small}]}`);
    expect({ status: batch.status, body: batch.body }).toEqual({
      status: 200,
      body: { success: true, rejected: [{ index: 0, code: 'event_too_large', message: expect.stringMatching(/\S/) }] },
    });
    expect((await eventsOf(url, 'batch-pretty'))?.map((e) => e.message_id)).toEqual(['pretty-2']);
  });

  it('every item invalid → 400, nothing stored', async () => {
    const body = {
      batch: [
        { type: 'track', userId: 'all-bad' },
        { type: 'track', userId: 'banned', event: 'E' },
      ],
    };
    const result = await post(url, '/v1/batch', body);
    // Exactly the contract's error shape; the per-item reasons are in the message.
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('all_items_rejected') });
    const message = (result.body as { error: { message: string } }).error.message;
    expect(message).toContain('item 0: missing_event_name');
    expect(message).toContain('item 1: suppressed');
    expect(await eventsOf(url, 'all-bad')).toBeUndefined();
    await expectStillServing(url);
  });
});

describe('hostile nesting', () => {
  // 200,000 levels fit in a 400 KB body; a recursive walk over them would overflow the stack.
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;

  it('on a single route → 400 nesting_too_deep', async () => {
    const result = await post(url, '/v1/track', `{"userId":"hostile","event":"E","properties":{"deep":${deep}}}`);
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('nesting_too_deep') });
    await expectStillServing(url);
  });

  it('in a batch item → that item rejected', async () => {
    const body = `{"batch":[{"type":"track","userId":"hostile","event":"E","properties":${deep}},{"type":"track","userId":"hostile","event":"Fine","messageId":"hostile-1"}]}`;
    const result = await post(url, '/v1/batch', body);
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { success: true, rejected: [{ index: 0, code: 'nesting_too_deep', message: expect.stringMatching(/\S/) }] },
    });
    expect((await eventsOf(url, 'hostile'))?.map((e) => e.message_id)).toEqual(['hostile-1']);
  });

  it('in the batch envelope → 400, nothing stored', async () => {
    const body = `{"context":{"deep":${deep}},"batch":[{"type":"track","userId":"hostile-envelope","event":"E"}]}`;
    const result = await post(url, '/v1/batch', body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: errorBody('invalid_body') });
    expect(await eventsOf(url, 'hostile-envelope')).toBeUndefined();
    await expectStillServing(url);
  });
});

describe('batch-level context and integrations', () => {
  it('merge into each item; an item’s own top-level context keys win', async () => {
    const body = {
      context: { ip: '10.0.0.1', library: { name: 'analytics-test', version: '1.0.0' } },
      integrations: { All: false },
      batch: [
        { type: 'track', userId: 'ctx', event: 'Plain', messageId: 'ctx-plain' },
        {
          type: 'track',
          userId: 'ctx',
          event: 'Own',
          messageId: 'ctx-own',
          context: { ip: '10.0.0.2', page: { path: '/pricing' } },
        },
      ],
    };
    const result = await post(url, '/v1/batch', body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
    const events = await eventsOf(url, 'ctx');
    const byId = new Map((events ?? []).map((e) => [e.message_id, e.context]));
    expect(byId.get('ctx-plain')).toEqual({ ip: '10.0.0.1', library: { name: 'analytics-test', version: '1.0.0' } });
    expect(byId.get('ctx-own')).toEqual({ ip: '10.0.0.2', library: { name: 'analytics-test', version: '1.0.0' }, page: { path: '/pricing' } });
  });
});
