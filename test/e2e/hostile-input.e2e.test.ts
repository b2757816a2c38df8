import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { metricValue } from '../support/metric-value.ts';
import { advanceClock, eventsOf, get, post, SUCCESS, traitsOf, type HttpResult } from './tracking-http.ts';

// Issue 9, against the real HTTP server: each class of hostile input, tried in several variants.
// 1 ids LMDB cannot key · 2 unpaired surrogates · 3 amplified batch envelopes · 4 groupId counted
// in characters · 5 prototype-named ids · 8 unbounded admin bodies and client aborts · numbers
// and timestamps out of range.

interface LogLine {
  readonly level: number;
  readonly msg: string;
}

const logLines: LogLine[] = [];
let server: TestServer;
let url: string;

beforeAll(async () => {
  // Debug level, captured: class 8 asserts what a client abort writes to the log.
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) });
  server = await startTestServer({ clock: 'manual', log });
  url = server.url;
});

afterAll(async () => {
  await server.destroy();
});

const USERS = '/v1/spaces/default/collections/users/profiles';
const ACCOUNTS = '/v1/spaces/default/collections/accounts/profiles';
const NOT_FOUND = { error: { code: 'not_found', message: 'Profile was not found.' } };
const LONE = 'holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)';

function error(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

async function call(method: string, path: string, auth: string, body?: string): Promise<HttpResult> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? '' : (JSON.parse(text) as unknown) };
}

/** A single-event call whose body is sent exactly as written (JSON escapes included). */
async function send(path: string, body: string): Promise<{ status: number; body: unknown }> {
  const result = await post(url, path, body);
  return { status: result.status, body: result.body };
}

/** UTF-8 text of `bytes` bytes made of `char` (1 to 4 bytes each). */
function textOfBytes(char: string, bytes: number): string {
  return char.repeat(Math.ceil(bytes / Buffer.byteLength(char)));
}

