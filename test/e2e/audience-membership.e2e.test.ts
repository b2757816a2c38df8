import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { admin, create, DAY, HOUR, iso, read, send, sizeOf, traits, traitsOf } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';

// Contract "Audiences and computed traits": membership and values appear on profiles (Profile API
// `traits`, `include`, `class`) as soon as they change; `size` = current member count (entries,
// exits, merges, deletions). query-language.md: windows exit at `ts + D` exactly, anonymous
// profiles do not qualify by default, funnel "did not" children settle at `parent.ts + D`.

const BUYERS = "event('Order Completed').within(30 days).count() >= 1";
const CART_ABANDONERS = "event('Product Added').where( event('Order Completed').within(parent: 1 days).count() = 0 ).within(7 days).count() >= 1";

describe('audience membership and computed traits through HTTP (manual clock)', () => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
  });

  afterAll(async () => {
    await server.destroy();
  });

  describe('a 30-day window', () => {
    let audienceId: string;

    beforeAll(async () => {
      audienceId = (await create(url, 'audiences', { name: 'Order Completed last 30days', definition: { query: BUYERS } })).id;
      await server.engine.definitions.idle();
    });

    it('a profile enters on its first Order Completed: k: true, size 1, class=audience and include= find it', async () => {
      await send(url, 'identify', { userId: 'buyer-1', traits: { plan: 'pro' } });
      expect(await traitsOf(url, 'user_id:buyer-1', 'class=audience')).toEqual({});
      await send(url, 'track', { userId: 'buyer-1', event: 'Order Completed', properties: { total: 42 } });
      const all = await traits(url, 'user_id:buyer-1', 'limit=200');
      expect(all.body).toMatchObject({ traits: { plan: 'pro', order_completed_last_30_days: true } });
      expect(await traitsOf(url, 'user_id:buyer-1', 'class=audience')).toEqual({ order_completed_last_30_days: true });
      expect(await traitsOf(url, 'user_id:buyer-1', 'include=order_completed_last_30_days,plan&class=audience')).toEqual({ order_completed_last_30_days: true });
      expect(await traitsOf(url, 'user_id:buyer-1', 'include=plan')).toEqual({ plan: 'pro' });
      expect(await traitsOf(url, 'user_id:buyer-1', 'class=computed_trait')).toEqual({});
      expect(await sizeOf(url, audienceId)).toBe(1);
    });

    it('verbose: the source of a membership is the space', async () => {
      const now = await advanceClock(url, 0);
      const result = await traits(url, 'user_id:buyer-1', 'class=audience&verbose=true');
      expect(result).toEqual({
        status: 200,
        body: {
          traits: { order_completed_last_30_days: { value: true, source_id: 'default', updated_at: expect.any(String) } },
          cursor: { url: '/v1/spaces/default/collections/users/profiles/user_id:buyer-1/traits?class=audience&verbose=true', has_more: false, next: '', limit: 10 },
        },
      });
      expect(Date.parse((result.body as { traits: { order_completed_last_30_days: { updated_at: string } } }).traits.order_completed_last_30_days.updated_at)).toBeLessThanOrEqual(now);
    });

    it('still a member at ts + 30 days − 1 ms; out at ts + 30 days exactly (k: false, size 0)', async () => {
      await advanceClock(url, 30 * DAY - 1);
      expect(await traitsOf(url, 'user_id:buyer-1', 'class=audience')).toEqual({ order_completed_last_30_days: true });
      expect(await sizeOf(url, audienceId)).toBe(1);
      await advanceClock(url, 1);
      expect(await traitsOf(url, 'user_id:buyer-1', 'class=audience')).toEqual({ order_completed_last_30_days: false });
      expect(await sizeOf(url, audienceId)).toBe(0);
    });

    it('a profile with only an anonymousId does not qualify; it does once it is identified', async () => {
      await send(url, 'track', { anonymousId: 'anon-only-1', event: 'Order Completed' });
      expect(await traitsOf(url, 'anonymous_id:anon-only-1', 'class=audience')).toEqual({});
      expect(await sizeOf(url, audienceId)).toBe(0);
      await send(url, 'identify', { anonymousId: 'anon-only-1', userId: 'known-later-1' });
      expect(await traitsOf(url, 'user_id:known-later-1', 'class=audience')).toEqual({ order_completed_last_30_days: true });
      expect(await sizeOf(url, audienceId)).toBe(1);
    });

    it('includeAnonymousUsers: true lets anonymous profiles in', async () => {
      const anonymous = await create(url, 'audiences', { name: 'Anonymous buyers', definition: { query: BUYERS }, options: { includeAnonymousUsers: true } });
      await server.engine.definitions.idle();
      await send(url, 'track', { anonymousId: 'anon-only-2', event: 'Order Completed' });
      expect(await traitsOf(url, 'anonymous_id:anon-only-2', 'class=audience')).toEqual({ anonymous_buyers: true });
      expect(await traitsOf(url, 'anonymous_id:anon-only-2', 'limit=200')).toEqual({ anonymous_buyers: true });
      // anon-only-1 (now known-later-1) was backfilled into it too: two members.
      expect(await sizeOf(url, anonymous.id)).toBe(2);
    });
  });

  describe('computed traits', () => {
    beforeAll(async () => {
      await create(url, 'computed-traits', { name: 'Order count', definition: { query: "event('Order Completed').count()" } });
      await create(url, 'computed-traits', { name: 'Revenue', definition: { query: "event('Order Completed').sum(property('total'))" } });
      await create(url, 'computed-traits', { name: 'Last sku', definition: { query: "event('Order Completed').last(property('sku'))" } });
      await create(url, 'computed-traits', { name: 'Weekly max', definition: { query: "event('Order Completed').within(7 days).max(property('total'))" } });
      await server.engine.definitions.idle();
    });

    it('a known profile with no order: count() is 0, the others have no value', async () => {
      await send(url, 'identify', { userId: 'shopper-1', traits: { name: 'Ada' } });
      expect(await traitsOf(url, 'user_id:shopper-1', 'class=computed_trait')).toEqual({ order_count: 0 });
      expect(await traitsOf(url, 'user_id:shopper-1', 'limit=200')).toEqual({ name: 'Ada', order_count: 0 });
    });

    it('each order updates count, sum, last and max at once', async () => {
      await send(url, 'track', { userId: 'shopper-1', event: 'Order Completed', properties: { total: 10, sku: 'A-1' } });
      expect(await traitsOf(url, 'user_id:shopper-1', 'class=computed_trait')).toEqual({ order_count: 1, revenue: 10, last_sku: 'A-1', weekly_max: 10 });
      await advanceClock(url, HOUR);
      await send(url, 'track', { userId: 'shopper-1', event: 'Order Completed', properties: { total: 25.5, sku: 'B-2' } });
      expect(await traitsOf(url, 'user_id:shopper-1', 'class=computed_trait')).toEqual({ order_count: 2, revenue: 35.5, last_sku: 'B-2', weekly_max: 25.5 });
      // A late order (dated before the others) counts, but is not the last one.
      const now = await advanceClock(url, 0);
      await send(url, 'track', { userId: 'shopper-1', event: 'Order Completed', properties: { total: 5, sku: 'C-3' }, timestamp: iso(now - 2 * HOUR) });
      expect(await traitsOf(url, 'user_id:shopper-1', 'class=computed_trait&include=order_count,revenue,last_sku')).toEqual({ order_count: 3, revenue: 40.5, last_sku: 'B-2' });
    });

    it('a windowed value disappears when its last occurrence leaves the window; count() stays', async () => {
      // The orders are at now − 2 h, now − 1 h and now: the window drops the newest at now + 7 d.
      await advanceClock(url, 7 * DAY);
      expect(await traitsOf(url, 'user_id:shopper-1', 'class=computed_trait')).toEqual({ order_count: 3, revenue: 40.5, last_sku: 'B-2' });
      expect(await traitsOf(url, 'user_id:shopper-1', 'include=weekly_max')).toEqual({});
    });
  });

  describe('the cart-abandonment funnel', () => {
    let audienceId: string;

    beforeAll(async () => {
      audienceId = (await create(url, 'audiences', { name: 'Cart abandoners', definition: { query: CART_ABANDONERS } })).id;
      await server.engine.definitions.idle();
    });

    it('enters exactly at Product Added + 1 day when no order came', async () => {
      await send(url, 'track', { userId: 'abandoner-1', event: 'Product Added' });
      expect(await traitsOf(url, 'user_id:abandoner-1', 'class=audience')).toEqual({});
      await advanceClock(url, DAY - 1);
      expect(await traitsOf(url, 'user_id:abandoner-1', 'class=audience')).toEqual({});
      await advanceClock(url, 1);
      expect(await traitsOf(url, 'user_id:abandoner-1', 'class=audience')).toEqual({ cart_abandoners: true });
      expect(await sizeOf(url, audienceId)).toBe(1);
      // Out when the Product Added leaves the 7-day window (at its ts + 7 d).
      await advanceClock(url, 6 * DAY - 1);
      expect(await traitsOf(url, 'user_id:abandoner-1', 'class=audience')).toEqual({ cart_abandoners: true });
      await advanceClock(url, 1);
      expect(await traitsOf(url, 'user_id:abandoner-1', 'class=audience')).toEqual({ cart_abandoners: false });
      expect(await sizeOf(url, audienceId)).toBe(0);
    });

    it('never enters when the order came within the day', async () => {
      await send(url, 'track', { userId: 'buyer-in-time', event: 'Product Added' });
      await advanceClock(url, 23 * HOUR);
      await send(url, 'track', { userId: 'buyer-in-time', event: 'Order Completed' });
      await advanceClock(url, HOUR);
      expect(await traitsOf(url, 'user_id:buyer-in-time', 'class=audience&include=cart_abandoners')).toEqual({});
      await advanceClock(url, 8 * DAY);
      expect(await traitsOf(url, 'user_id:buyer-in-time', 'class=audience&include=cart_abandoners')).toEqual({});
    });

    it('Product Added → Order Completed → Product Added enters one day after the second Product Added', async () => {
      await send(url, 'track', { userId: 'returner-1', event: 'Product Added' });
      await advanceClock(url, HOUR);
      await send(url, 'track', { userId: 'returner-1', event: 'Order Completed' });
      await advanceClock(url, HOUR);
      await send(url, 'track', { userId: 'returner-1', event: 'Product Added' });
      await advanceClock(url, DAY - 1);
      expect(await traitsOf(url, 'user_id:returner-1', 'include=cart_abandoners')).toEqual({});
      await advanceClock(url, 1);
      expect(await traitsOf(url, 'user_id:returner-1', 'include=cart_abandoners')).toEqual({ cart_abandoners: true });
    });
  });

  describe('size after merges and deletions', () => {
    let audienceId: string;

    beforeAll(async () => {
      audienceId = (await create(url, 'audiences', { name: 'Subscribers', definition: { query: "event('Subscribed').count() >= 1" } })).id;
      await server.engine.definitions.idle();
    });

    it('two member profiles merged by an identify → size drops by one; the survivor is a member', async () => {
      await send(url, 'track', { userId: 'merge-a', event: 'Subscribed' });
      // A second profile, known by its email only (an email makes it a known profile).
      await send(url, 'identify', { anonymousId: 'anon-merge-b', traits: { email: 'merge-b@example.com' } });
      await send(url, 'track', { anonymousId: 'anon-merge-b', event: 'Subscribed' });
      expect(await traitsOf(url, 'email:merge-b@example.com', 'class=audience')).toEqual({ subscribers: true });
      expect(await sizeOf(url, audienceId)).toBe(2);
      await send(url, 'identify', { userId: 'merge-a', anonymousId: 'anon-merge-b' });
      expect(await traitsOf(url, 'user_id:merge-a', 'class=audience&include=subscribers')).toEqual({ subscribers: true });
      expect(await traitsOf(url, 'email:merge-b@example.com', 'class=audience&include=subscribers')).toEqual({ subscribers: true });
      expect(await sizeOf(url, audienceId)).toBe(1);
    });

    it('a deleted profile leaves the size at once', async () => {
      await send(url, 'track', { userId: 'delete-me', event: 'Subscribed' });
      expect(await sizeOf(url, audienceId)).toBe(2);
      const deleted = await admin(url, 'DELETE', '/v1/spaces/default/collections/users/profiles/user_id:delete-me');
      expect(deleted.status).toBe(204);
      expect(await sizeOf(url, audienceId)).toBe(1);
      expect((await traits(url, 'user_id:delete-me')).status).toBe(404);
    });

    it('a merge where only the folded-in profile was a member keeps the size; deleting the survivor ends it', async () => {
      await send(url, 'identify', { userId: 'merge-w', traits: { plan: 'free' } });
      await send(url, 'track', { anonymousId: 'anon-merge-l', event: 'Subscribed', context: { traits: { email: 'merge-l@example.com' } } });
      expect(await sizeOf(url, audienceId)).toBe(2);
      expect(await traitsOf(url, 'user_id:merge-w', 'include=subscribers')).toEqual({});
      await send(url, 'identify', { userId: 'merge-w', anonymousId: 'anon-merge-l' });
      expect(await traitsOf(url, 'user_id:merge-w', 'include=subscribers')).toEqual({ subscribers: true });
      expect(await sizeOf(url, audienceId)).toBe(2);
      // Any identifier of the merged profile finds it, for deletion too.
      expect((await admin(url, 'DELETE', '/v1/spaces/default/collections/users/profiles/email:merge-l@example.com')).status).toBe(204);
      expect(await sizeOf(url, audienceId)).toBe(1);
    });
  });

  describe('PATCH', () => {
    it('a new definition re-computes every profile (backfill on the new query)', async () => {
      const audience = await create(url, 'audiences', { name: 'Repeat visitors', definition: { query: "event('Visited').count() >= 1" } });
      await server.engine.definitions.idle();
      await send(url, 'track', { userId: 'visitor-1', event: 'Visited' });
      await send(url, 'track', { userId: 'visitor-2', event: 'Visited' });
      await send(url, 'track', { userId: 'visitor-2', event: 'Visited' });
      expect(await sizeOf(url, audience.id)).toBe(2);
      const patched = await admin(url, 'PATCH', `/v1/spaces/default/audiences/${audience.id}`, { definition: { query: "event('Visited').count() >= 2" } });
      expect(patched).toMatchObject({ status: 200, body: { audience: { definition: { query: "event('Visited').count() >= 2", type: 'USERS' }, status: 'Preparing' } } });
      await server.engine.definitions.idle();
      expect(await read(url, 'audiences', audience.id)).toMatchObject({ status: 'Live', size: 1 });
      expect(await traitsOf(url, 'user_id:visitor-1', 'class=audience&include=repeat_visitors')).toEqual({ repeat_visitors: false });
      expect(await traitsOf(url, 'user_id:visitor-2', 'class=audience&include=repeat_visitors')).toEqual({ repeat_visitors: true });
      // The live path runs the new query too.
      await send(url, 'track', { userId: 'visitor-1', event: 'Visited' });
      expect(await traitsOf(url, 'user_id:visitor-1', 'class=audience&include=repeat_visitors')).toEqual({ repeat_visitors: true });
      expect(await sizeOf(url, audience.id)).toBe(2);
    });

    it('enabled: false → Disabled, membership stops changing (no entries, no timed exits); enabled again → recomputed', async () => {
      const audience = await create(url, 'audiences', { name: 'Weekly readers', definition: { query: "event('Article Read').within(7 days).count() >= 1" } });
      await server.engine.definitions.idle();
      await send(url, 'track', { userId: 'reader-1', event: 'Article Read' });
      expect(await traitsOf(url, 'user_id:reader-1', 'include=weekly_readers')).toEqual({ weekly_readers: true });
      const disabled = await admin(url, 'PATCH', `/v1/spaces/default/audiences/${audience.id}`, { enabled: false });
      expect(disabled).toMatchObject({ status: 200, body: { audience: { enabled: false, status: 'Disabled' } } });
      await send(url, 'track', { userId: 'reader-2', event: 'Article Read' });
      await advanceClock(url, 8 * DAY);
      expect(await traitsOf(url, 'user_id:reader-1', 'include=weekly_readers')).toEqual({ weekly_readers: true });
      expect(await traitsOf(url, 'user_id:reader-2', 'include=weekly_readers')).toEqual({});
      // Still an audience's trait while the audience exists, disabled or not.
      expect(await traitsOf(url, 'user_id:reader-1', 'class=audience&include=weekly_readers')).toEqual({ weekly_readers: true });

      // Enabled again: a backfill brings every profile to its answer now.
      const enabled = await admin(url, 'PATCH', `/v1/spaces/default/audiences/${audience.id}`, { enabled: true });
      expect(enabled).toMatchObject({ status: 200, body: { audience: { enabled: true, status: 'Preparing' } } });
      await send(url, 'track', { userId: 'reader-3', event: 'Article Read' });
      await server.engine.definitions.idle();
      expect(await read(url, 'audiences', audience.id)).toMatchObject({ status: 'Live', size: 1 });
      expect(await traitsOf(url, 'user_id:reader-1', 'include=weekly_readers')).toEqual({ weekly_readers: false });
      expect(await traitsOf(url, 'user_id:reader-2', 'include=weekly_readers')).toEqual({});
      expect(await traitsOf(url, 'user_id:reader-3', 'include=weekly_readers')).toEqual({ weekly_readers: true });
    });
  });

  describe('references between definitions', () => {
    it('an audience on a computed trait follows it within the same event', async () => {
      await create(url, 'computed-traits', { name: 'LTV', definition: { query: "event('Purchase').sum(property('total'))" } });
      const big = await create(url, 'audiences', { name: 'Big customers', definition: { query: "trait('ltv') > 100" } });
      await server.engine.definitions.idle();
      await send(url, 'track', { userId: 'ref-1', event: 'Purchase', properties: { total: 60 } });
      expect(await traitsOf(url, 'user_id:ref-1', 'include=ltv,big_customers')).toEqual({ ltv: 60 });
      await send(url, 'track', { userId: 'ref-1', event: 'Purchase', properties: { total: 60 } });
      expect(await traitsOf(url, 'user_id:ref-1', 'include=ltv,big_customers')).toEqual({ ltv: 120, big_customers: true });
      expect(await sizeOf(url, big.id)).toBe(1);
    });

    it('an audience on a custom trait follows identify calls, null removing it', async () => {
      const vip = await create(url, 'audiences', { name: 'VIP', definition: { query: "trait('plan') = 'vip'" } });
      await server.engine.definitions.idle();
      await send(url, 'identify', { userId: 'ref-2', traits: { plan: 'vip' } });
      expect(await traitsOf(url, 'user_id:ref-2', 'include=vip,plan')).toEqual({ vip: true, plan: 'vip' });
      await send(url, 'identify', { userId: 'ref-2', traits: { plan: null } });
      expect(await traitsOf(url, 'user_id:ref-2', 'include=vip,plan')).toEqual({ vip: false });
      expect(await sizeOf(url, vip.id)).toBe(0);
    });
  });

  describe('deletion', () => {
    it('a deleted audience stops changing and its last value stays as a custom trait', async () => {
      const audience = await create(url, 'audiences', { name: 'Daily players', definition: { query: "event('Game Played').within(1 days).count() >= 1" } });
      await server.engine.definitions.idle();
      await send(url, 'track', { userId: 'player-1', event: 'Game Played' });
      expect(await traitsOf(url, 'user_id:player-1', 'class=audience&include=daily_players')).toEqual({ daily_players: true });
      expect((await admin(url, 'DELETE', `/v1/spaces/default/audiences/${audience.id}`)).status).toBe(204);
      await advanceClock(url, 2 * DAY);
      await send(url, 'track', { userId: 'player-1', event: 'Game Played' });
      expect(await traitsOf(url, 'user_id:player-1', 'include=daily_players')).toEqual({ daily_players: true });
      expect(await traitsOf(url, 'user_id:player-1', 'class=audience&include=daily_players')).toEqual({});
      expect((await admin(url, 'GET', `/v1/spaces/default/audiences/${audience.id}`, undefined, DEV_AUTH.admin)).status).toBe(404);
    });
  });
});
