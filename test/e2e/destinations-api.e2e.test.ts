import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { admin, create, send } from './definitions-http.ts';
import { connect, createDestination, syncSettled } from './sync-http.ts';

// Issue 7 / contract "Destinations and sync", "Details fixed: Management API": the destinations
// API's codes and shapes, strict bodies with messages naming the field, connections, and secrets
// (signing secret, header values) never returned in full nor written to the logs.

const SECRET = `whsec_${Buffer.from('another-32-byte-secret-for-tests').toString('base64')}`;
const HEADER_VALUE = 'Bearer very-secret-header-value';

describe('the destinations API', () => {
  let server: TestServer;
  let url: string;
  let receiver: WebhookReceiver;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer({ clock: 'manual', log: pino({ level: 'trace' }, sink) });
    url = server.url;
    receiver = await startWebhookReceiver();
    receiver.respondWith(() => ({ status: 500 }));
  });

  afterAll(async () => {
    await server.destroy();
    await receiver.close();
  });

  const path = '/v1/spaces/default/destinations';

  it('needs the admin token of the space: 401 without, 404 for another space', async () => {
    expect((await admin(url, 'GET', path, undefined, null)).status).toBe(401);
    expect((await admin(url, 'POST', path, { name: 'x', settings: { url: 'https://x.test' } }, 'Bearer wrong')).status).toBe(401);
    expect((await admin(url, 'GET', '/v1/spaces/elsewhere/destinations')).status).toBe(404);
  });

  it.each([
    [{}, '`name` is required: a non-empty string.'],
    [{ name: 'x' }, '`settings` is required: {"url": "https://…"}.'],
    [{ name: 'x', settings: {} }, '`settings.url` is required: the http(s) URL messages are POSTed to.'],
    [{ name: 'x', type: 'braze', settings: { url: 'https://x.test' } }, '`type` must be "webhook" (the only destination type), got string "braze".'],
    [{ name: 'x', settings: { url: 'ftp://x.test' } }, '`settings.url` must use http or https, got "ftp:".'],
    [{ name: 'x', settings: { url: 'not a url' } }, '`settings.url` is not a URL: "not a url".'],
    [{ name: 'x', settings: { url: 'https://user:pw@x.test' } }, '`settings.url` must not carry credentials; put them in `settings.headers` (never shown in full).'],
    [{ name: 'x', settings: { url: 'https://x.test', secret: 'hunter2' } }, '`settings.secret` must be a Standard Webhooks signing secret: "whsec_" followed by 24 to 64 bytes in base64.'],
    [{ name: 'x', settings: { url: 'https://x.test', headers: { 'Content-Type': 'text/plain' } } }, '`settings.headers.Content-Type` is set by the engine and cannot be configured.'],
    [{ name: 'x', settings: { url: 'https://x.test', headers: { 'x-a': 'line\nbreak' } } }, '`settings.headers.x-a` must be at most 4096 characters, without line breaks or NUL.'],
    [{ name: 'x', settings: { url: 'https://x.test', timeoutMs: 5 } }, '`settings.timeoutMs` must be a whole number of milliseconds from 100 to 60000, got number 5.'],
    [{ name: 'x', settings: { url: 'https://x.test', retries: 3 } }, 'Unknown field `settings.retries`; expected `settings.url`, `settings.headers`, `settings.sendAliasOnMerge`, `settings.secret`, `settings.timeoutMs`.'],
  ])('refuses %j with 400 invalid_body naming the problem', async (body, message) => {
    const result = await admin(url, 'POST', path, body);
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body: { error: { code: 'invalid_body', message } } });
  });

  it('creates, lists, reads, patches and deletes; a deleted destination is 404', async () => {
    const created = await admin(url, 'POST', path, { name: 'CRM', type: 'webhook', settings: { url: 'https://crm.example/hook', headers: { Authorization: HEADER_VALUE }, secret: SECRET } });
    expect(created).toMatchObject({ status: 201 });
    const destination = (created.body as { destination: Record<string, unknown> }).destination;
    expect(destination).toEqual({
      id: expect.stringMatching(/^dst_[0-9a-f]{24}$/),
      name: 'CRM',
      type: 'webhook',
      settings: { url: 'https://crm.example/hook', headers: { Authorization: '••••alue' }, sendAliasOnMerge: false, secret: `••••${SECRET.slice(-4)}`, timeoutMs: 10_000 },
      enabled: true,
      disabledReason: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = destination['id'] as string;
    expect((await admin(url, 'GET', path)).body).toEqual({ destinations: [destination] });
    const patched = await admin(url, 'PATCH', `${path}/${id}`, { name: 'CRM (EU)', enabled: false, settings: { secret: null, sendAliasOnMerge: true } });
    expect(patched.status).toBe(200);
    expect((patched.body as { destination: Record<string, unknown> }).destination).toMatchObject({
      name: 'CRM (EU)',
      enabled: false,
      settings: { url: 'https://crm.example/hook', headers: { Authorization: '••••alue' }, sendAliasOnMerge: true, secret: null, timeoutMs: 10_000 },
    });
    expect((await admin(url, 'PATCH', `${path}/${id}`, { key: 'x' })).status).toBe(400);
    expect((await admin(url, 'DELETE', `${path}/${id}`)).status).toBe(204);
    expect((await admin(url, 'GET', `${path}/${id}`)).body).toEqual({ error: { code: 'not_found', message: `No destination "${id}" in this space.` } });
    expect((await admin(url, 'DELETE', `${path}/${id}`)).status).toBe(404);
    expect((await admin(url, 'GET', path)).body).toEqual({ destinations: [] });
  });

  it('connects an audience or a computed trait (format identify|track), lists and disconnects', async () => {
    const audience = await create(url, 'audiences', { name: 'Connected', definition: { query: "event('Connected').count() >= 1" } });
    const trait = await create(url, 'computed-traits', { name: 'Connected count', definition: { query: "event('Connected').count()" } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, 'Hook', { url: receiver.url })).id;
    const put = (collection: string, definitionId: string, target: string, body: unknown) => admin(url, 'PUT', `/v1/spaces/default/${collection}/${definitionId}/destinations/${target}`, body);
    expect((await put('audiences', audience.id, destinationId, { format: 'csv' })).body).toEqual({ error: { code: 'invalid_body', message: '`format` must be "identify" or "track", got string "csv".' } });
    expect((await put('audiences', audience.id, 'dst_nope', { format: 'track' })).status).toBe(404);
    expect((await put('audiences', 'aud_nope', destinationId, { format: 'track' })).status).toBe(404);
    // An audience is not a computed trait.
    expect((await put('computed-traits', audience.id, destinationId, { format: 'track' })).status).toBe(404);
    const connected = await put('audiences', audience.id, destinationId, { format: 'track' });
    expect(connected).toMatchObject({ status: 200, body: { connection: { definitionId: audience.id, destinationId, format: 'track', connectedAt: expect.any(String) } } });
    // Changing the format keeps the connection (no first sync again).
    expect((await put('audiences', audience.id, destinationId, { format: 'identify' })).status).toBe(200);
    expect((await put('computed-traits', trait.id, destinationId, { format: 'identify' })).status).toBe(200);
    expect((await admin(url, 'GET', `/v1/spaces/default/audiences/${audience.key}/destinations`)).body).toEqual({
      destinations: [{ definitionId: audience.id, destinationId, format: 'identify', connectedAt: expect.any(String) }],
    });
    expect((await admin(url, 'DELETE', `/v1/spaces/default/audiences/${audience.id}/destinations/${destinationId}`)).status).toBe(204);
    expect((await admin(url, 'GET', `/v1/spaces/default/audiences/${audience.id}/destinations`)).body).toEqual({ destinations: [] });
    expect((await admin(url, 'GET', `/v1/spaces/default/audiences/${audience.id}/syncs?limit=0`)).status).toBe(400);
    expect((await admin(url, 'GET', '/v1/spaces/default/audiences/aud_nope/syncs')).status).toBe(404);
    expect((await admin(url, 'GET', '/v1/spaces/default/audit?limit=abc')).status).toBe(400);
  });

  it('never writes a secret or a header value to the logs, failures included', async () => {
    const audience = await create(url, 'audiences', { name: 'Logged', definition: { query: "event('Logged').count() >= 1" } });
    await server.engine.definitions.idle();
    const destinationId = (await createDestination(url, 'Logged hook', { url: receiver.url, secret: SECRET, headers: { Authorization: HEADER_VALUE } })).id;
    await connect(url, 'audiences', audience.id, destinationId, 'track');
    await admin(url, 'PATCH', `${path}/${destinationId}`, { settings: { headers: { Authorization: HEADER_VALUE }, secret: SECRET } });
    await send(url, 'track', { userId: 'logged', event: 'Logged' });
    await syncSettled(server);
    expect(receiver.requests.length).toBeGreaterThan(0);
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET.slice('whsec_'.length, 'whsec_'.length + 16));
    expect(logs).not.toContain('very-secret-header-value');
  });
});