describe('class 1: ids longer than storage keys allow', () => {
  // Over the key limit (LMDB refused it: a 500) and over ~4 KB (lmdb-js's key buffer: `String does
  // not fit in target buffer`, a 500 even on a read). Percent-encoding triples non-ASCII, so those
  // stay under 4,500 bytes to keep the URL within Node's 16 KB header limit (else 431).
  const overLong = fc.oneof(
    fc.integer({ min: 1537, max: 12_000 }).map((bytes) => textOfBytes('x', bytes)),
    fc.tuple(fc.constantFrom('é', '漢', '😀'), fc.integer({ min: 1537, max: 4500 })).map(([char, bytes]) => textOfBytes(char, bytes)),
  );

  it('a Profile API lookup by one answers 404, for every resource and id form (property)', async () => {
    await fc.assert(
      fc.asyncProperty(overLong, fc.constantFrom('traits', 'events', 'external_ids', 'metadata', 'links'), fc.constantFrom('user_id:', 'email:', ''), async (id, resource, prefix) => {
        const result = await get(url, `${USERS}/${prefix}${encodeURIComponent(id)}/${resource}`, DEV_AUTH.access);
        expect({ status: result.status, body: result.body }).toEqual({ status: 404, body: NOT_FOUND });
      }),
      { numRuns: 25 },
    );
    // The id type is bounded too, and the accounts collection.
    for (const path of [`${USERS}/${'t'.repeat(3000)}:v/traits`, `${ACCOUNTS}/group_id:${encodeURIComponent('g'.repeat(4000))}/traits`]) {
      const result = await get(url, path, DEV_AUTH.access);
      expect({ path: path.slice(0, 60), status: result.status, body: result.body }).toEqual({ path: path.slice(0, 60), status: 404, body: NOT_FOUND });
    }
  });

  it('a profile deletion by one answers 404', async () => {
    for (const id of [`user_id:${'x'.repeat(3000)}`, `user_id:${'x'.repeat(9000)}`, `anonymous_id:${encodeURIComponent('😀'.repeat(1100))}`, 'u'.repeat(5000), `${'t'.repeat(500)}:v`]) {
      const result = await call('DELETE', `${USERS}/${id}`, DEV_AUTH.admin);
      expect({ status: result.status, body: result.body }).toEqual({ status: 404, body: NOT_FOUND });
    }
  });

  it('a suppression of one is a 400 naming the limit; the longest allowed one works end to end', async () => {
    for (const userId of [textOfBytes('x', 1537), textOfBytes('漢', 3000), textOfBytes('😀', 4500), textOfBytes('x', 10_000)]) {
      const result = await post(url, '/v1/spaces/default/suppressions', { userId }, { auth: DEV_AUTH.admin });
      expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: error('id_too_long', 'userId is longer than 1536 UTF-8 bytes') });
      const removed = await call('DELETE', `/v1/spaces/default/suppressions/${encodeURIComponent(userId)}`, DEV_AUTH.admin);
      expect({ status: removed.status, body: removed.body }).toEqual({ status: 404, body: error('not_found', 'That userId is not suppressed.') });
    }
    const longest = 'é'.repeat(768);
    expect((await post(url, '/v1/spaces/default/suppressions', { userId: longest }, { auth: DEV_AUTH.admin })).status).toBe(201);
    expect(await send('/v1/track', JSON.stringify({ userId: longest, event: 'E' }))).toMatchObject({ status: 400, body: { error: { code: 'suppressed' } } });
    expect((await call('DELETE', `/v1/spaces/default/suppressions/${encodeURIComponent(longest)}`, DEV_AUTH.admin)).status).toBe(204);
    expect(await send('/v1/track', JSON.stringify({ userId: longest, event: 'E' }))).toEqual({ status: 200, body: SUCCESS });
  });

  it('a forged list cursor holding one is a 400 naming `next`, never a 500', async () => {
    await send('/v1/track', JSON.stringify({ userId: 'cursor-user', event: 'E' }));
    const cursors = (messageId: string) => ({
      events: Buffer.from(`1700000000000::${messageId}`, 'utf8').toString('base64url'),
      log: Buffer.from(JSON.stringify([1700000000000, messageId, 'use_x']), 'utf8').toString('base64url'),
    });
    for (const messageId of ['m'.repeat(101), textOfBytes('😀', 3000), 'x'.repeat(4000)]) {
      const { events, log } = cursors(messageId);
      const eventsPage = await get(url, `${USERS}/user_id:cursor-user/events?next=${events}`, DEV_AUTH.access);
      expect({ status: eventsPage.status, body: eventsPage.body }).toEqual({ status: 400, body: error('invalid_request_error', 'The parameter `next` is not a cursor this API returned.') });
      for (const list of ['insights', 'id-graph-updates']) {
        const page = await get(url, `/v1/spaces/default/${list}?next=${log}`, DEV_AUTH.admin);
        expect({ list, status: page.status, body: page.body }).toEqual({ list, status: 400, body: error('invalid_request_error', '`next` is not a cursor this API issued.') });
      }
    }
  });
});

