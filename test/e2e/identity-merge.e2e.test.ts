import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpaceConfig } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { deriveSourceId } from '../../src/config/source-id.ts';
import { shardOf } from '../../src/runtime/shard/shard-of.ts';
import { asSpaceId } from '../../src/shared/ids.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { advanceClock, get, post, SUCCESS } from './tracking-http.ts';

// Identity resolution end to end (segment-reference §4, contract "Identity defaults"): the §4.6
// anonymous → known example, merges between shards, merge protection (§4.3 worked example and
// FAQ), blocked values, alias, and concurrent merges. Everything goes through HTTP and is read
// back through the Profile API. The clock is manual, so every `created_at` is known exactly: each
// `tick()` moves it one second, and an event sent after it is received at that time.

const SHARDS = 2;
const DEV_SOURCE = deriveSourceId('dev-write-key');
const HOUR = 60 * 60 * 1000;
const iso = (at: number): string => new Date(at).toISOString();

/** A space as a client sees it: where to write and how to read. */
interface Space {
  readonly id: string;
  readonly write: string;
  readonly access: string;
}

const DEFAULT: Space = { id: 'default', write: DEV_AUTH.write, access: DEV_AUTH.access };
/** Like the default space, but a profile may hold 100 anonymous_ids: 20 visitors can fold into one. */
const WIDE: Space = { id: 'wide', write: `Basic ${Buffer.from('wide-write-key:').toString('base64')}`, access: `Basic ${Buffer.from('wide-access-token:').toString('base64')}` };

function spaces(): SpaceConfig[] {
  const [space] = loadConfig({ env: { TROUPE_LOG_LEVEL: 'silent' } }).spaces;
  if (space === undefined) throw new Error('the default config has a space');
  const wide: SpaceConfig = {
    ...space,
    id: asSpaceId('wide'),
    writeKeys: [{ key: 'wide-write-key', sourceId: deriveSourceId('wide-write-key'), name: 'wide' }],
    accessTokens: ['wide-access-token'],
    adminTokens: ['wide-admin-token'],
    identity: { identifiers: [{ type: 'anonymous_id', limit: 100, priority: 3 }], blockedValues: [], replaceDefaultBlockedValues: false },
  };
  return [space, wide];
}

/** One item of `GET …/external_ids` `data[]` (spec §5.3). */
interface ExternalId {
  readonly source_id: string;
  readonly collection: string;
  readonly id: string;
  readonly type: string;
  readonly created_at: string;
  readonly encoding: string;
  readonly first_message_id: string;
}

/** One item of `GET …/events` `data[]`. */
interface EventItem {
  readonly type: string;
  readonly event: string;
  readonly message_id: string;
  readonly timestamp: string;
  readonly related: { readonly users: string };
}

interface Page<T> {
  readonly data: T[];
  readonly cursor: { readonly has_more: boolean; readonly next: string };
}

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer({ clock: 'manual', shards: SHARDS, spaces: spaces() });
  url = server.url;
});

afterAll(async () => {
  await server.destroy();
});

/** Moves the manual clock one second; the next event is received at the returned time. */
function tick(): Promise<number> {
  return advanceClock(url, 1000);
}

async function send(path: string, body: object, space: Space = DEFAULT): Promise<void> {
  const result = await post(url, path, body, { auth: space.write });
  expect({ path, status: result.status, body: result.body }).toEqual({ path, status: 200, body: SUCCESS });
}

/** `{type}:{value}` with the value URL-encoded, as a client would put it in the path. */
function profilePath(space: Space, lookup: string, resource: string): string {
  const colon = lookup.indexOf(':');
  return `/v1/spaces/${space.id}/collections/users/profiles/${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}/${resource}`;
}

async function read(lookup: string, resource: string, query = '', space: Space = DEFAULT): Promise<{ status: number; body: unknown }> {
  const result = await get(url, `${profilePath(space, lookup, resource)}${query === '' ? '' : `?${query}`}`, space.access);
  return { status: result.status, body: result.body };
}

/** Every item of a paged list resource, following `cursor.next`; undefined when the profile is unknown. */
async function readAll<T>(lookup: string, resource: 'events' | 'external_ids', limit = 100, space: Space = DEFAULT): Promise<T[] | undefined> {
  const all: T[] = [];
  let next = '';
  for (let page = 0; page < 200; page++) {
    const result = await read(lookup, resource, `limit=${limit}${next === '' ? '' : `&next=${encodeURIComponent(next)}`}`, space);
    if (result.status === 404) return undefined;
    expect(result.status).toBe(200);
    const body = result.body as Page<T>;
    all.push(...body.data);
    if (!body.cursor.has_more) return all;
    next = body.cursor.next;
  }
  throw new Error(`${resource} of ${lookup} did not end within 200 pages`);
}

