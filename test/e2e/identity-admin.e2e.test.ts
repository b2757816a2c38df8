import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpaceConfig } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { deriveSourceId } from '../../src/config/source-id.ts';
import { asSpaceId } from '../../src/shared/ids.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { advanceClock, errorBody, get, post, SUCCESS } from './tracking-http.ts';

// Identity administration with the admin token: Profiles Insights (segment-reference §4.3 step 6,
// §4.4: the violation names verbatim), suppressions (§7.2 SUPPRESS_ONLY, SUPPRESS_WITH_DELETE;
// contract "Details fixed": `suppressedUserIds`, code `suppressed`), and time-framed identifier
// limits (§4.4 "5 Weekly") on a manual clock.

const DAY = 24 * 60 * 60 * 1000;
const DEV_SOURCE = deriveSourceId('dev-write-key');
const OTHER_ADMIN = 'Bearer other-admin-token';
const iso = (at: number): string => new Date(at).toISOString();

interface Insight {
  readonly at: string;
  readonly type: string;
  readonly message: string;
  readonly messageId: string;
  readonly eventType: string;
  readonly sourceId: string;
  readonly identifier?: { readonly type: string; readonly value: string };
  readonly profileId?: string;
}

interface InsightsPage {
  readonly insights: Insight[];
  readonly cursor: { readonly has_more: boolean; readonly next: string };
}

interface EventItem {
  readonly message_id: string;
  readonly related: { readonly users: string };
}

/** The default space (with `cfg-banned` suppressed in config, and `identity` as given) and `other`. */
function spaces(identity?: SpaceConfig['identity']): SpaceConfig[] {
  const [space] = loadConfig({ env: { TROUPE_LOG_LEVEL: 'silent' } }).spaces;
  if (space === undefined) throw new Error('the default config has a space');
  const other: SpaceConfig = {
    id: asSpaceId('other'),
    writeKeys: [{ key: 'other-write-key', sourceId: deriveSourceId('other-write-key'), name: 'other' }],
    accessTokens: ['other-access-token'],
    adminTokens: ['other-admin-token'],
    notifyTransientFailures: true,
    identity: { identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false },
    suppressedUserIds: [],
  };
  return [{ ...space, suppressedUserIds: ['cfg-banned'], ...(identity === undefined ? {} : { identity }) }, other];
}

/** Client calls against whichever server is current. */
function client(urlOf: () => string) {
  const profilePath = (lookup: string, resource: string): string => {
    const colon = lookup.indexOf(':');
    return `/v1/spaces/default/collections/users/profiles/${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}/${resource}`;
  };
  const api = {
    async send(route: string, body: object): Promise<void> {
      const result = await post(urlOf(), route, body);
      expect({ route, status: result.status, body: result.body }).toEqual({ route, status: 200, body: SUCCESS });
    },
    async track(route: string, body: object): Promise<{ status: number; body: unknown }> {
      const result = await post(urlOf(), route, body);
      return { status: result.status, body: result.body };
    },
    async insights(query = '', auth: string = DEV_AUTH.admin, space = 'default'): Promise<{ status: number; body: unknown }> {
      const result = await get(urlOf(), `/v1/spaces/${space}/insights${query === '' ? '' : `?${query}`}`, auth);
      return { status: result.status, body: result.body };
    },
    /**
     * The newest insights once the newest one is about `messageId`. Insights are written without
     * holding up the event's acknowledgement (insights-log.ts), so they may show a moment later.
     */
    async insightsUpTo(messageId: string, count: number): Promise<Insight[]> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const { status, body } = await api.insights(`limit=${count}`);
        expect(status).toBe(200);
        const list = (body as InsightsPage).insights;
        if (list[0]?.messageId === messageId || Date.now() > deadline) return list;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async suppress(body: unknown, auth: string | null = DEV_AUTH.admin, space = 'default'): Promise<{ status: number; body: unknown }> {
      const result = await post(urlOf(), `/v1/spaces/${space}/suppressions`, typeof body === 'string' ? body : JSON.stringify(body), { auth });
      return { status: result.status, body: result.body };
    },
    async suppressions(auth: string = DEV_AUTH.admin, space = 'default'): Promise<{ status: number; body: unknown }> {
      const result = await get(urlOf(), `/v1/spaces/${space}/suppressions`, auth);
      return { status: result.status, body: result.body };
    },
    async unsuppress(userId: string, auth: string = DEV_AUTH.admin): Promise<{ status: number; body: unknown }> {
      const response = await fetch(`${urlOf()}/v1/spaces/default/suppressions/${encodeURIComponent(userId)}`, { method: 'DELETE', headers: { authorization: auth } });
      const text = await response.text();
      return { status: response.status, body: text === '' ? '' : (JSON.parse(text) as unknown) };
    },
    async events(lookup: string): Promise<EventItem[] | undefined> {
      const result = await get(urlOf(), `${profilePath(lookup, 'events')}?limit=100`, DEV_AUTH.access);
      if (result.status === 404) return undefined;
      expect(result.status).toBe(200);
      return (result.body as { data: EventItem[] }).data;
    },
    async externalIds(lookup: string): Promise<string[] | undefined> {
      const result = await get(urlOf(), `${profilePath(lookup, 'external_ids')}?limit=100`, DEV_AUTH.access);
      if (result.status === 404) return undefined;
      expect(result.status).toBe(200);
      return (result.body as { data: Array<{ type: string; id: string }> }).data.map((id) => `${id.type}:${id.id}`).sort();
    },
    tick: (ms = 1000): Promise<number> => advanceClock(urlOf(), ms),
  };
  return api;
}