describe('class 2: unpaired surrogates', () => {
  it('two messageIds differing only by one are both refused: none is acknowledged and lost', async () => {
    for (const messageId of ['dup\\ud800', 'dup\\udfff', 'dup\\ufffd']) {
      const result = await send('/v1/track', `{"userId":"surrogate-mid","event":"E","messageId":"${messageId}"}`);
      if (messageId === 'dup\\ufffd') expect(result).toEqual({ status: 200, body: SUCCESS });
      else expect(result).toEqual({ status: 400, body: error('invalid_unicode', `messageId ${LONE}`) });
    }
    expect((await eventsOf(url, 'surrogate-mid'))?.map((e) => e.message_id)).toEqual(['dup\ufffd']);
  });

  it('a userId ending in one never writes onto the profile of the userId ending in U+FFFD', async () => {
    expect(await send('/v1/identify', '{"userId":"victim\\ufffd","traits":{"plan":"pro"}}')).toEqual({ status: 200, body: SUCCESS });
    expect(await send('/v1/identify', '{"userId":"victim\\ud83d","traits":{"plan":"hacked"}}')).toEqual({ status: 400, body: error('invalid_unicode', `userId ${LONE}`) });
    expect(await traitsOf(url, 'victim\ufffd')).toEqual({ plan: 'pro' });
  });

  it('is refused in every id, name, key and property, naming where (batch items)', async () => {
    const items: ReadonlyArray<readonly [string, string]> = [
      ['{"type":"track","userId":"s-ok","event":"E"}', ''],
      ['{"type":"track","anonymousId":"a\\udc00","event":"E"}', `anonymousId ${LONE}`],
      ['{"type":"track","userId":"s1","event":"Signed \\ud800Up"}', `event ${LONE}`],
      ['{"type":"group","userId":"s1","groupId":"g\\ud800"}', `groupId ${LONE}`],
      ['{"type":"alias","userId":"s1","previousId":"\\udbff"}', `previousId ${LONE}`],
      ['{"type":"identify","userId":"s1","traits":{"email":"a\\ud800@b.c"}}', `traits.email ${LONE}`],
      ['{"type":"identify","userId":"s1","traits":{"nick\\ud800":"x"}}', `the key at traits.nick\ufffd ${LONE}`],
      ['{"type":"track","userId":"s1","event":"E","properties":{"items":[{"name":"\\udc00"}]}}', `properties.items[0].name ${LONE}`],
      ['{"type":"track","userId":"s1","event":"E","context":{"externalIds":[{"id":"1","type":"ph\\ud800"}]}}', `context.externalIds[0].type ${LONE}`],
      ['{"type":"page","userId":"s1","name":"\\ud800"}', `name ${LONE}`],
    ];
    const result = await send('/v1/batch', `{"batch":[${items.map(([item]) => item).join(',')}]}`);
    expect(result).toEqual({
      status: 200,
      body: {
        success: true,
        rejected: items.slice(1).map(([, message], i) => ({ index: i + 1, code: 'invalid_unicode', message })),
      },
    });
    // Nothing of s1 was stored: every one of its items was refused.
    expect(await eventsOf(url, 's1')).toBeUndefined();
  });

  it('is refused in a body writeKey, a suppression userId and a batch envelope', async () => {
    expect(await post(url, '/v1/track', '{"writeKey":"dev-write-key\\ud800","userId":"u","event":"E"}', { auth: null })).toMatchObject({
      status: 400,
      body: error('invalid_unicode', `writeKey ${LONE}`),
    });
    const suppression = await post(url, '/v1/spaces/default/suppressions', '{"userId":"banned\\ud800"}', { auth: DEV_AUTH.admin });
    expect({ status: suppression.status, body: suppression.body }).toEqual({ status: 400, body: error('invalid_unicode', `userId ${LONE}`) });
    expect(await send('/v1/batch', '{"context":{"ip":"\\ud800"},"batch":[{"type":"track","userId":"u","event":"E"}]}')).toEqual({
      status: 400,
      body: error('invalid_body', `batch envelope: context.ip ${LONE}`),
    });
  });
});

describe('class 3: a batch envelope merged into every item', () => {
  it('a 400 KB envelope context with 100 tiny items stores nothing: each item is over the event limit as stored', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', userId: `amplified-${i}`, event: 'E' }));
    const body = JSON.stringify({ context: { blob: 'x'.repeat(400_000) }, batch });
    expect(Buffer.byteLength(body)).toBeLessThan(512_000);
    const result = await send('/v1/batch', body);
    expect(result.status).toBe(400);
    const message = (result.body as { error: { code: string; message: string } }).error;
    expect(message.code).toBe('all_items_rejected');
    expect(message.message).toMatch(
      /^All 100 items were rejected: item 0: event_too_large \(event is 400\d{3} bytes of JSON once the batch's context and integrations are merged into it \(\d+ as sent\); the limit is 32768\)/,
    );
    for (const i of [0, 50, 99]) expect(await eventsOf(url, `amplified-${i}`)).toBeUndefined();
  });

  it('keeps items the envelope does not push over, with the envelope merged in', async () => {
    const body = JSON.stringify({
      context: { blob: 'x'.repeat(20_000), locale: 'fr' },
      integrations: { All: false },
      batch: [
        { type: 'track', userId: 'env-small', event: 'Small' },
        { type: 'track', userId: 'env-big', event: 'Big', properties: { pad: 'p'.repeat(13_000) } },
        { type: 'track', userId: 'env-override', event: 'Override', properties: { pad: 'p'.repeat(13_000) }, context: { blob: 'own' } },
      ],
    });
    const result = await send('/v1/batch', body);
    expect(result).toMatchObject({ status: 200, body: { success: true, rejected: [{ index: 1, code: 'event_too_large' }] } });
    expect((await eventsOf(url, 'env-small'))?.map((e) => [e.event, e.context])).toEqual([['Small', { blob: 'x'.repeat(20_000), locale: 'fr' }]]);
    expect(await eventsOf(url, 'env-big')).toBeUndefined();
    expect((await eventsOf(url, 'env-override'))?.map((e) => e.context)).toEqual([{ blob: 'own', locale: 'fr' }]);
  });
});