const externalIds = (lookup: string, space: Space = DEFAULT): Promise<ExternalId[] | undefined> => readAll<ExternalId>(lookup, 'external_ids', 100, space);
const events = (lookup: string, space: Space = DEFAULT, limit = 100): Promise<EventItem[] | undefined> => readAll<EventItem>(lookup, 'events', limit, space);

async function traits(lookup: string, space: Space = DEFAULT): Promise<Record<string, unknown> | undefined> {
  const result = await read(lookup, 'traits', 'limit=200', space);
  if (result.status === 404) return undefined;
  expect(result.status).toBe(200);
  return (result.body as { traits: Record<string, unknown> }).traits;
}

async function metadata(lookup: string): Promise<unknown> {
  const result = await read(lookup, 'metadata');
  expect(result.status).toBe(200);
  return (result.body as { metadata: unknown }).metadata;
}

/** The engine's id of the profile a lookup finds, from `related.users` of its newest event. */
async function profileIdOf(lookup: string, space: Space = DEFAULT): Promise<string | undefined> {
  const result = await read(lookup, 'events', 'limit=1', space);
  if (result.status === 404) return undefined;
  expect(result.status).toBe(200);
  const [first] = (result.body as Page<EventItem>).data;
  if (first === undefined) throw new Error(`${lookup} has no event to read its profile id from`);
  return first.related.users;
}

function externalId(type: string, id: string, createdAt: number, firstMessageId: string, sourceId = DEV_SOURCE): ExternalId {
  return { source_id: sourceId, collection: 'users', id, type, created_at: iso(createdAt), encoding: 'none', first_message_id: firstMessageId };
}

/** `type:value` pairs, sorted: the set of external ids, whatever their order. */
function idSet(ids: readonly ExternalId[] | undefined): string[] {
  return (ids ?? []).map((id) => `${id.type}:${id.id}`).sort();
}

function messageIds(list: readonly EventItem[] | undefined): string[] {
  return (list ?? []).map((e) => e.message_id);
}

describe('§4.6 anonymous → known', () => {
  it('two anonymous visits identified with one email become one profile, the one created first', async () => {
    const anonA = 'a46-5285bc35-05ef-4d21';
    const anonB = 'a46-b50e18a5-1b8d-451c';
    const email = 'jane.kim@segment.com';

    const t1 = await tick();
    await send('/v1/page', { anonymousId: anonA, name: 'Home', messageId: 'a46-event-1' });
    const t2 = await tick();
    await send('/v1/identify', { anonymousId: anonA, traits: { email }, messageId: 'a46-event-2' });
    const t3 = await tick();
    await send('/v1/page', { anonymousId: anonB, name: 'Pricing', messageId: 'a46-event-3' });

    // Before event 4: Profile 1 holds anon A and the email, Profile 2 anon B.
    const profile1 = await profileIdOf(`anonymous_id:${anonA}`);
    const profile2 = await profileIdOf(`anonymous_id:${anonB}`);
    expect(profile1).toMatch(/^use_/);
    expect(profile2).toMatch(/^use_/);
    expect(profile2).not.toBe(profile1);
    expect(await externalIds(`anonymous_id:${anonB}`)).toEqual([externalId('anonymous_id', anonB, t3, 'a46-event-3')]);

    const t4 = await tick();
    await send('/v1/identify', { anonymousId: anonB, traits: { email, name: 'Jane Kim' }, messageId: 'a46-event-4' });

    // "Segment merges Profile 2 into Profile 1. Profile 1 now has 2 anonymous_ids." Newest first.
    const merged = [
      externalId('anonymous_id', anonB, t3, 'a46-event-3'),
      externalId('email', email, t2, 'a46-event-2'),
      externalId('anonymous_id', anonA, t1, 'a46-event-1'),
    ];
    const lookups = [`anonymous_id:${anonA}`, `anonymous_id:${anonB}`, `email:${email}`];
    for (const lookup of lookups) {
      expect({ lookup, ids: await externalIds(lookup) }).toEqual({ lookup, ids: merged });
      expect({ lookup, traits: await traits(lookup) }).toEqual({ lookup, traits: { email, name: 'Jane Kim' } });
      const history = await events(lookup);
      expect({ lookup, history }).toEqual({
        lookup,
        history: [
          expect.objectContaining({ type: 'page', event: 'Page Viewed', message_id: 'a46-event-3', timestamp: iso(t3), related: { users: profile1 } }),
          expect.objectContaining({ type: 'page', event: 'Page Viewed', message_id: 'a46-event-1', timestamp: iso(t1), related: { users: profile1 } }),
        ],
      });
      expect({ lookup, metadata: await metadata(lookup) }).toEqual({
        lookup,
        metadata: {
          created_at: iso(t1),
          updated_at: iso(t4),
          expires_at: null,
          first_message_id: 'a46-event-1',
          first_source_id: DEV_SOURCE,
          last_message_id: 'a46-event-4',
          last_source_id: DEV_SOURCE,
        },
      });
    }
  });
});