const messageIds = (list: readonly EventItem[] | undefined): string[] | undefined => list?.map((e) => e.message_id);

describe('insights', () => {
  let server: TestServer;
  const api = client(() => server.url);

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual', spaces: spaces() });
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('a blocked value, a demotion and an event with no identifiers are listed newest first, with messageId and exact types', async () => {
    const t1 = await api.tick();
    await api.send('/v1/track', { userId: 'null', anonymousId: 'ins-a1', event: 'Blocked', messageId: 'ins-blocked' });
    const t2 = await api.tick();
    await api.send('/v1/track', { userId: 'ins-u1', anonymousId: 'ins-a2', event: 'First', messageId: 'ins-first' });
    const u1 = (await api.events('user_id:ins-u1'))?.[0]?.related.users;
    await api.send('/v1/track', { userId: 'ins-u2', anonymousId: 'ins-a2', event: 'Second', messageId: 'ins-demoted' });
    const u2 = (await api.events('user_id:ins-u2'))?.[0]?.related.users;
    expect(u2).not.toBe(u1);
    const t3 = await api.tick();
    expect(await api.track('/v1/track', { userId: 'anonymous', event: 'Nobody', messageId: 'ins-none' })).toEqual({ status: 400, body: errorBody('no_matching_identifiers') });

    const common = { message: expect.stringMatching(/\S/), eventType: 'track', sourceId: DEV_SOURCE };
    expect(await api.insightsUpTo('ins-none', 4)).toEqual([
      { ...common, at: iso(t3), type: 'No matching identifiers on event', messageId: 'ins-none' },
      { ...common, at: iso(t3), type: 'ID value blocked', messageId: 'ins-none', identifier: { type: 'user_id', value: 'anonymous' } },
      { ...common, at: iso(t2), type: 'Identifier value limit exceeded', messageId: 'ins-demoted', identifier: { type: 'anonymous_id', value: 'ins-a2' }, profileId: u1 },
      { ...common, at: iso(t1), type: 'ID value blocked', messageId: 'ins-blocked', identifier: { type: 'user_id', value: 'null' } },
    ]);
    // The demoted id stayed where it was; the event still landed, on a profile of its own.
    expect(await api.externalIds('user_id:ins-u2')).toEqual(['user_id:ins-u2']);
    expect(await api.externalIds('user_id:ins-u1')).toEqual(['anonymous_id:ins-a2', 'user_id:ins-u1']);
  });

  it('`limit` and `next` page through the list: every insight once, in order', async () => {
    await api.tick();
    for (let i = 0; i < 5; i++) await api.send('/v1/track', { userId: '-1', anonymousId: `ins-page-${i}`, event: 'Paged', messageId: `ins-page-${i}` });
    await api.insightsUpTo('ins-page-4', 1);
    const whole = (await api.insights('limit=500')).body as InsightsPage;
    expect(whole.cursor).toEqual({ has_more: false, next: '' });
    expect(whole.insights.slice(0, 5).map((i) => i.messageId)).toEqual(['ins-page-4', 'ins-page-3', 'ins-page-2', 'ins-page-1', 'ins-page-0']);

    const paged: Insight[] = [];
    let query = 'limit=2';
    for (let page = 0; page < 50; page++) {
      const { status, body } = await api.insights(query);
      expect(status).toBe(200);
      const { insights, cursor } = body as InsightsPage;
      expect(insights.length).toBeLessThanOrEqual(2);
      paged.push(...insights);
      if (!cursor.has_more) {
        expect(cursor.next).toBe('');
        break;
      }
      query = `limit=2&next=${encodeURIComponent(cursor.next)}`;
    }
    expect(paged).toEqual(whole.insights);
  });

  it('bad `limit` or `next` → 400 invalid_request_error', async () => {
    for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'next=not-a-cursor']) {
      expect({ query, ...(await api.insights(query)) }).toEqual({ query, status: 400, body: errorBody('invalid_request_error') });
    }
  });

  it('no token or a non-admin token → 401; another space\'s admin token → 404; each space sees only its own', async () => {
    const result = await fetch(`${server.url}/v1/spaces/default/insights`);
    expect({ status: result.status, body: await result.json() }).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await api.insights('', DEV_AUTH.access)).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await api.insights('', 'Bearer nope')).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await api.insights('', OTHER_ADMIN)).toEqual({ status: 404, body: errorBody('not_found') });
    expect(await api.insights('', DEV_AUTH.admin, 'other')).toEqual({ status: 404, body: errorBody('not_found') });
    expect(await api.insights('', OTHER_ADMIN, 'other')).toEqual({ status: 200, body: { insights: [], cursor: { has_more: false, next: '' } } });
  });
});