describe('class 4: groupId is counted in characters, bounded in bytes', () => {
  it('a groupId of 400 CJK characters links the user and finds the account', async () => {
    const groupId = '漢'.repeat(400);
    expect(await send('/v1/group', JSON.stringify({ userId: 'cjk-member', groupId, traits: { name: 'Kanji Co' } }))).toEqual({ status: 200, body: SUCCESS });
    const account = await get(url, `${ACCOUNTS}/group_id:${encodeURIComponent(groupId)}/traits`, DEV_AUTH.access);
    expect({ status: account.status, body: account.body }).toMatchObject({ status: 200, body: { traits: { name: 'Kanji Co' } } });
    const links = await get(url, `${USERS}/user_id:cjk-member/links`, DEV_AUTH.access);
    expect((links.body as { data: Array<{ external_ids: Array<{ id: string }> }> }).data.map((l) => l.external_ids[0]?.id)).toEqual([groupId]);
  });

  it('500 characters are accepted whatever their width, up to the byte bound (property over widths)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('g', 'é', '漢', '😀'), fc.integer({ min: 495, max: 505 }), async (char, count) => {
        const groupId = char.repeat(count);
        const bytes = Buffer.byteLength(groupId);
        const expected =
          count > 500
            ? { status: 400, body: error('id_too_long', 'groupId is longer than 500 characters') }
            : bytes > 1536
              ? { status: 400, body: error('id_too_long', 'groupId is longer than 1536 UTF-8 bytes') }
              : { status: 200, body: SUCCESS };
        expect(await send('/v1/group', JSON.stringify({ userId: 'width-member', groupId }))).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });
});

describe('class 5: ids and trait names like Object.prototype members', () => {
  const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

  it('group ids link a user that already has links, and each account is found', async () => {
    expect(await send('/v1/group', JSON.stringify({ userId: 'proto-member', groupId: 'acme' }))).toEqual({ status: 200, body: SUCCESS });
    for (const groupId of NAMES) {
      expect(await send('/v1/group', JSON.stringify({ userId: 'proto-member', groupId, traits: { label: `account ${groupId}` } }))).toEqual({ status: 200, body: SUCCESS });
      const account = await get(url, `${ACCOUNTS}/group_id:${groupId}/traits`, DEV_AUTH.access);
      expect({ status: account.status, body: account.body }).toMatchObject({ status: 200, body: { traits: { label: `account ${groupId}` } } });
    }
    const links = await get(url, `${USERS}/user_id:proto-member/links?limit=20`, DEV_AUTH.access);
    expect((links.body as { data: Array<{ external_ids: Array<{ id: string }> }> }).data.map((l) => l.external_ids[0]?.id)).toEqual(['acme', ...NAMES]);
  });

  it('userIds and trait names work end to end, through a merge', async () => {
    for (const userId of NAMES) {
      expect(await send('/v1/identify', JSON.stringify({ userId, traits: { who: userId } }))).toEqual({ status: 200, body: SUCCESS });
      expect(await traitsOf(url, userId)).toEqual({ who: userId });
    }
    // The winner (created first) has none of these traits; the loser, an anonymous profile, has them all.
    expect(await send('/v1/identify', JSON.stringify({ userId: 'proto-traits', traits: { plan: 'pro' } }))).toEqual({ status: 200, body: SUCCESS });
    const traits = Object.fromEntries(NAMES.filter((n) => n !== 'constructor').map((n) => [n, `v-${n}`]));
    expect(await send('/v1/identify', JSON.stringify({ anonymousId: 'proto-anon', traits }))).toEqual({ status: 200, body: SUCCESS });
    expect(await send('/v1/track', JSON.stringify({ userId: 'proto-traits', anonymousId: 'proto-anon', event: 'Merged' }))).toEqual({ status: 200, body: SUCCESS });
    expect(await traitsOf(url, 'proto-traits')).toEqual({ plan: 'pro', ...traits });
  });

  it('a Content-Encoding named like one is unsupported, not a decoder found on Object.prototype', async () => {
    for (const encoding of [...NAMES, '__proto__']) {
      const result = await post(url, '/v1/track', { userId: 'encoded', event: 'E' }, { headers: { 'content-encoding': encoding } });
      expect({ encoding, status: result.status, body: result.body }).toEqual({
        encoding,
        status: 400,
        body: error('invalid_encoding', `Content-Encoding ${JSON.stringify(encoding.toLowerCase())} is not supported; send gzip, deflate, br or none.`),
      });
    }
    expect(await eventsOf(url, 'encoded')).toBeUndefined();
  });
});