describe('merges between shards', () => {
  /**
   * Pages from fresh anonymous ids, one per second, until two of the profiles they create live
   * on different shards. The one created first (`a`) must win the merge.
   */
  async function twoProfilesOnDifferentShards(prefix: string): Promise<{ a: { anon: string; id: string; at: number }; b: { anon: string; id: string; at: number } }> {
    const made: Array<{ anon: string; id: string; at: number }> = [];
    for (let i = 0; i < 16; i++) {
      const anon = `${prefix}-cand-${i}`;
      const at = await tick();
      await send('/v1/page', { anonymousId: anon, name: `Candidate ${i}`, messageId: `${prefix}-cand-page-${i}` });
      const id = await profileIdOf(`anonymous_id:${anon}`);
      if (id === undefined) throw new Error(`no profile for ${anon}`);
      const b = { anon, id, at };
      const a = made.find((p) => shardOf(p.id, SHARDS) !== shardOf(id, SHARDS));
      if (a !== undefined) return { a, b };
      made.push(b);
    }
    throw new Error('16 profiles and no pair on different shards');
  }

  it('folds the later profile into the first one: traits by latest timestamp, both histories, all ids, old ids find the winner', async () => {
    const { a, b } = await twoProfilesOnDifferentShards('xs');
    expect(shardOf(a.id, SHARDS)).not.toBe(shardOf(b.id, SHARDS));
    const base = await tick();
    // `plan`: B's value is newer; `tier`: A's is newer, though B's older `tier` arrives last.
    await send('/v1/identify', { anonymousId: a.anon, traits: { plan: 'free-A', a_only: 'x' }, timestamp: iso(base - 3 * HOUR), messageId: 'xs-id-a1' });
    const tUser = await tick();
    await send('/v1/identify', { userId: 'xs-user-a', anonymousId: a.anon, traits: { tier: 'gold-A' }, timestamp: iso(base - 1 * HOUR), messageId: 'xs-id-a2' });
    const tEmail = await tick();
    await send('/v1/identify', { anonymousId: b.anon, traits: { plan: 'pro-B', tier: 'silver-B', email: 'xs-b@example.com' }, timestamp: iso(base - 2 * HOUR), messageId: 'xs-id-b' });

    expect(await traits(`anonymous_id:${a.anon}`)).toEqual({ plan: 'free-A', a_only: 'x', tier: 'gold-A' });
    expect(await traits(`anonymous_id:${b.anon}`)).toEqual({ plan: 'pro-B', tier: 'silver-B', email: 'xs-b@example.com' });

    // One id of each: B's email (higher priority, so B is matched first) and A's anonymous id.
    const tMerge = await tick();
    await send('/v1/track', { anonymousId: a.anon, event: 'Linked', context: { traits: { email: 'xs-b@example.com' } }, messageId: 'xs-merge' });

    const lookups = [`anonymous_id:${a.anon}`, `user_id:xs-user-a`, `anonymous_id:${b.anon}`, 'email:xs-b@example.com'];
    for (const lookup of lookups) {
      expect({ lookup, profile: await profileIdOf(lookup) }).toEqual({ lookup, profile: a.id });
      expect({ lookup, traits: await traits(lookup) }).toEqual({
        lookup,
        traits: { plan: 'pro-B', tier: 'gold-A', a_only: 'x', email: 'xs-b@example.com' },
      });
      expect({ lookup, ids: await externalIds(lookup) }).toEqual({
        lookup,
        ids: [
          externalId('email', 'xs-b@example.com', tEmail, 'xs-id-b'),
          externalId('user_id', 'xs-user-a', tUser, 'xs-id-a2'),
          externalId('anonymous_id', b.anon, b.at, b.anon.replace('-cand-', '-cand-page-')),
          externalId('anonymous_id', a.anon, a.at, a.anon.replace('-cand-', '-cand-page-')),
        ],
      });
      const history = await events(lookup);
      expect({ lookup, history: history?.map((e) => [e.message_id, e.timestamp, e.related.users]) }).toEqual({
        lookup,
        history: [
          ['xs-merge', iso(tMerge), a.id],
          [b.anon.replace('-cand-', '-cand-page-'), iso(b.at), a.id],
          [a.anon.replace('-cand-', '-cand-page-'), iso(a.at), a.id],
        ],
      });
    }
  });

  // Regression (found by this suite, now fixed): "created first" was compared on `createdAt` in
  // whole milliseconds with ties broken by a random profile id, so a profile created by a LATER
  // request in the same millisecond could win the merge. Profile ids now sort in creation order.
  it('a profile created in the same millisecond but by a later request loses the merge', async () => {
    // Contract: "A merge keeps the profile created first". Several requests, one after the other,
    // with the manual clock standing still: A's request is acknowledged before the others are sent.
    const at = await tick();
    await send('/v1/page', { anonymousId: 'ms-a', messageId: 'ms-page-a' });
    const a = await profileIdOf('anonymous_id:ms-a');
    if (a === undefined) throw new Error('no profile for ms-a');
    // Three rounds: A then holds 4 anonymous ids, within the default limit of 5.
    for (let i = 0; i < 3; i++) {
      await send('/v1/page', { anonymousId: `ms-b-${i}`, messageId: `ms-page-b-${i}` });
      await send('/v1/identify', { anonymousId: `ms-b-${i}`, traits: { email: `ms${i}@example.com` }, messageId: `ms-id-b-${i}` });
      await send('/v1/identify', { anonymousId: 'ms-a', traits: { email: `ms${i}@example.com` }, messageId: `ms-id-a-${i}` });
      expect(await profileIdOf(`anonymous_id:ms-b-${i}`)).toBe(a);
    }
    expect((await metadata('anonymous_id:ms-a')) as object).toMatchObject({ created_at: iso(at), first_message_id: 'ms-page-a' });
  });

  it('two profiles created and merged by one batch end as one, with both events', async () => {
    // The loser is released before it ever committed a state; which shards the two land on is up
    // to the random ids, so four rounds make a cross-shard pair all but certain.
    for (let round = 0; round < 4; round++) {
      const p = `one-batch-${round}`;
      const at = await tick();
      const result = await post(url, '/v1/batch', {
        batch: [
          { type: 'page', anonymousId: `${p}-x`, name: 'X', messageId: `${p}-1` },
          { type: 'page', anonymousId: `${p}-y`, name: 'Y', messageId: `${p}-2` },
          { type: 'identify', anonymousId: `${p}-x`, traits: { email: `${p}@example.com`, x: 1 }, messageId: `${p}-3` },
          { type: 'identify', anonymousId: `${p}-y`, traits: { email: `${p}@example.com`, y: 2 }, messageId: `${p}-4` },
          { type: 'track', anonymousId: `${p}-y`, event: 'After', messageId: `${p}-5` },
        ],
      });
      expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
      const winner = await profileIdOf(`anonymous_id:${p}-x`);
      for (const lookup of [`anonymous_id:${p}-x`, `anonymous_id:${p}-y`, `email:${p}@example.com`]) {
        expect({ lookup, profile: await profileIdOf(lookup) }).toEqual({ lookup, profile: winner });
        expect({ lookup, ids: idSet(await externalIds(lookup)) }).toEqual({ lookup, ids: [`anonymous_id:${p}-x`, `anonymous_id:${p}-y`, `email:${p}@example.com`] });
        expect({ lookup, traits: await traits(lookup) }).toEqual({ lookup, traits: { email: `${p}@example.com`, x: 1, y: 2 } });
        expect({ lookup, events: messageIds(await events(lookup, DEFAULT, 100)).sort() }).toEqual({ lookup, events: [`${p}-1`, `${p}-2`, `${p}-5`] });
      }
      expect((await externalIds(`anonymous_id:${p}-x`))?.every((id) => id.created_at === iso(at))).toBe(true);
    }
  });
});