describe('suppressions', () => {
  let server: TestServer;
  const api = client(() => server.url);

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual', spaces: spaces() });
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('POST {userId} → 201; its events are rejected (`suppressed`); GET lists it; DELETE → 204 and its events are accepted again', async () => {
    await api.tick();
    await api.send('/v1/track', { userId: 'sup-u1', event: 'Before', messageId: 'sup-1' });
    const at = await api.tick();
    expect(await api.suppress({ userId: 'sup-u1' })).toEqual({ status: 201, body: { suppression: { userId: 'sup-u1', source: 'api', at: iso(at) } } });

    expect(await api.track('/v1/track', { userId: 'sup-u1', event: 'During', messageId: 'sup-2' })).toEqual({ status: 400, body: errorBody('suppressed') });
    expect(await api.track('/v1/identify', { userId: 'sup-u1', anonymousId: 'sup-anon', traits: { a: 1 }, messageId: 'sup-3' })).toEqual({
      status: 400,
      body: errorBody('suppressed'),
    });
    expect(
      await api.track('/v1/batch', {
        batch: [
          { type: 'track', userId: 'sup-other', event: 'Fine', messageId: 'sup-4' },
          { type: 'track', userId: 'sup-u1', event: 'During', messageId: 'sup-5' },
        ],
      }),
    ).toEqual({ status: 200, body: { success: true, rejected: [{ index: 1, code: 'suppressed', message: expect.stringMatching(/\S/) }] } });
    // Suppression blocks new data; it does not delete the profile.
    expect(messageIds(await api.events('user_id:sup-u1'))).toEqual(['sup-1']);
    expect(messageIds(await api.events('user_id:sup-other'))).toEqual(['sup-4']);
    expect(await api.events('anonymous_id:sup-anon')).toBeUndefined();

    expect(await api.suppressions()).toEqual({
      status: 200,
      body: { suppressions: [{ userId: 'cfg-banned', source: 'config', at: null }, { userId: 'sup-u1', source: 'api', at: iso(at) }] },
    });

    expect(await api.unsuppress('sup-u1')).toEqual({ status: 204, body: '' });
    expect(await api.unsuppress('sup-u1')).toEqual({ status: 404, body: errorBody('not_found') });
    await api.send('/v1/track', { userId: 'sup-u1', event: 'After', messageId: 'sup-6' });
    // The rejected messageIds were never accepted, so they are not duplicates now.
    await api.send('/v1/track', { userId: 'sup-u1', event: 'During', messageId: 'sup-2' });
    expect(messageIds(await api.events('user_id:sup-u1'))?.sort()).toEqual(['sup-1', 'sup-2', 'sup-6']);
    expect(await api.suppressions()).toEqual({ status: 200, body: { suppressions: [{ userId: 'cfg-banned', source: 'config', at: null }] } });
  });

  it('a userId suppressed in config is rejected and cannot be unsuppressed through the API (400)', async () => {
    expect(await api.track('/v1/track', { userId: 'cfg-banned', event: 'E' })).toEqual({ status: 400, body: errorBody('suppressed') });
    expect(await api.unsuppress('cfg-banned')).toEqual({ status: 400, body: errorBody('invalid_request_error') });
    expect(await api.track('/v1/page', { userId: 'cfg-banned', anonymousId: 'cfg-anon' })).toEqual({ status: 400, body: errorBody('suppressed') });
    expect(await api.suppress({ userId: 'cfg-banned' })).toMatchObject({ status: 201 });
    const listed = (await api.suppressions()).body as { suppressions: Array<{ userId: string }> };
    expect(listed.suppressions.filter((s) => s.userId === 'cfg-banned')).toEqual([{ userId: 'cfg-banned', source: 'config', at: null }]);
  });

  it('`deleteProfile: true` also deletes the profile; events of its other ids start afresh', async () => {
    await api.tick();
    await api.send('/v1/identify', { userId: 'sup-del', anonymousId: 'sup-del-anon', traits: { email: 'sup-del@example.com' }, messageId: 'sd-1' });
    await api.send('/v1/track', { userId: 'sup-del', event: 'Before', messageId: 'sd-2' });
    const old = (await api.events('user_id:sup-del'))?.[0]?.related.users;
    expect(old).toMatch(/^use_/);

    expect(await api.suppress({ userId: 'sup-del', deleteProfile: true })).toMatchObject({ status: 201, body: { suppression: { userId: 'sup-del', source: 'api' } } });
    for (const lookup of ['user_id:sup-del', 'anonymous_id:sup-del-anon', 'email:sup-del@example.com']) {
      expect({ lookup, events: await api.events(lookup) }).toEqual({ lookup, events: undefined });
    }
    expect(await api.track('/v1/track', { userId: 'sup-del', event: 'Again' })).toEqual({ status: 400, body: errorBody('suppressed') });
    // The anonymous id is not suppressed: it starts a new profile.
    await api.send('/v1/page', { anonymousId: 'sup-del-anon', messageId: 'sd-3' });
    const fresh = await api.events('anonymous_id:sup-del-anon');
    expect(messageIds(fresh)).toEqual(['sd-3']);
    expect(fresh?.[0]?.related.users).not.toBe(old);
  });

  it('auth: no token → 401, another space\'s admin token → 404; a body without userId → 400', async () => {
    expect(await api.suppress({ userId: 'x' }, null)).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await api.suppress({ userId: 'x' }, DEV_AUTH.access)).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await api.suppress({ userId: 'x' }, OTHER_ADMIN)).toEqual({ status: 404, body: errorBody('not_found') });
    expect(await api.suppressions(OTHER_ADMIN)).toEqual({ status: 404, body: errorBody('not_found') });
    expect(await api.unsuppress('cfg-banned', OTHER_ADMIN)).toEqual({ status: 404, body: errorBody('not_found') });
    for (const sent of [{}, { userId: '' }, { userId: 7 }, 'not json']) {
      expect({ sent, ...(await api.suppress(sent)) }).toEqual({ sent, status: 400, body: errorBody('invalid_body') });
    }
    // None of them suppressed anything: `x` is accepted.
    await api.send('/v1/track', { userId: 'x', event: 'E' });
  });
});

