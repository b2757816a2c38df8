import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { admin, create, send } from './definitions-http.ts';
import { advanceClock } from './tracking-http.ts';
import { bodies, connect, createDestination, eventually, syncSettled } from './sync-http.ts';

// Issue 7: "a deleted profile exits its audiences; a deleted audience or a disconnected
// destination sends nothing more" (contract "Details fixed: Sync" and "Deletion").

const TEN_MINUTES = 10 * 60 * 1000;

describe('deletions and disconnections (manual clock)', () => {
  let server: TestServer;
  let url: string;
  let receiver: WebhookReceiver;
  /** Paths answering 500 (their messages stay retrying until the test says otherwise). */
  const failing = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    url = server.url;
    receiver = await startWebhookReceiver();
    receiver.respondWith((request) => (failing.has(request.path) ? { status: 500 } : { status: 200 }));
  });

  afterAll(async () => {
    await server.destroy();
    await receiver.close();
  });

  async function wired(name: string, path: string): Promise<{ audienceId: string; destinationId: string }> {
    const audience = await create(url, 'audiences', { name, definition: { query: `event('${name}').count() >= 1` } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, `${name} hook`, { url: `${receiver.url}${path}` })).id;
    await connect(url, 'audiences', audience.id, destinationId, 'track');
    await syncSettled(server);
    return { audienceId: audience.id, destinationId };
  }

  it('a deleted profile exits every connected audience it was a member of', async () => {
    await wired('Deletable', '/deletable');
    await send(url, 'identify', { userId: 'to-delete', traits: { email: 'gone@example.com' } });
    await send(url, 'track', { userId: 'to-delete', event: 'Deletable' });
    await syncSettled(server);
    const deleted = await admin(url, 'DELETE', '/v1/spaces/default/collections/users/profiles/user_id:to-delete');
    expect(deleted.status).toBe(204);
    await syncSettled(server);
    expect(bodies(receiver, '/deletable').map((b) => [b['event'], b['userId'], (b['context'] as { traits?: unknown }).traits ?? null])).toEqual([
      ['Audience Entered', 'to-delete', null],
      ['Audience Entered', 'to-delete', { email: 'gone@example.com' }],
      ['Audience Exited', 'to-delete', null],
      ['Audience Exited', 'to-delete', { email: 'gone@example.com' }],
    ]);
  });

  it('a disconnected destination gets nothing more, not even the retries it was owed', async () => {
    const { audienceId, destinationId } = await wired('Disconnected', '/disconnected');
    failing.add('/disconnected');
    await send(url, 'track', { userId: 'dis-1', event: 'Disconnected' });
    await syncSettled(server);
    expect(bodies(receiver, '/disconnected')).toHaveLength(1);
    const removed = await admin(url, 'DELETE', `/v1/spaces/default/audiences/${audienceId}/destinations/${destinationId}`);
    expect(removed.status).toBe(204);
    expect((await admin(url, 'DELETE', `/v1/spaces/default/audiences/${audienceId}/destinations/${destinationId}`)).status).toBe(404);
    await send(url, 'track', { userId: 'dis-2', event: 'Disconnected' });
    for (let round = 0; round < 6; round++) {
      await advanceClock(url, TEN_MINUTES);
      await syncSettled(server);
    }
    expect(bodies(receiver, '/disconnected')).toHaveLength(1);
    await eventually(() => expect(server.engine.store.outbox.getKeysCount({ start: [destinationId], end: [`${destinationId}\u0000`] })).toBe(0));
  });

  it('a deleted audience sends nothing more; a re-connection sends every current member again', async () => {
    const { audienceId, destinationId } = await wired('Deleted', '/deleted');
    const other = await wired('Kept', '/kept');
    await send(url, 'track', { userId: 'del-1', event: 'Deleted' });
    await send(url, 'track', { userId: 'del-1', event: 'Kept' });
    await syncSettled(server);
    expect(bodies(receiver, '/deleted')).toHaveLength(1);
    expect((await admin(url, 'DELETE', `/v1/spaces/default/audiences/${audienceId}`)).status).toBe(204);
    await send(url, 'track', { userId: 'del-2', event: 'Deleted' });
    await advanceClock(url, TEN_MINUTES);
    await syncSettled(server);
    expect(bodies(receiver, '/deleted')).toHaveLength(1);
    await eventually(() => expect(server.engine.store.outbox.getKeysCount({ start: [destinationId], end: [`${destinationId}\u0000`] })).toBe(0));

    // Disconnect and connect again: a first connection again, so the member is sent again.
    expect((await admin(url, 'DELETE', `/v1/spaces/default/audiences/${other.audienceId}/destinations/${other.destinationId}`)).status).toBe(204);
    await connect(url, 'audiences', other.audienceId, other.destinationId, 'identify');
    await syncSettled(server);
    expect(bodies(receiver, '/kept').map((b) => [b['type'], b['userId']])).toEqual([
      ['track', 'del-1'],
      ['identify', 'del-1'],
    ]);
  });

  it('a deleted destination is 404 and its backlog goes', async () => {
    const { destinationId } = await wired('Removed', '/removed');
    failing.add('/removed');
    await send(url, 'track', { userId: 'rem-1', event: 'Removed' });
    await syncSettled(server);
    expect((await admin(url, 'DELETE', `/v1/spaces/default/destinations/${destinationId}`)).status).toBe(204);
    expect((await admin(url, 'GET', `/v1/spaces/default/destinations/${destinationId}`)).status).toBe(404);
    await advanceClock(url, TEN_MINUTES);
    await syncSettled(server);
    expect(bodies(receiver, '/removed')).toHaveLength(1);
    await eventually(() => expect(server.engine.store.outbox.getKeysCount({ start: [destinationId], end: [`${destinationId}\u0000`] })).toBe(0));
  });
});