describe('merge protection (§4.3)', () => {
  it('FAQ: anonymous_id a1 seen with user u1, then with u2 → two profiles; a1 stays with u1', async () => {
    const t1 = await tick();
    await send('/v1/track', { userId: 'faq-u1', anonymousId: 'faq-a1', event: 'Login', messageId: 'faq-1' });
    const t2 = await tick();
    await send('/v1/track', { userId: 'faq-u2', anonymousId: 'faq-a1', event: 'Login', messageId: 'faq-2' });

    const u1 = await profileIdOf('user_id:faq-u1');
    const u2 = await profileIdOf('user_id:faq-u2');
    expect(u2).not.toBe(u1);
    expect(await profileIdOf('anonymous_id:faq-a1')).toBe(u1);
    expect(await externalIds('user_id:faq-u1')).toEqual([externalId('anonymous_id', 'faq-a1', t1, 'faq-1'), externalId('user_id', 'faq-u1', t1, 'faq-1')]);
    expect(await externalIds('user_id:faq-u2')).toEqual([externalId('user_id', 'faq-u2', t2, 'faq-2')]);
    expect(messageIds(await events('user_id:faq-u1'))).toEqual(['faq-1']);
    expect(messageIds(await events('user_id:faq-u2'))).toEqual(['faq-2']);
  });

  it('worked example: {user_id abc123, email jane} exists; {user_id abc456, email jane} → new profile {user_id abc456}', async () => {
    const t1 = await tick();
    await send('/v1/identify', { userId: 'abc123', traits: { email: 'jane@example1.com' }, messageId: 'we-1' });
    await send('/v1/track', { userId: 'abc123', event: 'Seen', messageId: 'we-2' });
    const t2 = await tick();
    await send('/v1/track', { userId: 'abc456', event: 'Seen', context: { traits: { email: 'jane@example1.com' } }, messageId: 'we-3' });

    expect(await externalIds('user_id:abc456')).toEqual([externalId('user_id', 'abc456', t2, 'we-3')]);
    expect(await externalIds('user_id:abc123')).toEqual([externalId('email', 'jane@example1.com', t1, 'we-1'), externalId('user_id', 'abc123', t1, 'we-1')]);
    expect(await profileIdOf('email:jane@example1.com')).toBe(await profileIdOf('user_id:abc123'));
    expect(await profileIdOf('user_id:abc456')).not.toBe(await profileIdOf('user_id:abc123'));
    expect(messageIds(await events('user_id:abc456'))).toEqual(['we-3']);
    expect(messageIds(await events('user_id:abc123'))).toEqual(['we-2']);
  });

  it('a shared group mailbox seen with u1 and with u2 does not merge them', async () => {
    const t1 = await tick();
    await send('/v1/identify', { userId: 'team-u1', traits: { email: 'team@company.com', name: 'One' }, messageId: 'team-1' });
    await send('/v1/track', { userId: 'team-u1', event: 'Seen', messageId: 'team-2' });
    const t2 = await tick();
    await send('/v1/identify', { userId: 'team-u2', traits: { email: 'team@company.com', name: 'Two' }, messageId: 'team-3' });
    await send('/v1/track', { userId: 'team-u2', event: 'Seen', messageId: 'team-4' });
    // A third event carrying both user ids' mailbox and u2 once more changes nothing either.
    await send('/v1/track', { userId: 'team-u2', event: 'Again', context: { traits: { email: 'team@company.com' } }, messageId: 'team-5' });

    expect(await profileIdOf('user_id:team-u2')).not.toBe(await profileIdOf('user_id:team-u1'));
    expect(await profileIdOf('email:team@company.com')).toBe(await profileIdOf('user_id:team-u1'));
    expect(await externalIds('user_id:team-u1')).toEqual([externalId('email', 'team@company.com', t1, 'team-1'), externalId('user_id', 'team-u1', t1, 'team-1')]);
    expect(await externalIds('user_id:team-u2')).toEqual([externalId('user_id', 'team-u2', t2, 'team-3')]);
    // The trait is still u2's: blocked from resolution, not from the payload.
    expect(await traits('user_id:team-u2')).toEqual({ email: 'team@company.com', name: 'Two' });
    expect(await traits('user_id:team-u1')).toEqual({ email: 'team@company.com', name: 'One' });
    expect(messageIds(await events('user_id:team-u1'))).toEqual(['team-2']);
    expect(messageIds(await events('user_id:team-u2')).sort()).toEqual(['team-4', 'team-5']);
  });
});

