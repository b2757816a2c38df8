import { afterEach, describe, expect, it } from 'vitest';
import { deriveSourceId } from '../../src/config/source-id.ts';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { get, post, SUCCESS } from './tracking-http.ts';

// Issue 9, growth over a long life: custom identifier types learned from `context.externalIds`
// had no cap, so a client sending random types grew a space's settings without bound. With
// `maxCustomIdentifierTypesPerSpace` (default 50), a new type beyond the cap is not learned:
// its identifier is ignored, the event is still accepted, and an insight says why.

const lookup = (url: string, id: string) => get(url, `/v1/spaces/default/collections/users/profiles/${encodeURIComponent(id)}/events`, DEV_AUTH.access);
const externalId = (type: string, id: string) => ({ id, type, collection: 'users', encoding: 'none' });
const customTypes = (server: TestServer): string[] => server.engine.spaces.byId('default')!.identity.order.map((rule) => rule.type).filter((type) => type.startsWith('crm_'));

describe('custom identifier type cap', () => {
  let server: TestServer | undefined;
  const dir = makeTempDir('type-cap');
  afterEach(async () => {
    await server?.destroy();
    dir.remove();
  });

  it('learns 2 types, ignores a third with an insight, keeps resolving the known ones, and holds the cap after a restart', async () => {
    server = await startTestServer({ dataDir: dir.path, maxCustomIdentifierTypesPerSpace: 2 });
    const url = server.url;
    const send = async (body: object): Promise<void> => expect((await post(url, '/v1/track', { event: 'E', ...body })).body).toEqual(SUCCESS);
    await send({ userId: 'cap-u1', messageId: 'cap-1', context: { externalIds: [externalId('crm_a', 'a1'), externalId('crm_b', 'b1')] } });
    await send({ userId: 'cap-u1', messageId: 'cap-2', context: { externalIds: [externalId('crm_c', 'c1'), externalId('crm_a', 'a2')] } });

    expect(customTypes(server)).toEqual(['crm_a', 'crm_b']);
    const byA2 = await lookup(url, 'crm_a:a2');
    expect(byA2.status).toBe(200);
    expect((byA2.body as { data: Array<{ message_id: string }> }).data.map((e) => e.message_id)).toEqual(['cap-2', 'cap-1']);
    expect((await lookup(url, 'crm_c:c1')).status).toBe(404);

    const insights = await get(url, '/v1/spaces/default/insights?limit=10', DEV_AUTH.admin);
    expect(insights.body).toMatchObject({
      insights: [
        {
          type: 'Identifier type limit exceeded',
          identifier: { type: 'crm_c', value: 'c1' },
          message:
            'crm_c:c1 was ignored: the space has learned 2 custom identifier types from context.externalIds, the most maxCustomIdentifierTypesPerSpace allows, and "crm_c" is not one of them',
          messageId: 'cap-2',
          eventType: 'track',
          sourceId: deriveSourceId('dev-write-key'),
        },
      ],
    });
    expect((insights.body as { insights: unknown[] }).insights).toHaveLength(1);

    // An event whose only identifier is of an over-cap type has no usable identifier.
    const only = await post(url, '/v1/track', { event: 'E', anonymousId: 'undefined', messageId: 'cap-3', context: { externalIds: [externalId('crm_d', 'd1')] } });
    expect(only.status).toBe(400);
    expect(only.body).toMatchObject({ error: { code: 'no_matching_identifiers' } });

    await server.stop();
    server = await startTestServer({ dataDir: dir.path, maxCustomIdentifierTypesPerSpace: 2 });
    expect(customTypes(server)).toEqual(['crm_a', 'crm_b']);
    expect((await post(server.url, '/v1/track', { event: 'E', userId: 'cap-u2', messageId: 'cap-4', context: { externalIds: [externalId('crm_e', 'e1')] } })).body).toEqual(SUCCESS);
    expect(customTypes(server)).toEqual(['crm_a', 'crm_b']);
    expect((await lookup(server.url, 'crm_e:e1')).status).toBe(404);
  });
});
