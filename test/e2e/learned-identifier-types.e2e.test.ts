import { afterEach, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { get, post, SUCCESS } from './tracking-http.ts';

// Custom identifier types seen in `context.externalIds` are auto-added to the space (Segment's
// behaviour) and kept across restarts, so their alphabetical priorities do not shift.
describe('custom identifier types', () => {
  let server: TestServer | undefined;
  const dir = makeTempDir('learned-types');
  afterEach(async () => {
    await server?.destroy();
    dir.remove();
  });

  it('are auto-added, resolve profiles, and are still known after a restart', async () => {
    server = await startTestServer({ dataDir: dir.path });
    const externalIds = [{ id: '+1-555-0100', type: 'phone', collection: 'users', encoding: 'none' }];
    expect((await post(server.url, '/v1/track', { userId: 'learn-u1', event: 'E', context: { externalIds } })).body).toEqual(SUCCESS);
    const byPhone = await get(server.url, `/v1/spaces/default/collections/users/profiles/${encodeURIComponent('phone:+1-555-0100')}/traits`, DEV_AUTH.access);
    expect(byPhone.status).toBe(200);
    const rulesBefore = server.engine.spaces.byId('default')!.identity.order.map((r) => [r.type, r.priority]);
    expect(rulesBefore).toContainEqual(['phone', expect.any(Number)]);

    await server.stop();
    server = await startTestServer({ dataDir: dir.path });
    expect(server.engine.spaces.byId('default')!.identity.order.map((r) => [r.type, r.priority])).toEqual(rulesBefore);
  });
});