describe('blocked values (§4.4)', () => {
  it.each(['anonymous', '-1', 'null', '0000'])('userId %j with an anonymousId: the event lands on the anonymous profile; no user_id', async (blocked) => {
    const p = `blocked-${blocked}`;
    const t1 = await tick();
    await send('/v1/page', { anonymousId: `${p}-anon-1`, messageId: `${p}-1` });
    await send('/v1/track', { userId: blocked, anonymousId: `${p}-anon-1`, event: 'Blocked User', messageId: `${p}-2` });
    await send('/v1/identify', { userId: blocked, anonymousId: `${p}-anon-1`, traits: { seen: true }, messageId: `${p}-3` });
    // Another visitor with the same blocked userId stays a separate profile.
    const t2 = await tick();
    await send('/v1/track', { userId: blocked, anonymousId: `${p}-anon-2`, event: 'Blocked User', messageId: `${p}-4` });

    const first = await profileIdOf(`anonymous_id:${p}-anon-1`);
    expect(messageIds(await events(`anonymous_id:${p}-anon-1`))).toEqual([`${p}-2`, `${p}-1`]);
    expect(await externalIds(`anonymous_id:${p}-anon-1`)).toEqual([externalId('anonymous_id', `${p}-anon-1`, t1, `${p}-1`)]);
    expect(await traits(`anonymous_id:${p}-anon-1`)).toEqual({ seen: true });
    expect(await externalIds(`anonymous_id:${p}-anon-2`)).toEqual([externalId('anonymous_id', `${p}-anon-2`, t2, `${p}-4`)]);
    expect(await profileIdOf(`anonymous_id:${p}-anon-2`)).not.toBe(first);
    expect(await read(`user_id:${blocked}`, 'traits')).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Profile was not found.' } } });
  });
});

