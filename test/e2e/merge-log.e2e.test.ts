import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { metricValue } from '../support/metric-value.ts';
import { advanceClock, get, post, SUCCESS } from './tracking-http.ts';

// The merge log (issue 3: "A merge log records loser → winner, the triggering event and its type
// (as Segment's id_graph_updates)"), read through GET …/id-graph-updates after the §4.6 example.

let server: TestServer;
const iso = (at: number): string => new Date(at).toISOString();

beforeAll(async () => {
  server = await startTestServer({ clock: 'manual', shards: 2 });
});

afterAll(async () => {
  await server.destroy();
});

async function profileIdOf(id: string): Promise<string> {
  const result = await get(server.url, `/v1/spaces/default/collections/users/profiles/${encodeURIComponent(id)}/events`, DEV_AUTH.access);
  const first = (result.body as { data: Array<{ related: { users: string } }> }).data[0];
  if (first === undefined) throw new Error(`no events for ${id}`);
  return first.related.users;
}

async function merges(): Promise<number> {
  return metricValue(server.url, 'troupe_identity_merges_total', { space: 'default' });
}

describe('GET /v1/spaces/{space}/id-graph-updates', () => {
  it('records creations and the merge of the §4.6 example, newest first, with the triggering event', async () => {
    const send = async (path: string, body: object): Promise<number> => {
      const at = await advanceClock(server.url, 1000);
      expect((await post(server.url, path, body)).body).toEqual(SUCCESS);
      return at;
    };
    const t1 = await send('/v1/page', { anonymousId: 'log-anon-1', messageId: 'log-e1' });
    await send('/v1/identify', { anonymousId: 'log-anon-1', traits: { email: 'log@example.com' }, messageId: 'log-e2' });
    const t3 = await send('/v1/page', { anonymousId: 'log-anon-2', messageId: 'log-e3' });
    const profile2 = await profileIdOf('anonymous_id:log-anon-2');
    const mergesBefore = await merges();
    const t4 = await send('/v1/identify', { anonymousId: 'log-anon-2', traits: { email: 'log@example.com' }, messageId: 'log-e4' });
    const profile1 = await profileIdOf('anonymous_id:log-anon-1');
    expect(await profileIdOf('anonymous_id:log-anon-2')).toBe(profile1);
    expect((await merges()) - mergesBefore).toBe(1);

    const result = await get(server.url, '/v1/spaces/default/id-graph-updates', DEV_AUTH.admin);
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: {
        updates: [
          { segmentId: profile2, canonicalSegmentId: profile1, triggeringEventType: 'identify', triggeringMessageId: 'log-e4', at: iso(t4) },
          { segmentId: profile2, canonicalSegmentId: profile2, triggeringEventType: 'page', triggeringMessageId: 'log-e3', at: iso(t3) },
          { segmentId: profile1, canonicalSegmentId: profile1, triggeringEventType: 'page', triggeringMessageId: 'log-e1', at: iso(t1) },
        ],
        cursor: { has_more: false, next: '' },
      },
    });

    const first = await get(server.url, '/v1/spaces/default/id-graph-updates?limit=2', DEV_AUTH.admin);
    const page1 = first.body as { updates: Array<{ triggeringMessageId: string }>; cursor: { has_more: boolean; next: string } };
    expect(page1.updates.map((u) => u.triggeringMessageId)).toEqual(['log-e4', 'log-e3']);
    expect(page1.cursor.has_more).toBe(true);
    const second = await get(server.url, `/v1/spaces/default/id-graph-updates?limit=2&next=${page1.cursor.next}`, DEV_AUTH.admin);
    expect((second.body as { updates: Array<{ triggeringMessageId: string }> }).updates.map((u) => u.triggeringMessageId)).toEqual(['log-e1']);
  });

  it('needs the space\'s admin token', async () => {
    expect((await get(server.url, '/v1/spaces/default/id-graph-updates', DEV_AUTH.access)).status).toBe(401);
    expect((await get(server.url, '/v1/spaces/default/id-graph-updates?next=%%%', DEV_AUTH.admin)).status).toBe(400);
  });
});