describe('class 8: admin bodies are bounded, client aborts are not server errors', () => {
  it('an admin body over 64 KB is a 400, declared, streamed or inflated', async () => {
    const big = JSON.stringify({ userId: 'u', pad: 'x'.repeat(70_000) });
    const tooLarge = error('request_too_large', 'The request body exceeds 65536 bytes.');
    for (const path of ['/v1/spaces/default/suppressions', '/v1/admin/clock']) {
      const declared = await post(url, path, big, { auth: DEV_AUTH.admin });
      expect({ path, status: declared.status, body: declared.body }).toEqual({ path, status: 400, body: tooLarge });
      const inflated = await post(url, path, gzipSync(Buffer.from(`{"userId":"u","pad":"${' '.repeat(2_000_000)}"}`)), { auth: DEV_AUTH.admin, headers: { 'content-encoding': 'gzip' } });
      expect({ path, status: inflated.status, body: inflated.body }).toEqual({ path, status: 400, body: tooLarge });
    }
    // A streamed body without Content-Length is counted as it arrives.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    const response = await fetch(`${url}/v1/spaces/default/suppressions`, { method: 'POST', headers: { authorization: DEV_AUTH.admin }, body: stream, duplex: 'half' } as RequestInit);
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 400, body: tooLarge });
    // Nothing was suppressed, and small bodies still work.
    expect(await send('/v1/track', JSON.stringify({ userId: 'u', event: 'E' }))).toEqual({ status: 200, body: SUCCESS });
    expect((await post(url, '/v1/admin/clock', { advanceMs: 0 }, { auth: DEV_AUTH.admin })).status).toBe(200);
  });

  it('a client that hangs up mid-body is logged at debug, not error, and counted in /metrics', async () => {
    const before = await metricValue(url, 'troupe_client_aborts_total');
    const errorsBefore = logLines.filter((l) => l.level >= 50).length;
    const { hostname, port } = new URL(url);
    const targets = [
      ['/v1/track', DEV_AUTH.write],
      ['/v1/batch', DEV_AUTH.write],
      ['/v1/spaces/default/suppressions', DEV_AUTH.admin],
      ['/v1/admin/clock', DEV_AUTH.admin],
    ] as const;
    for (const [path, auth] of targets) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"userId":`);
          // Long enough for the server to start reading the body.
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', reject);
      });
    }
    const deadline = Date.now() + 10_000;
    while ((await metricValue(url, 'troupe_client_aborts_total')) < before + targets.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await metricValue(url, 'troupe_client_aborts_total')).toBe(before + targets.length);
    expect(logLines.filter((l) => l.level >= 50).slice(errorsBefore)).toEqual([]);
    expect(logLines.filter((l) => l.msg === 'client closed the connection mid-request').map((l) => l.level)).toEqual(targets.map(() => 20));
    expect(await send('/v1/track', JSON.stringify({ userId: 'after-aborts', event: 'E' }))).toEqual({ status: 200, body: SUCCESS });
  });
});

describe('class 8: a body stalled past requestTimeoutMs, a hang-up after the body', () => {
  const lines: LogLine[] = [];
  let slow: TestServer;

  beforeAll(async () => {
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    slow = await startTestServer({ requestTimeoutMs: 500, log });
  });

  afterAll(async () => {
    await slow.destroy();
  });

  /** Sends `head` and waits for the server to close the connection (or `closeAfterMs`, then closes it). */
  function rawRequest(head: string, closeAfterMs?: number): Promise<string> {
    const { hostname, port } = new URL(slow.url);
    return new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(Number(port), hostname, () => {
        socket.write(head);
        if (closeAfterMs !== undefined) setTimeout(() => socket.destroy(), closeAfterMs);
      });
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
  }

  it('the slow client gets its 408; the log gets debug lines, not stack traces', async () => {
    const { hostname } = new URL(slow.url);
    const stalled = `POST /v1/track HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${DEV_AUTH.write}\r\nContent-Length: 1000\r\n\r\n{"userId":`;
    const replies = await Promise.all([rawRequest(stalled), rawRequest(stalled), rawRequest(stalled)]);
    expect(replies.map((reply) => reply.split('\r\n')[0])).toEqual(Array(3).fill('HTTP/1.1 408 Request Timeout'));
    // A client that sends a whole valid body and hangs up before the answer: the event is still
    // committed (the request ran to the end) and nothing is logged as an error.
    const body = JSON.stringify({ userId: 'hung-up', event: 'E' });
    await rawRequest(`POST /v1/track HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${DEV_AUTH.write}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 0);
    const deadline = Date.now() + 10_000;
    while ((await metricValue(slow.url, 'troupe_client_aborts_total')) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await metricValue(slow.url, 'troupe_client_aborts_total')).toBe(3);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(lines.filter((l) => l.msg === 'client closed the connection mid-request')).toHaveLength(3);
    for (let i = 0; i < 100 && (await eventsOf(slow.url, 'hung-up'))?.length !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await eventsOf(slow.url, 'hung-up'))?.map((e) => e.event)).toEqual(['E']);
  });
});