describe('alias (§1.1: alias does not merge profiles)', () => {
  it('alias previousId=a-X userId=u-Y leaves two separate profiles, with or without the anonymousId', async () => {
    const t1 = await tick();
    await send('/v1/page', { anonymousId: 'alias-a-X', messageId: 'alias-1' });
    const t2 = await tick();
    await send('/v1/track', { userId: 'alias-u-Y', event: 'Signed Up', messageId: 'alias-2' });
    const anon = await profileIdOf('anonymous_id:alias-a-X');
    const user = await profileIdOf('user_id:alias-u-Y');
    expect(user).not.toBe(anon);

    await tick();
    await send('/v1/alias', { previousId: 'alias-a-X', userId: 'alias-u-Y', messageId: 'alias-3' });
    // analytics.js also sends the browser's anonymousId on alias: one id of each profile.
    await send('/v1/alias', { previousId: 'alias-a-X', userId: 'alias-u-Y', anonymousId: 'alias-a-X', messageId: 'alias-4' });

    expect(await profileIdOf('anonymous_id:alias-a-X')).toBe(anon);
    expect(await profileIdOf('user_id:alias-u-Y')).toBe(user);
    expect(await externalIds('anonymous_id:alias-a-X')).toEqual([externalId('anonymous_id', 'alias-a-X', t1, 'alias-1')]);
    expect(await externalIds('user_id:alias-u-Y')).toEqual([externalId('user_id', 'alias-u-Y', t2, 'alias-2')]);
    expect(messageIds(await events('anonymous_id:alias-a-X'))).toEqual(['alias-1']);
    expect(messageIds(await events('user_id:alias-u-Y'))).toEqual(['alias-2']);
  });
});

/**
 * Reads the graph reachable from `ids` and checks it: every external id of a profile finds that
 * same profile with the same ids; no id is on two profiles; per-type limits hold. Returns each
 * distinct profile with all its events (paged at `pageSize`).
 */
