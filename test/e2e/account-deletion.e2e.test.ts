import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSourceId } from '../../src/config/source-id.ts';
import { accountProfileId } from '../../src/runtime/account-id.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { advanceClock, errorBody, get, post, SUCCESS } from './tracking-http.ts';

// Issue 9: accounts could not be deleted. `DELETE …/collections/accounts/profiles/group_id:{id}`
// now deletes one with a user deletion's guarantees: 204 once it is gone from every API, 404 for
// an unknown one, and the links member users had to it go with it. A later group call for the
// same groupId starts a fresh account.

const NOT_FOUND = { error: { code: 'not_found', message: 'Profile was not found.' } };
const DEV_SOURCE = deriveSourceId('dev-write-key');
const ACCOUNT_RESOURCES = ['traits', 'events', 'external_ids', 'metadata', 'links'] as const;

describe('DELETE an account', () => {
  let server: TestServer;
  let now: number;
  const iso = (at: number): string => new Date(at).toISOString();
  const account = (groupId: string, resource: string) => get(server.url, `/v1/spaces/default/collections/accounts/profiles/group_id:${encodeURIComponent(groupId)}/${resource}`, DEV_AUTH.access);
  const user = (userId: string, resource: string) => get(server.url, `/v1/spaces/default/collections/users/profiles/user_id:${encodeURIComponent(userId)}/${resource}`, DEV_AUTH.access);
  const remove = async (path: string, auth: string | null = DEV_AUTH.admin): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${server.url}/v1/spaces/default/collections/${path}`, { method: 'DELETE', headers: auth === null ? {} : { authorization: auth } });
    const text = await response.text();
    return { status: response.status, body: text === '' ? '' : (JSON.parse(text) as unknown) };
  };
  const group = async (userId: string, groupId: string, traits: Record<string, unknown>, messageId: string): Promise<void> => {
    expect((await post(server.url, '/v1/group', { userId, groupId, traits, messageId })).body).toEqual(SUCCESS);
  };
  const accountLink = (groupId: string, messageAt: number) => ({
    to_collection: 'accounts',
    external_ids: [{ id: groupId, type: 'group_id', source_id: DEV_SOURCE, collection: 'accounts', created_at: iso(messageAt), encoding: 'none' }],
  });
  const userLink = (userId: string, messageAt: number) => ({
    to_collection: 'users',
    external_ids: [{ id: userId, type: 'user_id', source_id: DEV_SOURCE, collection: 'users', created_at: iso(messageAt), encoding: 'none' }],
  });

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    now = await advanceClock(server.url, 0);
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('→ 204; the account is 404 on every resource, its members lose the link, other accounts and the users stay', async () => {
    await group('acc-u1', 'acme', { name: 'Acme' }, 'acc-1');
    await group('acc-u2', 'acme', { employees: 10 }, 'acc-2');
    await group('acc-u1', 'globex', { name: 'Globex' }, 'acc-3');
    expect((await account('acme', 'traits')).body).toMatchObject({ traits: { name: 'Acme', employees: 10 } });
    expect((await user('acc-u1', 'links')).body).toMatchObject({ data: [accountLink('acme', now), accountLink('globex', now)] });

    expect(await remove('accounts/profiles/group_id:acme')).toEqual({ status: 204, body: '' });

    for (const resource of ACCOUNT_RESOURCES) expect({ resource, ...(await account('acme', resource)) }).toMatchObject({ resource, status: 404, body: NOT_FOUND });
    expect((await user('acc-u1', 'links')).body).toMatchObject({ data: [accountLink('globex', now)], cursor: { has_more: false } });
    expect((await user('acc-u2', 'links')).body).toMatchObject({ data: [], cursor: { has_more: false } });
    // The members themselves and the other account are untouched.
    expect((await user('acc-u1', 'traits')).status).toBe(200);
    expect((await user('acc-u2', 'traits')).status).toBe(200);
    expect((await account('globex', 'links')).body).toMatchObject({ data: [userLink('acc-u1', now)] });
    // Nothing of it is left in LMDB: state, events, identity entry.
    const id = accountProfileId('default', 'acme');
    const store = server.engine.store;
    expect({
      state: store.profiles.get(id),
      events: [...store.events.getKeys({ start: [id], end: [id, Number.POSITIVE_INFINITY] })].length,
      identity: store.identity.get(['default', 'group_id', 'acme']),
    }).toEqual({ state: undefined, events: 0, identity: undefined });

    expect(await remove('accounts/profiles/group_id:acme')).toEqual({ status: 404, body: NOT_FOUND });
  });

  it('a group call after the deletion creates a fresh account with only the new traits and members', async () => {
    await group('acc-u3', 'initech', { name: 'Initech', plan: 'old' }, 'acc-10');
    await group('acc-u4', 'initech', {}, 'acc-11');
    expect(await remove('accounts/profiles/group_id:initech')).toEqual({ status: 204, body: '' });
    const later = await advanceClock(server.url, 1000);
    await group('acc-u4', 'initech', { plan: 'new' }, 'acc-12');

    expect((await account('initech', 'traits')).body).toMatchObject({ traits: { plan: 'new' } });
    expect((await account('initech', 'links')).body).toMatchObject({ data: [userLink('acc-u4', later)] });
    expect((await account('initech', 'metadata')).body).toMatchObject({ metadata: { first_message_id: 'acc-12', created_at: iso(later) } });
    expect((await user('acc-u4', 'links')).body).toMatchObject({ data: [accountLink('initech', later)] });
    expect((await user('acc-u3', 'links')).body).toMatchObject({ data: [] });
  });

  it('is 404 for an unknown account, another id type or a user id; 401 without an admin token; the users route does not delete accounts', async () => {
    const at = await advanceClock(server.url, 0);
    await group('acc-u5', 'hooli', { name: 'Hooli' }, 'acc-20');
    expect(await remove('accounts/profiles/group_id:nobody')).toEqual({ status: 404, body: NOT_FOUND });
    expect(await remove('accounts/profiles/user_id:acc-u5')).toEqual({ status: 404, body: NOT_FOUND });
    expect(await remove(`accounts/profiles/${accountProfileId('default', 'hooli')}`)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await remove('users/profiles/group_id:hooli')).toEqual({ status: 404, body: NOT_FOUND });
    expect(await remove('accounts/profiles/group_id:hooli', null)).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect(await remove('accounts/profiles/group_id:hooli', DEV_AUTH.access)).toEqual({ status: 401, body: errorBody('unauthorized') });
    expect((await account('hooli', 'traits')).body).toMatchObject({ traits: { name: 'Hooli' } });
    expect((await user('acc-u5', 'links')).body).toMatchObject({ data: [accountLink('hooli', at)] });
  });
});