describe('restarts', () => {
  /** Runs `before` on a server, restarts it on the same data dir (manual clock kept), then `after`. */
  async function acrossRestart(name: string, before: (api: ReturnType<typeof client>) => Promise<void>, after: (api: ReturnType<typeof client>) => Promise<void>): Promise<void> {
    const dir = makeTempDir(name);
    let server: TestServer | undefined;
    const api = client(() => server?.url ?? '');
    try {
      server = await startTestServer({ clock: 'manual', dataDir: dir.path, spaces: spaces() });
      await before(api);
      await server.stop();
      server = await startTestServer({ clock: 'manual', dataDir: dir.path, spaces: spaces() });
      await after(api);
    } finally {
      await server?.stop();
      dir.remove();
    }
  }

  it('an API suppression survives a restart', async () => {
    await acrossRestart(
      'suppression-restart',
      async (api) => {
        const at = await api.tick();
        expect(await api.suppress({ userId: 'rs-banned' })).toEqual({ status: 201, body: { suppression: { userId: 'rs-banned', source: 'api', at: iso(at) } } });
      },
      async (api) => {
        expect(await api.track('/v1/track', { userId: 'rs-banned', event: 'E' })).toEqual({ status: 400, body: errorBody('suppressed') });
        expect(((await api.suppressions()).body as { suppressions: Array<{ userId: string }> }).suppressions.map((s) => s.userId)).toEqual(['cfg-banned', 'rs-banned']);
        expect(await api.unsuppress('rs-banned')).toEqual({ status: 204, body: '' });
        await api.send('/v1/track', { userId: 'rs-banned', event: 'E' });
      },
    );
  });

  // Regression (found by this suite, now fixed): insights are keyed [space, at, seq] with `seq` a
  // per-process counter starting at 0 (insights-log.ts `let seq = 0`). After a restart, an insight
  // recorded in the same millisecond as one before it (the manual clock is kept across restarts and
  // does not move on its own) gets the same key and silently overwrites it.
  it('every insight survives a restart, even one recorded in the same millisecond after it', async () => {
    await acrossRestart(
      'insights-restart',
      async (api) => {
        await api.tick();
        await api.send('/v1/track', { userId: 'null', anonymousId: 'rs-a1', event: 'E', messageId: 'rs-before' });
        await api.insightsUpTo('rs-before', 1);
      },
      async (api) => {
        await api.send('/v1/track', { userId: 'null', anonymousId: 'rs-a2', event: 'E', messageId: 'rs-after' });
        const list = await api.insightsUpTo('rs-after', 10);
        expect(list.map((i) => [i.messageId, i.type])).toEqual([
          ['rs-after', 'ID value blocked'],
          ['rs-before', 'ID value blocked'],
        ]);
      },
    );
  });
});