describe('numbers and timestamps out of range', () => {
  it('a number JSON cannot hold is refused naming its path, not stored as null', async () => {
    for (const [body, path] of [
      ['{"userId":"huge","event":"E","properties":{"price":1e400}}', 'properties.price'],
      ['{"userId":"huge","event":"E","properties":{"list":[1,-2e999]}}', 'properties.list[1]'],
      ['{"userId":"huge","event":"E","context":{"screen":{"density":1E309}}}', 'context.screen.density'],
    ] as const) {
      expect(await send('/v1/track', body)).toEqual({
        status: 400,
        body: error('invalid_field', `${path} is a number out of range: JSON numbers must be finite (at most ±1.7976931348623157e308)`),
      });
    }
    expect(await eventsOf(url, 'huge')).toBeUndefined();
  });

  it('a timestamp over a year ahead is refused; one within a year is kept and shows when its time comes', async () => {
    const now = await advanceClock(url, 0);
    const DAY = 86_400_000;
    const far = new Date(now + 366 * DAY).toISOString();
    for (const timestamp of ['9999-12-31T23:59:59Z', far]) {
      const result = await send('/v1/track', JSON.stringify({ userId: 'future', event: 'Far', timestamp }));
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'invalid_timestamp' } } });
      expect((result.body as { error: { message: string } }).error.message).toMatch(/^timestamp is more than a year after the event was received \(/);
    }
    const near = new Date(now + 300 * DAY).toISOString();
    expect(await send('/v1/track', JSON.stringify({ userId: 'future', event: 'Near', timestamp: near }))).toEqual({ status: 200, body: SUCCESS });
    expect(await eventsOf(url, 'future')).toEqual([]);
    await advanceClock(url, 300 * DAY);
    expect((await eventsOf(url, 'future'))?.map((e) => [e.event, e.timestamp])).toEqual([['Near', near]]);
  });
});
