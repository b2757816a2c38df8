import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../src/actors/actor-message.ts';
import { createProfilesApp } from '../../src/api/profiles-app.ts';
import type { SpaceConfig } from '../../src/config/config.ts';
import type { IdentifierRecord } from '../../src/identity/identifier.ts';
import type { TrackedEvent } from '../../src/ingest/tracked-event.ts';
import { createProfileReader } from '../../src/runtime/profile-reader.ts';
import { createShardRuntime, type ShardRuntime } from '../../src/runtime/shard/shard-runtime.ts';
import { createManualClock, type ManualClock } from '../../src/shared/clock.ts';
import { asProfileId, asSpaceId, type ProfileId } from '../../src/shared/ids.ts';
import { openEngineStore, type EngineStore } from '../../src/store/engine-store.ts';
import { trackedEvent } from '../support/events.ts';
import { storedProfile } from '../support/stored-profile.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);
const TOKEN = 'tok_default';
const OTHER_TOKEN = 'tok_other';

function space(id: string, token: string): SpaceConfig {
  return {
    id: asSpaceId(id),
    writeKeys: [],
    accessTokens: [token],
    adminTokens: [],
    notifyTransientFailures: true,
    identity: { identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false },
    suppressedUserIds: [],
  };
}

function auth(token: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` };
}

function identifier(type: string, value: string, addedAt: number, firstMessageId = `m-${type}-${value}`): IdentifierRecord {
  return { type, value, addedAt, firstMessageId, sourceId: 'src_web' };
}

describe('Profile API (real shard runtime, real LMDB)', () => {
  let dir: { path: string; remove: () => void };
  let store: EngineStore;
  let runtime: ShardRuntime;
  let clock: ManualClock;
  let app: ReturnType<typeof createProfilesApp>;

  beforeEach(() => {
    dir = makeTempDir('profiles-api');
    store = openEngineStore(dir.path);
    runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 100 });
    clock = createManualClock(NOW);
    app = createProfilesApp({
      spaces: [space('default', TOKEN), space('other', OTHER_TOKEN)],
      reader: createProfileReader(store),
      clock,
      traitClasses: () => new Map(),
    });
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  /** Delivers events to one profile through the real runtime and registers its identifiers. */
  async function seed(profile: string, events: TrackedEvent[], identifiers: IdentifierRecord[] = []): Promise<ProfileId> {
    const profileId = asProfileId(profile);
    const messages: ActorMessage[] = events.map((event, i) => ({
      type: 'profile.track',
      profileId,
      spaceId: asSpaceId('default'),
      event,
      newIdentifiers: i === 0 ? identifiers : [],
    }));
    await runtime.deliver(messages, NOW);
    for (const id of identifiers) await store.identity.put(['default', id.type, id.value], profileId);
    return profileId;
  }

  async function get(path: string, token: string = TOKEN): Promise<{ status: number; body: unknown }> {
    const response = await app.request(path, { headers: auth(token) });
    return { status: response.status, body: await response.json() };
  }

  const base = '/v1/spaces/default/collections/users/profiles';

  describe('traits', () => {
    async function seedTraits(): Promise<void> {
      const traits: Record<string, string> = {};
      for (let i = 0; i < 25; i++) traits[`t${String(i).padStart(2, '0')}`] = `v${i}`;
      await seed(
        'use_traits',
        [
          trackedEvent({ type: 'identify', messageId: 'id-1', userId: 'u1', traits: { ...traits, plan: 'pro', gone: 'x' }, timestamp: NOW - 2 * DAY, receivedAt: NOW - 2 * DAY }),
          trackedEvent({ type: 'identify', messageId: 'id-2', userId: 'u1', traits: { gone: null }, timestamp: NOW - DAY, receivedAt: NOW - DAY }),
          // Arrives last but happened first: must not overwrite `plan`.
          trackedEvent({ type: 'identify', messageId: 'id-3', userId: 'u1', traits: { plan: 'free' }, timestamp: NOW - 3 * DAY, receivedAt: NOW }),
        ],
        [identifier('user_id', 'u1', NOW - 2 * DAY)],
      );
    }

    it('pages through every visible trait in code point order, 10 by default', async () => {
      await seedTraits();
      const seen: string[] = [];
      let next = '';
      const cursors: unknown[] = [];
      for (let page = 0; page < 3; page++) {
        const path = `${base}/user_id:u1/traits${next === '' ? '' : `?next=${encodeURIComponent(next)}`}`;
        const { status, body } = await get(path);
        expect(status).toBe(200);
        const { traits, cursor } = body as { traits: Record<string, unknown>; cursor: { next: string; has_more: boolean; url: string } };
        seen.push(...Object.keys(traits));
        cursors.push(cursor);
        expect(cursor.url).toBe(path);
        next = cursor.next;
      }
      // 25 t-keys + plan = 26 visible (gone is a tombstone): pages of 10, 10, 6.
      expect(seen).toEqual(['plan', ...Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, '0')}`)]);
      expect(cursors).toEqual([
        { url: `${base}/user_id:u1/traits`, has_more: true, next: 't09', limit: 10 },
        { url: `${base}/user_id:u1/traits?next=t09`, has_more: true, next: 't19', limit: 10 },
        { url: `${base}/user_id:u1/traits?next=t19`, has_more: false, next: '', limit: 10 },
      ]);
      expect(seen).not.toContain('gone');
    });

    it('filters with include, keeps the newest value, and shows verbose values', async () => {
      await seedTraits();
      const { body } = await get(`${base}/user_id:u1/traits?include=plan,gone,t03,missing&verbose=true`);
      expect(body).toEqual({
        traits: {
          plan: { value: 'pro', source_id: 'src_test', updated_at: new Date(NOW - 2 * DAY).toISOString() },
          t03: { value: 'v3', source_id: 'src_test', updated_at: new Date(NOW - 2 * DAY).toISOString() },
        },
        cursor: { url: `${base}/user_id:u1/traits?include=plan,gone,t03,missing&verbose=true`, has_more: false, next: '', limit: 10 },
      });
    });

    it('limits, clamps at 200, and validates limit, class and verbose', async () => {
      await seedTraits();
      const two = (await get(`${base}/user_id:u1/traits?limit=2`)).body as { traits: object; cursor: { next: string } };
      expect(Object.keys(two.traits)).toEqual(['plan', 't00']);
      expect(two.cursor.next).toBe('t01');
      const clamped = (await get(`${base}/user_id:u1/traits?limit=5000`)).body as { traits: object; cursor: { limit: number } };
      expect(clamped.cursor.limit).toBe(200);
      expect(Object.keys(clamped.traits)).toHaveLength(26);
      // No audience or computed trait exists yet: those classes are empty.
      expect(((await get(`${base}/user_id:u1/traits?class=audience`)).body as { traits: object }).traits).toEqual({});
      for (const [query, param] of [
        ['limit=0', 'limit'],
        ['limit=-3', 'limit'],
        ['limit=2.5', 'limit'],
        ['limit=ten', 'limit'],
        ['class=custom', 'class'],
        ['verbose=yes', 'verbose'],
      ] as const) {
        const { status, body } = await get(`${base}/user_id:u1/traits?${query}`);
        expect(status).toBe(400);
        expect(body).toMatchObject({ error: { code: 'invalid_request_error' } });
        expect((body as { error: { message: string } }).error.message).toContain(`\`${param}\``);
      }
    });

    it('orders keys by code point, not UTF-16 unit', async () => {
      await seed('use_cp', [trackedEvent({ type: 'identify', messageId: 'cp', userId: 'cp', traits: { '\u{1F600}': 1, '\uFF21': 2, a: 3 } })], [
        identifier('user_id', 'cp', NOW),
      ]);
      const first = (await get(`${base}/user_id:cp/traits?limit=2`)).body as { traits: object; cursor: { next: string } };
      expect(Object.keys(first.traits)).toEqual(['a', '\uFF21']);
      expect(first.cursor.next).toBe('\u{1F600}');
    });
  });

  describe('external_ids', () => {
    it('lists ids newest first, filtered by type, paged by an opaque cursor', async () => {
      await seed(
        'use_ids',
        [trackedEvent({ messageId: 'm1', userId: 'u9', timestamp: NOW - DAY, receivedAt: NOW - DAY })],
        [
          identifier('anonymous_id', 'a1', NOW - 5 * DAY, 'm-a1'),
          identifier('user_id', 'u9', NOW - 4 * DAY, 'm-u9'),
          identifier('email', 'x@example.com', NOW - 3 * DAY, 'm-e'),
          identifier('group_id', 'g1', NOW - 2 * DAY, 'm-g'),
          identifier('anonymous_id', 'a2', NOW - DAY, 'm-a2'),
        ],
      );
      const first = (await get(`${base}/user_id:u9/external_ids?limit=2`)).body as {
        data: Array<Record<string, unknown>>;
        cursor: { has_more: boolean; next: string; limit: number; url: string };
      };
      expect(first.data).toEqual([
        { source_id: 'src_web', collection: 'users', id: 'a2', type: 'anonymous_id', created_at: new Date(NOW - DAY).toISOString(), encoding: 'none', first_message_id: 'm-a2' },
        { source_id: 'src_web', collection: 'accounts', id: 'g1', type: 'group_id', created_at: new Date(NOW - 2 * DAY).toISOString(), encoding: 'none', first_message_id: 'm-g' },
      ]);
      expect(first.cursor).toMatchObject({ has_more: true, limit: 2, url: `${base}/user_id:u9/external_ids?limit=2` });
      const second = (await get(`${base}/user_id:u9/external_ids?limit=2&next=${first.cursor.next}`)).body as typeof first;
      expect(second.data.map((d) => d.id)).toEqual(['x@example.com', 'u9']);
      const third = (await get(`${base}/user_id:u9/external_ids?limit=2&next=${second.cursor.next}`)).body as typeof first;
      expect(third.data.map((d) => d.id)).toEqual(['a1']);
      expect(third.cursor).toMatchObject({ has_more: false, next: '' });

      const anon = (await get(`${base}/anonymous_id:a1/external_ids?include=anonymous_id,email`)).body as typeof first;
      expect(anon.data.map((d) => d.id)).toEqual(['a2', 'x@example.com', 'a1']);
      expect(anon.cursor).toMatchObject({ has_more: false, next: '', limit: 10 });

      expect((await get(`${base}/user_id:u9/external_ids?limit=500`)).body).toMatchObject({ cursor: { limit: 100 } });
      expect(await get(`${base}/user_id:u9/external_ids?next=not-a-cursor!`)).toMatchObject({ status: 400, body: { error: { code: 'invalid_request_error' } } });
    });
  });

  describe('events', () => {
    type EventsBody = { data: Array<Record<string, unknown>>; cursor: { url: string; has_more: boolean; next: string; limit: number } };

    async function events(query: string, id = 'user_id:ev'): Promise<EventsBody> {
      const { status, body } = await get(`${base}/${id}/events${query}`);
      expect(status).toBe(200);
      return body as EventsBody;
    }

    it('serves track, page and screen calls of the last 14 days, newest first', async () => {
      await seed(
        'use_ev',
        [
          trackedEvent({ messageId: 'too-old', timestamp: NOW - 14 * DAY - 1 }),
          trackedEvent({ messageId: 'edge', event: 'Signed Up', timestamp: NOW - 14 * DAY, userId: 'ev', properties: { plan: 'pro' }, context: { ip: '1.2.3.4' } }),
          trackedEvent({ type: 'page', messageId: 'pg', name: 'Home', timestamp: NOW - 3 * DAY, anonymousId: 'an' }),
          trackedEvent({ type: 'screen', messageId: 'sc', name: 'Cart', timestamp: NOW - 2 * DAY, properties: { name: 'Explicit' } }),
          trackedEvent({ type: 'identify', messageId: 'idf', traits: { a: 1 }, timestamp: NOW - DAY }),
          trackedEvent({ type: 'group', messageId: 'grp', groupId: 'g', timestamp: NOW - DAY }),
          trackedEvent({ messageId: 'now', event: 'Order Completed', timestamp: NOW }),
          trackedEvent({ messageId: 'future', timestamp: NOW + 1 }),
        ],
        [identifier('user_id', 'ev', NOW)],
      );
      const all = await events('');
      expect(all.data.map((e) => e['message_id'])).toEqual(['now', 'sc', 'pg', 'edge']);
      expect(all.data.map((e) => e['event'])).toEqual(['Order Completed', 'Screen Viewed', 'Page Viewed', 'Signed Up']);
      expect(all.data[3]).toEqual({
        external_ids: [{ collection: 'users', type: 'user_id', id: 'ev', encoding: 'none' }],
        context: { ip: '1.2.3.4' },
        type: 'track',
        message_id: 'edge',
        source_id: 'src_test',
        timestamp: new Date(NOW - 14 * DAY).toISOString(),
        properties: { plan: 'pro' },
        event: 'Signed Up',
        related: { users: 'use_ev' },
      });
      expect(all.data[1]).toMatchObject({ type: 'screen', context: {}, properties: { name: 'Explicit' }, external_ids: [] });
      expect(all.data[2]).toMatchObject({ type: 'page', properties: { name: 'Home' }, external_ids: [{ type: 'anonymous_id', id: 'an' }] });
      expect(all.cursor).toEqual({ url: `${base}/user_id:ev/events`, has_more: false, next: '', limit: 10 });

      expect((await events('?sort=asc')).data.map((e) => e['message_id'])).toEqual(['edge', 'pg', 'sc', 'now']);
      expect((await events('?include=Page%20Viewed,Screen%20Viewed')).data.map((e) => e['message_id'])).toEqual(['sc', 'pg']);
      expect((await events('?exclude=Page%20Viewed,Order%20Completed')).data.map((e) => e['message_id'])).toEqual(['sc', 'edge']);
      const narrowed = await events(`?start=${new Date(NOW - 3 * DAY).toISOString()}&end=${new Date(NOW - 2 * DAY).toISOString()}`);
      expect(narrowed.data.map((e) => e['message_id'])).toEqual(['sc', 'pg']);
      // `start` earlier than the window does not widen it.
      expect((await events('?start=2020-01-01&sort=asc')).data[0]?.['message_id']).toBe('edge');

      // A day later the window has moved on: `edge` is 15 days old.
      clock.set(NOW + DAY);
      expect((await events('')).data.map((e) => e['message_id'])).toEqual(['future', 'now', 'sc', 'pg']);
    });

    it('pages over many events that share one timestamp without skipping or repeating', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `same-${String(i).padStart(2, '0')}`);
      await seed(
        'use_ev',
        ids.map((messageId) => trackedEvent({ messageId, timestamp: NOW - DAY })),
        [identifier('user_id', 'ev', NOW)],
      );
      for (const sort of ['asc', 'desc'] as const) {
        const seen: unknown[] = [];
        const hasMore: boolean[] = [];
        let next = '';
        do {
          const page = await events(`?sort=${sort}${next === '' ? '' : `&next=${next}`}`);
          seen.push(...page.data.map((e) => e['message_id']));
          hasMore.push(page.cursor.has_more);
          next = page.cursor.next;
        } while (next !== '');
        expect(seen).toEqual(sort === 'asc' ? ids : [...ids].reverse());
        expect(hasMore).toEqual([true, true, false]);
      }
      const onePage = await events('?limit=500');
      expect(onePage.cursor.limit).toBe(100);
      expect(onePage.data).toHaveLength(25);
    });

    it('reads a merged profile\'s history across the ids folded into it, in one order', async () => {
      const loser = await seed('use_loser', [
        trackedEvent({ messageId: 'a-l', timestamp: NOW - 2 * DAY }),
        trackedEvent({ messageId: 'c-l', timestamp: NOW - 2 * DAY }),
      ]);
      const winner = await seed(
        'use_winner',
        [
          trackedEvent({ messageId: 'w1', timestamp: NOW - 3 * DAY }),
          trackedEvent({ messageId: 'b-w', timestamp: NOW - 2 * DAY }),
          trackedEvent({ messageId: 'w2', timestamp: NOW - DAY }),
        ],
        [identifier('user_id', 'win', NOW)],
      );
      await runtime.deliver(
        [
          {
            type: 'profile.absorb',
            profileId: winner,
            spaceId: asSpaceId('default'),
            loserId: loser,
            absorbed: storedProfile(store, loser),
            trigger: { messageId: 'merge-trigger', eventType: 'identify', at: NOW },
          },
        ],
        NOW,
      );
      const desc = ['w2', 'c-l', 'b-w', 'a-l', 'w1'];
      for (const sort of ['desc', 'asc'] as const) {
        const seen: unknown[] = [];
        let next = '';
        do {
          const page = await events(`?limit=2&sort=${sort}${next === '' ? '' : `&next=${next}`}`, 'user_id:win');
          seen.push(...page.data.map((e) => e['message_id']));
          expect(page.data.every((e) => (e['related'] as { users: string }).users === 'use_winner')).toBe(true);
          next = page.cursor.next;
        } while (next !== '');
        expect(seen).toEqual(sort === 'desc' ? desc : [...desc].reverse());
      }
    });

    it('rejects bad parameters, naming them', async () => {
      await seed('use_ev', [trackedEvent({ messageId: 'x' })], [identifier('user_id', 'ev', NOW)]);
      for (const [query, param] of [
        ['start=yesterday', 'start'],
        ['end=2026-13-01', 'end'],
        ['sort=up', 'sort'],
        ['limit=0', 'limit'],
        ['next=%21%21', 'next'],
        [`next=${Buffer.from('nope').toString('base64url')}`, 'next'],
      ] as const) {
        const { status, body } = await get(`${base}/user_id:ev/events?${query}`);
        expect(status).toBe(400);
        expect((body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_request_error' });
        expect((body as { error: { message: string } }).error.message).toContain(`\`${param}\``);
      }
    });
  });

  it('serves metadata from the first and latest messages', async () => {
    await seed(
      'use_meta',
      [
        trackedEvent({ messageId: 'first', sourceId: 'src_a', receivedAt: NOW - 5 * DAY, timestamp: NOW - 5 * DAY }),
        trackedEvent({ messageId: 'last', sourceId: 'src_b', receivedAt: NOW - DAY, timestamp: NOW - 6 * DAY }),
      ],
      [identifier('user_id', 'meta', NOW)],
    );
    expect(await get(`${base}/user_id:meta/metadata`)).toEqual({
      status: 200,
      body: {
        metadata: {
          created_at: new Date(NOW - 5 * DAY).toISOString(),
          updated_at: new Date(NOW - DAY).toISOString(),
          expires_at: null,
          first_message_id: 'first',
          first_source_id: 'src_a',
          last_message_id: 'last',
          last_source_id: 'src_b',
        },
      },
    });
  });

  describe('auth, routing and ids', () => {
    const notFound = { error: { code: 'not_found', message: 'Profile was not found.' } };

    beforeEach(async () => {
      await seed('use_auth', [trackedEvent({ type: 'identify', messageId: 'a', traits: { name: 'Ann' } })], [
        identifier('user_id', 'ann', NOW),
        identifier('phone', '+1:555:0123', NOW),
        identifier('email', 'Ann@Example.com', NOW),
      ]);
    });

    it('answers 401 without a valid token and 404 for another space\'s token', async () => {
      const missing = await app.request(`${base}/user_id:ann/traits`);
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ error: { code: 'authentication_error' } });
      expect(await get(`${base}/user_id:ann/traits`, 'wrong')).toMatchObject({ status: 401, body: { error: { code: 'authentication_error' } } });
      expect(await get(`${base}/user_id:ann/traits`, OTHER_TOKEN)).toEqual({ status: 404, body: notFound });
      // Unknown space: 401 for a token no space knows, 404 for one some space knows.
      expect((await get('/v1/spaces/nope/collections/users/profiles/user_id:ann/traits', 'wrong')).status).toBe(401);
      expect(await get('/v1/spaces/nope/collections/users/profiles/user_id:ann/traits')).toEqual({ status: 404, body: notFound });
      // The other space's own lookups do not see this space's profiles either.
      expect(await get('/v1/spaces/other/collections/users/profiles/user_id:ann/traits', OTHER_TOKEN)).toEqual({ status: 404, body: notFound });
    });

    it('answers 404 with the exact body for unknown profiles on every resource', async () => {
      for (const resource of ['traits', 'external_ids', 'events', 'metadata']) {
        expect(await get(`${base}/user_id:nobody/${resource}`)).toEqual({ status: 404, body: notFound });
      }
      // Exact and case-sensitive.
      expect(await get(`${base}/email:ann@example.com/traits`)).toEqual({ status: 404, body: notFound });
      expect((await get(`${base}/email:Ann@Example.com/traits`)).status).toBe(200);
    });

    it('serves /v1/namespaces like /v1/spaces', async () => {
      expect(await get('/v1/namespaces/default/collections/users/profiles/user_id:ann/traits')).toEqual({
        status: 200,
        body: { traits: { name: 'Ann' }, cursor: { url: '/v1/namespaces/default/collections/users/profiles/user_id:ann/traits', has_more: false, next: '', limit: 10 } },
      });
    });

    it('decodes the id and splits it at the first colon', async () => {
      expect((await get(`${base}/phone:%2B1:555:0123/traits`)).body).toMatchObject({ traits: { name: 'Ann' } });
      expect((await get(`${base}/phone:%2B1%3A555%3A0123/traits`)).body).toMatchObject({ traits: { name: 'Ann' } });
      expect((await get(`${base}/phone:1:555:0123/traits`)).status).toBe(404);
      // Without a colon the segment is the engine's own profile id (Segment accepts its segment_id).
      expect((await get(`${base}/use_auth/traits`)).body).toMatchObject({ traits: { name: 'Ann' } });
    });

    it('answers 404 for unknown resources and unknown accounts, after the token check', async () => {
      expect(await get(`${base}/user_id:ann/links`)).toMatchObject({ status: 200, body: { data: [], cursor: { has_more: false, next: '' } } });
      expect((await get('/v1/spaces/default/collections/accounts/profiles/group_id:g1/traits')).body).toMatchObject({ error: { code: 'not_found' } });
      expect((await get(`${base}/user_id:ann/constructor`)).status).toBe(404);
      expect((await get(`${base}/user_id:ann/links`, 'wrong')).status).toBe(401);
    });

    it('checks parameters before the space, so another space\'s token learns nothing more', async () => {
      expect((await get(`${base}/user_id:ann/traits?limit=0`)).status).toBe(400);
      expect((await get(`${base}/user_id:ann/traits?limit=0`, OTHER_TOKEN)).status).toBe(400);
      expect((await get(`${base}/user_id:nobody/traits?limit=0`)).status).toBe(400);
    });
  });
});
