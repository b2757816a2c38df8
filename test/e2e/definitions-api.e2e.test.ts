import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpaceConfig } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { asSpaceId } from '../../src/shared/ids.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { admin, create, DAY, iso, read } from './definitions-http.ts';
import { advanceClock, errorBody, get } from './tracking-http.ts';

// Contract "Audiences and computed traits (management API)" and "Details fixed" (Management API):
// create/list/get/patch/delete, bodies `{"audience":…}`/`{"computedTrait":…}`, keys derived in
// snake_case, immutable and never reused, one key namespace per space, 400 with line and column,
// 400 on a cycle, 401/404 on tokens.

const AUDIENCES = '/v1/spaces/default/audiences';
const TRAITS = '/v1/spaces/default/computed-traits';
const BUYERS = "event('Order Completed').within(30 days).count() >= 1";

/** The default space plus `other`, whose admin token must not reach `default` (404). */
function twoSpaces(): SpaceConfig[] {
  const [space] = loadConfig({ env: { TROUPE_LOG_LEVEL: 'silent' } }).spaces;
  if (space === undefined) throw new Error('the default config has a space');
  return [space, { ...space, id: asSpaceId('other'), writeKeys: [], accessTokens: ['other-access-token'], adminTokens: ['other-admin-token'] }];
}