async function readConsistentGraph(
  ids: readonly string[],
  space: Space,
  limits: Readonly<Record<string, number>>,
  pageSize: number,
): Promise<Map<string, { ids: string[]; events: EventItem[] }>> {
  const profiles = new Map<string, { ids: string[]; events: EventItem[] }>();
  const owner = new Map<string, string>();
  for (const lookup of ids) {
    const id = await profileIdOf(lookup, space);
    if (id === undefined || profiles.has(id)) continue;
    const held = idSet(await externalIds(lookup, space));
    for (const other of held) {
      expect({ other, profile: await profileIdOf(other, space), ids: idSet(await externalIds(other, space)) }).toEqual({ other, profile: id, ids: held });
      expect({ other, alsoOn: owner.get(other) }).toEqual({ other, alsoOn: undefined });
      owner.set(other, id);
    }
    for (const [type, limit] of Object.entries(limits)) {
      expect({ id, type, over: held.filter((h) => h.startsWith(`${type}:`)).length > limit }).toEqual({ id, type, over: false });
    }
    const history = (await events(lookup, space, pageSize)) ?? [];
    expect(history.every((e) => e.related.users === id)).toBe(true);
    profiles.set(id, { ids: held, events: history });
  }
  return profiles;
}

/**
 * 20 concurrent batches of 8 tracks over 12 anonymous ids, 5 emails and 6 user ids, in combos
 * that chain merges across requests and hit the user_id and 5-value limits. Afterwards the graph
 * must be consistent and hold every event exactly once, each on a profile with one of its ids.
 */