describe('time-framed identifier limits (manual clock)', () => {
  let server: TestServer;
  const api = client(() => server.url);

  beforeAll(async () => {
    server = await startTestServer({
      clock: 'manual',
      spaces: spaces({ identifiers: [{ type: 'anonymous_id', limit: 5, frequency: 'weekly', priority: 3 }], blockedValues: [], replaceDefaultBlockedValues: false }),
    });
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('a 6th anonymous_id within the week is demoted; 8 days later a new one joins u1 again', async () => {
    for (let i = 1; i <= 5; i++) {
      await api.tick(DAY / 2);
      await api.send('/v1/track', { userId: 'tf-u1', anonymousId: `tf-a${i}`, event: 'Visit', messageId: `tf-${i}` });
    }
    const u1 = (await api.events('user_id:tf-u1'))?.[0]?.related.users;
    const five = ['anonymous_id:tf-a1', 'anonymous_id:tf-a2', 'anonymous_id:tf-a3', 'anonymous_id:tf-a4', 'anonymous_id:tf-a5', 'user_id:tf-u1'];
    expect(await api.externalIds('user_id:tf-u1')).toEqual(five);

    // Day 3 of the week: a 6th value would make 6 within 7 days → demoted; the event stays with u1.
    const t6 = await api.tick(DAY / 2);
    await api.send('/v1/track', { userId: 'tf-u1', anonymousId: 'tf-a6', event: 'Visit', messageId: 'tf-6' });
    expect(await api.externalIds('user_id:tf-u1')).toEqual(five);
    expect(messageIds(await api.events('user_id:tf-u1'))?.[0]).toBe('tf-6');
    expect(await api.events('anonymous_id:tf-a6')).toBeUndefined();
    const [insight] = await api.insightsUpTo('tf-6', 1);
    expect(insight).toEqual({
      at: iso(t6),
      type: 'Identifier value time limit exceeded',
      message: expect.stringMatching(/\S/),
      messageId: 'tf-6',
      eventType: 'track',
      sourceId: DEV_SOURCE,
      identifier: { type: 'anonymous_id', value: 'tf-a6' },
      profileId: u1,
    });
    // Seen alone, the demoted id belongs to a different profile.
    await api.send('/v1/page', { anonymousId: 'tf-a6', messageId: 'tf-6-alone' });
    const a6 = (await api.events('anonymous_id:tf-a6'))?.[0]?.related.users;
    expect(a6).toMatch(/^use_/);
    expect(a6).not.toBe(u1);

    // 8 days on, the first five have left the weekly frame: a new anonymous_id joins u1.
    await api.tick(8 * DAY);
    await api.send('/v1/track', { userId: 'tf-u1', anonymousId: 'tf-a7', event: 'Visit', messageId: 'tf-7' });
    expect(await api.externalIds('user_id:tf-u1')).toEqual([...five.slice(0, 5), 'anonymous_id:tf-a7', 'user_id:tf-u1']);
    expect((await api.events('anonymous_id:tf-a7'))?.[0]?.related.users).toBe(u1);
    // And the profile of tf-a6 (its id now out of the frame too) can be merged into u1's.
    await api.send('/v1/track', { userId: 'tf-u1', anonymousId: 'tf-a6', event: 'Visit', messageId: 'tf-8' });
    expect((await api.events('anonymous_id:tf-a6'))?.[0]?.related.users).toBe(u1);
    expect(await api.externalIds('user_id:tf-u1')).toEqual([...five.slice(0, 5), 'anonymous_id:tf-a6', 'anonymous_id:tf-a7', 'user_id:tf-u1']);
  });

  it('within one week, the limit holds whichever way the values arrive: 5 visitors, then a 6th visitor merges in only after the week', async () => {
    await api.tick(DAY);
    for (let i = 1; i <= 5; i++) await api.send('/v1/page', { anonymousId: `tw-a${i}`, messageId: `tw-page-${i}` });
    for (let i = 1; i <= 5; i++) await api.send('/v1/identify', { userId: 'tw-u', anonymousId: `tw-a${i}`, messageId: `tw-id-${i}` });
    expect(await api.externalIds('user_id:tw-u')).toEqual(['anonymous_id:tw-a1', 'anonymous_id:tw-a2', 'anonymous_id:tw-a3', 'anonymous_id:tw-a4', 'anonymous_id:tw-a5', 'user_id:tw-u']);
    // Created a second later, so that the later merge has a clear winner (the profile created first).
    await api.tick();
    await api.send('/v1/page', { anonymousId: 'tw-a6', messageId: 'tw-page-6' });
    await api.send('/v1/identify', { userId: 'tw-u', anonymousId: 'tw-a6', messageId: 'tw-id-6' });
    const u = (await api.events('user_id:tw-u'))?.[0]?.related.users;
    expect((await api.events('anonymous_id:tw-a6'))?.[0]?.related.users).not.toBe(u);
    await api.tick(7 * DAY);
    await api.send('/v1/identify', { userId: 'tw-u', anonymousId: 'tw-a6', messageId: 'tw-id-7' });
    expect((await api.events('anonymous_id:tw-a6'))?.[0]?.related.users).toBe(u);
    expect(messageIds(await api.events('user_id:tw-u'))?.sort()).toEqual(['tw-page-1', 'tw-page-2', 'tw-page-3', 'tw-page-4', 'tw-page-5', 'tw-page-6']);
  });
});