describe('management API: audiences and computed traits', () => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual', spaces: twoSpaces() });
    url = server.url;
  });

  afterAll(async () => {
    await server.destroy();
  });

  describe('create, read, list', () => {
    it('POST /audiences → 201 {"audience":…} with the key derived from the name', async () => {
      const now = await advanceClock(url, 0);
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Order Completed last 30days', definition: { query: BUYERS } });
      expect(result.status).toBe(201);
      expect(result.body).toEqual({
        audience: {
          id: expect.stringMatching(/^aud_[0-9a-f]{24}$/),
          key: 'order_completed_last_30_days',
          name: 'Order Completed last 30days',
          description: null,
          definition: { query: BUYERS, type: 'USERS' },
          enabled: true,
          // The backfill over stored history starts after the response.
          status: 'Preparing',
          size: 0,
          options: { includeHistoricalData: true, backfillEventDataDays: null, includeAnonymousUsers: false },
          createdAt: iso(now),
          updatedAt: iso(now),
        },
      });
    });

    it('GET /audiences/{id} and /audiences/{key} → the same audience, Live once its backfill ran', async () => {
      await server.engine.definitions.idle();
      const byKey = await get(url, `${AUDIENCES}/order_completed_last_30_days`, DEV_AUTH.admin);
      expect(byKey.status).toBe(200);
      const audience = (byKey.body as { audience: { id: string; status: string } }).audience;
      expect(audience.status).toBe('Live');
      const byId = await get(url, `${AUDIENCES}/${audience.id}`, DEV_AUTH.admin);
      expect(byId).toMatchObject({ status: 200, body: byKey.body });
    });

    it('a given key, a description, options and enabled:false are kept; a disabled audience is Disabled', async () => {
      const now = await advanceClock(url, 0);
      const result = await admin(url, 'POST', AUDIENCES, {
        name: 'Big spenders',
        key: 'big_spenders_v2',
        description: 'Spent over 100 in a week',
        definition: { query: "event('Order Completed').where( property('total') > 100 ).within(7 days).count() >= 1", type: 'USERS' },
        enabled: false,
        options: { includeHistoricalData: false, backfillEventDataDays: 14, includeAnonymousUsers: true },
      });
      expect(result).toMatchObject({
        status: 201,
        body: {
          audience: {
            key: 'big_spenders_v2',
            name: 'Big spenders',
            description: 'Spent over 100 in a week',
            enabled: false,
            status: 'Disabled',
            size: 0,
            options: { includeHistoricalData: false, backfillEventDataDays: 14, includeAnonymousUsers: true },
            createdAt: iso(now),
          },
        },
      });
    });

    it('POST /computed-traits → 201 {"computedTrait":…} without a size; the list is {"computedTraits":[…]}', async () => {
      const now = await advanceClock(url, 0);
      const query = "event('Order Completed').sum(property('total'))";
      const result = await admin(url, 'POST', TRAITS, { name: 'Lifetime value', definition: { query } });
      expect(result.status).toBe(201);
      const created = (result.body as { computedTrait: { id: string } }).computedTrait;
      expect(result.body).toEqual({
        computedTrait: {
          id: expect.stringMatching(/^trt_[0-9a-f]{24}$/),
          key: 'lifetime_value',
          name: 'Lifetime value',
          description: null,
          definition: { query, type: 'USERS' },
          enabled: true,
          status: 'Preparing',
          options: { includeHistoricalData: true, backfillEventDataDays: null, includeAnonymousUsers: false },
          createdAt: iso(now),
          updatedAt: iso(now),
        },
      });
      await server.engine.definitions.idle();
      const list = await get(url, TRAITS, DEV_AUTH.admin);
      expect(list.status).toBe(200);
      expect((list.body as { computedTraits: Array<{ id: string; status: string }> }).computedTraits).toEqual([
        expect.objectContaining({ id: created.id, key: 'lifetime_value', status: 'Live' }),
      ]);
      // The kinds are two collections: a computed trait is not an audience.
      expect(await get(url, `${AUDIENCES}/${created.id}`, DEV_AUTH.admin)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await get(url, `${AUDIENCES}/lifetime_value`, DEV_AUTH.admin)).toMatchObject({ status: 404, body: errorBody('not_found') });
    });

    it('GET /audiences → {"audiences":[…]} in creation order', async () => {
      const list = await get(url, AUDIENCES, DEV_AUTH.admin);
      expect(list.status).toBe(200);
      const keys = (list.body as { audiences: Array<{ key: string }> }).audiences.map((a) => a.key);
      expect(keys.slice(0, 2)).toEqual(['order_completed_last_30_days', 'big_spenders_v2']);
    });

    it('an audience that ends in a scalar, or a computed trait that ends in a condition → 400 invalid_definition', async () => {
      const audience = await admin(url, 'POST', AUDIENCES, { name: 'Scalar', definition: { query: "event('Order Completed').count()" } });
      expect(audience).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_definition', message: expect.stringContaining('line 1, column 33') } },
      });
      const trait = await admin(url, 'POST', TRAITS, { name: 'Boolean', definition: { query: BUYERS } });
      expect(trait).toMatchObject({ status: 400, body: errorBody('invalid_definition') });
    });
  });

  describe('keys', () => {
    it('a key in use → 409 key_in_use, for audiences and computed traits alike (one namespace)', async () => {
      const first = await admin(url, 'POST', AUDIENCES, { name: 'Shared key', definition: { query: BUYERS } });
      expect(first.status).toBe(201);
      expect(await admin(url, 'POST', AUDIENCES, { name: 'Shared key', definition: { query: BUYERS } })).toMatchObject({ status: 409, body: errorBody('key_in_use') });
      expect(await admin(url, 'POST', AUDIENCES, { name: 'Another name', key: 'shared_key', definition: { query: BUYERS } })).toMatchObject({
        status: 409,
        body: errorBody('key_in_use'),
      });
      expect(await admin(url, 'POST', TRAITS, { name: 'Shared key', definition: { query: "event('Order Completed').count()" } })).toMatchObject({
        status: 409,
        body: errorBody('key_in_use'),
      });
    });

    it('a deleted definition → 204, 404 at once, and its key stays taken (409)', async () => {
      const trait = await create(url, 'computed-traits', { name: 'Orders ever', definition: { query: "event('Order Completed').count()" } });
      expect(await admin(url, 'DELETE', `${TRAITS}/${trait.id}`)).toMatchObject({ status: 204, body: '' });
      expect(await get(url, `${TRAITS}/${trait.id}`, DEV_AUTH.admin)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await get(url, `${TRAITS}/orders_ever`, DEV_AUTH.admin)).toMatchObject({ status: 404, body: errorBody('not_found') });
      const list = await get(url, TRAITS, DEV_AUTH.admin);
      expect((list.body as { computedTraits: Array<{ id: string }> }).computedTraits.map((t) => t.id)).not.toContain(trait.id);
      expect(await admin(url, 'DELETE', `${TRAITS}/${trait.id}`)).toMatchObject({ status: 404, body: errorBody('not_found') });
      // Neither kind may take the key again.
      const again = await admin(url, 'POST', TRAITS, { name: 'Orders ever', definition: { query: "event('Order Completed').count()" } });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'key_in_use', message: expect.stringContaining('never reused') } } });
      expect(await admin(url, 'POST', AUDIENCES, { name: 'x', key: 'orders_ever', definition: { query: BUYERS } })).toMatchObject({ status: 409 });
    });

    it('DELETE or PATCH of an unknown id → 404', async () => {
      expect(await admin(url, 'DELETE', `${AUDIENCES}/aud_000000000000000000000000`)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await admin(url, 'PATCH', `${AUDIENCES}/aud_000000000000000000000000`, { name: 'x' })).toMatchObject({ status: 404, body: errorBody('not_found') });
    });

    it('an invalid key → 400 naming `key`', async () => {
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Bad key', key: 'Not A Key', definition: { query: BUYERS } });
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('"key"') } } });
      const unnamed = await admin(url, 'POST', AUDIENCES, { name: '---', definition: { query: BUYERS } });
      expect(unnamed).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('"key"') } } });
    });
  });

  describe('definitions refused', () => {
    it('a syntax error → 400 invalid_definition naming the line and column', async () => {
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Broken', definition: { query: "event('Order Completed')\n  .within(30 days)\n  .count() >= " } });
      expect(result).toEqual({
        status: 400,
        headers: expect.anything(),
        body: { error: { code: 'invalid_definition', message: "line 3, column 15: expected a value after '>=', found the end of the definition" } },
      });
      // Nothing was created: the name's key is still free.
      expect(await get(url, `${AUDIENCES}/broken`, DEV_AUTH.admin)).toMatchObject({ status: 404 });
    });

    it('a cycle through trait() → 400 definition_cycle "would create a cycle"', async () => {
      await create(url, 'audiences', { name: 'Cycle A', key: 'cycle_a', definition: { query: "trait('cycle_b') = true" } });
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Cycle B', key: 'cycle_b', definition: { query: "trait('cycle_a') = true" } });
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'definition_cycle', message: expect.stringContaining('would create a cycle') } } });
      // Through a computed trait too, and by PATCH.
      const trait = await create(url, 'computed-traits', { name: 'Cycle T', key: 'cycle_t', definition: { query: "event('Order Completed').count()" } });
      const patched = await admin(url, 'PATCH', `${TRAITS}/${trait.id}`, { definition: { query: "event('Order Completed').where( trait('cycle_a') = true ).count()" } });
      expect(patched.status).toBe(200);
      const closing = await admin(url, 'PATCH', `${AUDIENCES}/cycle_a`, { definition: { query: "trait('cycle_t') >= 1" } });
      expect(closing).toMatchObject({ status: 400, body: { error: { code: 'definition_cycle', message: expect.stringContaining('would create a cycle') } } });
      expect((await read(url, 'audiences', 'cycle_a')).definition.query).toBe("trait('cycle_b') = true");
    });

    it('account quantifiers (ANY/ALL) → 400 unsupported_definition', async () => {
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Accounts', definition: { query: "ANY event('Shoes Bought').count() >= 1", type: 'ACCOUNTS' } });
      expect(result).toMatchObject({ status: 400, body: errorBody('unsupported_definition') });
    });
  });

  describe('body validation', () => {
    const cases: Array<[string, unknown, string, string]> = [
      ['an unknown field', { name: 'x', definition: { query: BUYERS }, colour: 'red', size: 3 }, 'invalid_body', 'Unknown fields `colour`, `size`'],
      ['an unknown definition field', { name: 'x', definition: { query: BUYERS, text: 'y' } }, 'invalid_body', '`definition.text`'],
      ['an unknown option', { name: 'x', definition: { query: BUYERS }, options: { realtime: true } }, 'invalid_body', '`options.realtime`'],
      ['no name', { definition: { query: BUYERS } }, 'invalid_body', '`name` is required'],
      ['an empty name', { name: '  ', definition: { query: BUYERS } }, 'invalid_body', '`name` must not be empty'],
      ['a name of 201 characters', { name: 'n'.repeat(201), definition: { query: BUYERS } }, 'invalid_body', '`name` is 201 characters long; at most 200'],
      ['a name that is a number', { name: 7, definition: { query: BUYERS } }, 'invalid_body', '`name` must be a string'],
      ['no definition', { name: 'x' }, 'invalid_body', '`definition` is required'],
      ['a definition that is a string', { name: 'x', definition: BUYERS }, 'invalid_body', '`definition` must be an object'],
      ['no query', { name: 'x', definition: {} }, 'invalid_body', '`definition.query` is required'],
      ['a query that is not a string', { name: 'x', definition: { query: 3 } }, 'invalid_body', '`definition.query` must be a string'],
      ['an unknown type', { name: 'x', definition: { query: BUYERS, type: 'GROUPS' } }, 'invalid_body', '`definition.type` must be "USERS" or "ACCOUNTS"'],
      ['enabled as a string', { name: 'x', definition: { query: BUYERS }, enabled: 'yes' }, 'invalid_body', '`enabled` must be true or false'],
      ['backfillEventDataDays 0', { name: 'x', definition: { query: BUYERS }, options: { backfillEventDataDays: 0 } }, 'invalid_body', '`options.backfillEventDataDays` must be a positive integer'],
      ['backfillEventDataDays 1.5', { name: 'x', definition: { query: BUYERS }, options: { backfillEventDataDays: 1.5 } }, 'invalid_body', '`options.backfillEventDataDays`'],
      ['backfillEventDataDays "7"', { name: 'x', definition: { query: BUYERS }, options: { backfillEventDataDays: '7' } }, 'invalid_body', '`options.backfillEventDataDays`'],
      ['includeHistoricalData as 1', { name: 'x', definition: { query: BUYERS }, options: { includeHistoricalData: 1 } }, 'invalid_body', '`options.includeHistoricalData` must be true or false'],
      ['a key that is a number', { name: 'x', key: 5, definition: { query: BUYERS } }, 'invalid_body', '`key` must be a string'],
      ['an array body', [{ name: 'x' }], 'invalid_body', 'must be a JSON object'],
      ['malformed JSON', '{"name": ', 'invalid_json', 'not valid JSON'],
      ['an empty body', '', 'invalid_json', 'empty'],
    ];
    it.each(cases)('%s → 400 naming it', async (_label, body, code, phrase) => {
      const result = await admin(url, 'POST', AUDIENCES, body);
      expect(result).toMatchObject({ status: 400, body: { error: { code, message: expect.stringContaining(phrase) } } });
    });

    it('a body over 64 KB → 400 request_too_large', async () => {
      const result = await admin(url, 'POST', AUDIENCES, { name: 'x', description: 'd'.repeat(70_000), definition: { query: BUYERS } });
      expect(result).toMatchObject({ status: 400, body: errorBody('request_too_large') });
    });

    it('a query over 20,000 characters → 400 invalid_definition at line 1, column 1', async () => {
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Long', definition: { query: `${BUYERS} ${'OR '.repeat(7_000)}` } });
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'invalid_definition', message: expect.stringMatching(/^line 1, column 1: /) } } });
    });

    it('1,000 nested parentheses → 400, and the server goes on serving', async () => {
      const query = `${'('.repeat(1_000)}${BUYERS}${')'.repeat(1_000)}`;
      const result = await admin(url, 'POST', AUDIENCES, { name: 'Deep', definition: { query } });
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'invalid_definition', message: expect.stringMatching(/line 1, column \d+/) } } });
      expect((await get(url, AUDIENCES, DEV_AUTH.admin)).status).toBe(200);
    });
  });

  describe('PATCH', () => {
    it('with `key` → 400 key_immutable and nothing changes', async () => {
      const audience = await create(url, 'audiences', { name: 'Patch me', definition: { query: BUYERS } });
      // The status moves on its own while the creation's backfill runs: compare once it is done.
      await server.engine.definitions.idle();
      const before = await read(url, 'audiences', audience.id);
      const result = await admin(url, 'PATCH', `${AUDIENCES}/${audience.id}`, { key: 'patched', name: 'Renamed' });
      expect(result).toMatchObject({ status: 400, body: errorBody('key_immutable') });
      expect(await read(url, 'audiences', audience.id)).toEqual(before);
      expect(await get(url, `${AUDIENCES}/patched`, DEV_AUTH.admin)).toMatchObject({ status: 404 });
    });

    it('name and description → 200 with the new values and updatedAt; the key stays', async () => {
      const audience = await create(url, 'audiences', { name: 'Rename me', definition: { query: BUYERS } });
      const now = await advanceClock(url, DAY);
      const result = await admin(url, 'PATCH', `${AUDIENCES}/${audience.id}`, { name: 'Renamed', description: 'now described' });
      expect(result).toMatchObject({
        status: 200,
        body: { audience: { id: audience.id, key: 'rename_me', name: 'Renamed', description: 'now described', updatedAt: iso(now) } },
      });
      expect((await read(url, 'audiences', audience.id)).name).toBe('Renamed');
    });

    it('options, a changed type, an unknown field or a bad query → 400 and nothing changes', async () => {
      const audience = await create(url, 'audiences', { name: 'Stable', definition: { query: BUYERS } });
      await server.engine.definitions.idle();
      const before = await read(url, 'audiences', audience.id);
      const path = `${AUDIENCES}/${audience.id}`;
      expect(await admin(url, 'PATCH', path, { options: { includeAnonymousUsers: true } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('`options`') } } });
      expect(await admin(url, 'PATCH', path, { definition: { query: BUYERS, type: 'ACCOUNTS' } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('`definition.type`') } } });
      expect(await admin(url, 'PATCH', path, { nickname: 'x' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('`nickname`') } } });
      expect(await admin(url, 'PATCH', path, { enabled: 'no' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: expect.stringContaining('`enabled`') } } });
      expect(await admin(url, 'PATCH', path, { definition: { query: "event('x').count( >= 1" } })).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_definition', message: expect.stringMatching(/^line 1, column 19: /) } },
      });
      expect(await read(url, 'audiences', audience.id)).toEqual(before);
    });
  });

  describe('auth', () => {
    it('no token or a wrong one → 401; the admin token of another space → 404', async () => {
      const audience = await create(url, 'audiences', { name: 'Guarded', definition: { query: BUYERS } });
      const body = { name: 'Intruder', definition: { query: BUYERS } };
      for (const auth of [null, 'Bearer wrong-token', DEV_AUTH.access, 'Basic ZGV2LWFkbWluLXRva2VuOg==']) {
        expect(await admin(url, 'POST', AUDIENCES, body, auth)).toMatchObject({ status: 401, body: errorBody('unauthorized') });
        expect(await admin(url, 'GET', AUDIENCES, undefined, auth)).toMatchObject({ status: 401, body: errorBody('unauthorized') });
        expect(await admin(url, 'DELETE', `${AUDIENCES}/${audience.id}`, undefined, auth)).toMatchObject({ status: 401 });
      }
      const other = 'Bearer other-admin-token';
      expect(await admin(url, 'POST', AUDIENCES, body, other)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await admin(url, 'GET', `${AUDIENCES}/${audience.id}`, undefined, other)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await admin(url, 'PATCH', `${TRAITS}/x`, { name: 'y' }, other)).toMatchObject({ status: 404, body: errorBody('not_found') });
      expect(await admin(url, 'DELETE', `${AUDIENCES}/${audience.id}`, undefined, other)).toMatchObject({ status: 404 });
      // Nothing happened: the audience is there and Intruder is not.
      expect((await read(url, 'audiences', audience.id)).name).toBe('Guarded');
      expect(await get(url, `${AUDIENCES}/intruder`, DEV_AUTH.admin)).toMatchObject({ status: 404 });
      // The other space's own collection is its own (and empty).
      expect(await admin(url, 'GET', '/v1/spaces/other/audiences', undefined, other)).toMatchObject({ status: 200, body: { audiences: [] } });
    });
  });
});