async function poolRound(p: string): Promise<void> {
  const anon = (n: number): string => `${p}-anon-${n % 12}`;
  const email = (n: number): string => `${p}-${n % 5}@example.com`;
  const user = (n: number): string => `${p}-user-${n % 6}`;
  const batches = Array.from({ length: 20 }, (_, r) =>
    Array.from({ length: 8 }, (_, k) => {
      const n = r * 8 + k;
      const item: { type: string; event: string; messageId: string; anonymousId: string; userId?: string; context?: { traits: { email: string } } } = {
        type: 'track',
        event: 'Pooled',
        messageId: `${p}-${r}-${k}`,
        anonymousId: anon(n * 7 + r),
      };
      if (k % 2 === 0) item.context = { traits: { email: email(n * 3 + k) } };
      if (k % 3 === 0) item.userId = user(n + r);
      return item;
    }),
  );
  const results = await Promise.all(batches.map((batch) => post(url, '/v1/batch', { batch })));
  expect(results.map((r) => ({ status: r.status, body: r.body }))).toEqual(results.map(() => ({ status: 200, body: SUCCESS })));

  const lookups = [
    ...Array.from({ length: 12 }, (_, n) => `anonymous_id:${anon(n)}`),
    ...Array.from({ length: 5 }, (_, n) => `email:${email(n)}`),
    ...Array.from({ length: 6 }, (_, n) => `user_id:${user(n)}`),
  ];
  const graph = await readConsistentGraph(lookups, DEFAULT, { user_id: 1, email: 5, anonymous_id: 5 }, 7);
  const seen = [...graph.values()].flatMap((profile) => messageIds(profile.events));
  const sent = batches.flat().map((item) => item.messageId);
  expect(seen.slice().sort()).toEqual(sent.slice().sort());
  // Profiles hold ids of the pool only (an id demoted every time it was seen is on none).
  expect([...graph.values()].flatMap((profile) => profile.ids).filter((id) => !lookups.includes(id))).toEqual([]);
  // Each event is on a profile holding at least one of the ids it carried.
  const carried = new Map(
    batches.flat().map((item): [string, string[]] => {
      const own = [`anonymous_id:${item.anonymousId}`];
      if (item.context !== undefined) own.push(`email:${item.context.traits.email}`);
      if (item.userId !== undefined) own.push(`user_id:${item.userId}`);
      return [item.messageId, own];
    }),
  );
  const misplaced = [...graph.values()].flatMap((profile) =>
    profile.events.filter((e) => !(carried.get(e.message_id) ?? []).some((id) => profile.ids.includes(id))).map((e) => e.message_id),
  );
  expect(misplaced).toEqual([]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('concurrent merges', () => {
  it('20 concurrent requests, each identifying its own visitor with one shared email, fold into ONE profile with every event', async () => {
    const p = 'conc-wide';
    const email = `${p}@example.com`;
    const requests = Array.from({ length: 20 }, (_, i) =>
      post(
        url,
        '/v1/batch',
        {
          batch: [
            { type: 'page', anonymousId: `${p}-anon-${i}`, name: `Visit ${i}`, messageId: `${p}-${i}-page` },
            { type: 'identify', anonymousId: `${p}-anon-${i}`, traits: { email, [`v${i}`]: i }, messageId: `${p}-${i}-identify` },
            { type: 'track', anonymousId: `${p}-anon-${i}`, event: 'Signed In', messageId: `${p}-${i}-track` },
          ],
        },
        { auth: WIDE.write },
      ),
    );
    const results = await Promise.all(requests);
    expect(results.map((r) => ({ status: r.status, body: r.body }))).toEqual(results.map(() => ({ status: 200, body: SUCCESS })));

    const lookups = [`email:${email}`, ...Array.from({ length: 20 }, (_, i) => `anonymous_id:${p}-anon-${i}`)];
    const graph = await readConsistentGraph(lookups, WIDE, { user_id: 1, email: 5, anonymous_id: 100 }, 7);
    expect(graph.size).toBe(1);
    const [only] = [...graph.values()];
    expect(only?.ids).toEqual(lookups.slice().sort());
    const sent = Array.from({ length: 20 }, (_, i) => [`${p}-${i}-page`, `${p}-${i}-track`]).flat();
    expect(messageIds(only?.events).sort()).toEqual(sent.sort());
    expect(await traits(`email:${email}`, WIDE)).toEqual({ email, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`v${i}`, i])) });
  });

  // Fails on most runs today: see the regression test below for the engine bug it finds.
  it('20 concurrent batches over a small pool of ids (default limits): a consistent graph, every event exactly once', async () => {
    // Three rounds on fresh pools: the interleavings differ from run to run.
    for (let round = 0; round < 3; round++) await poolRound(`conc-pool-${round}`);
  });

  // Regression (found by this suite, now fixed): identity writes are captured when an event is
  // resolved and committed later with the shard delivery of the profile that is live THEN. Request
  // R1 creates profile N and, while it waits to release a merge loser (ingest-service.ts
  // `releaseLosers`), request R2 merges N into W and commits "n → W, N merged into W". R1's event
  // is then re-targeted to W (delivery-plan.ts `groupByShard`) but carries its stale writes "n → N,
  // N live", which commit after R2's and overwrite them: anonymous_id n points at N, which has no
  // state, and every lookup of it is 404 although both requests were acknowledged. Timing-based,
  // but R0's 2,000 events keep R1 waiting long enough that each round hits it on nearly every run.
  it('regression: a profile created while its request waits on a merge hand-over, merged away by another request meanwhile, stays findable', async () => {
    const problems: string[] = [];
    for (let round = 0; round < 8; round++) {
      const p = `handover-${round}`;
      // Creation order W, M2, then M1, then N (in R1): M1 loses to M2, N to W.
      await tick();
      await send('/v1/track', { anonymousId: `${p}-w`, event: 'Seen', context: { traits: { email: `${p}-w@example.com` } } });
      await send('/v1/track', { anonymousId: `${p}-m2`, event: 'Seen', context: { traits: { email: `${p}-m@example.com` } } });
      await tick();
      await send('/v1/track', { anonymousId: `${p}-m1`, event: 'Seen' });
      await tick();
      // R0: a large batch for M1, so that releasing M1 for a merge waits on its commit.
      const r0 = post(url, '/v1/batch', { batch: Array.from({ length: 2000 }, (_, i) => ({ type: 'track', anonymousId: `${p}-m1`, event: 'Bulk', properties: { i } })) });
      await sleep(15);
      // R1: merges M1 into M2 (waits for M1's hand-over), then creates N.
      const r1 = post(url, '/v1/batch', {
        batch: [
          { type: 'track', anonymousId: `${p}-m1`, event: 'Link', context: { traits: { email: `${p}-m@example.com` } } },
          { type: 'track', anonymousId: `${p}-n`, event: 'New', messageId: `${p}-new` },
        ],
      });
      await sleep(2);
      // R2: merges N, so far only staged by R1, into W.
      const r2 = post(url, '/v1/track', { anonymousId: `${p}-n`, event: 'Join', context: { traits: { email: `${p}-w@example.com` } }, messageId: `${p}-join` });
      expect((await Promise.all([r0, r1, r2])).map((r) => r.status)).toEqual([200, 200, 200]);
      const w = await profileIdOf(`email:${p}-w@example.com`);
      const n = await profileIdOf(`anonymous_id:${p}-n`);
      if (n !== w) problems.push(`${p}: anonymous_id:${p}-n finds ${String(n)}, email:${p}-w@example.com finds ${String(w)}`);
    }
    expect(problems).toEqual([]);
  });
});
