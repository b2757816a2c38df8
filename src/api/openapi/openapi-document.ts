import { z } from 'zod';
import { checkDefinitionSchema, createDefinitionSchema, patchDefinitionSchema, previewSchema } from '../definitions/definition-body.ts';
import { connectSchema, createDestinationSchema, patchDestinationSchema } from '../destinations/destination-body.ts';

/** Who may call a route: the tracking write key, the Profile API access token, the space's admin token, or anyone. */
type Auth = 'writeKey' | 'accessToken' | 'adminToken' | 'none';

/** One documented operation. `body` is the zod schema that checks the request body, when there is one. */
interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly auth: Auth;
  readonly body?: z.ZodType;
  /**
   * A body described in words: the Tracking API's (checked by the hand-written hot path), and the
   * identity admin's and the clock's one-field bodies (checked where they are read).
   */
  readonly bodyDescription?: string;
  readonly bodyExample?: unknown;
  readonly query?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  /** Success status and what it answers. */
  readonly success: readonly [status: string, description: string];
}

const SPACE = '/v1/spaces/{space}';
const TRACK_EXAMPLE = { userId: 'u1', event: 'Order Completed', properties: { total: 42 } };

const definitionOperations = (path: 'audiences' | 'computed-traits', one: string, label: string, example: unknown): Operation[] => [
  { method: 'post', path: `${SPACE}/${path}`, tag: 'Audiences and computed traits', summary: `Create a ${label} (its backfill starts)`, auth: 'adminToken', body: createDefinitionSchema, bodyExample: example, success: ['201', `{"${one}": …}`] },
  { method: 'get', path: `${SPACE}/${path}`, tag: 'Audiences and computed traits', summary: `List the ${label}s`, auth: 'adminToken', success: ['200', 'the list'] },
  { method: 'post', path: `${SPACE}/${path}/validate`, tag: 'Audiences and computed traits', summary: `Check a ${label}'s query without creating it`, auth: 'adminToken', body: checkDefinitionSchema, bodyExample: { query: path === 'audiences' ? "event('Order Completed').count() >= 1" : "event('Order Completed').count()" }, success: ['200', '{valid, reads} or {valid: false, error: {code, message, line, column}}'] },
  { method: 'get', path: `${SPACE}/${path}/{id}`, tag: 'Audiences and computed traits', summary: `Read a ${label} by id or key`, auth: 'adminToken', success: ['200', `{"${one}": …}`] },
  { method: 'patch', path: `${SPACE}/${path}/{id}`, tag: 'Audiences and computed traits', summary: `Change a ${label}'s name, description, query or enabled`, auth: 'adminToken', body: patchDefinitionSchema, bodyExample: { name: `Renamed ${label}`, enabled: true }, success: ['200', `{"${one}": …}`] },
  { method: 'delete', path: `${SPACE}/${path}/{id}`, tag: 'Audiences and computed traits', summary: `Delete a ${label} (its key is never reused)`, auth: 'adminToken', success: ['204', 'deleted'] },
  { method: 'get', path: `${SPACE}/${path}/{id}/destinations`, tag: 'Destinations and sync', summary: `The ${label}'s connections`, auth: 'adminToken', success: ['200', '{"destinations": […]}'] },
  { method: 'put', path: `${SPACE}/${path}/{id}/destinations/{destinationId}`, tag: 'Destinations and sync', summary: `Connect the ${label} to a destination`, auth: 'adminToken', body: connectSchema, bodyExample: { format: 'identify' }, success: ['200', '{"connection": …}'] },
  { method: 'delete', path: `${SPACE}/${path}/{id}/destinations/{destinationId}`, tag: 'Destinations and sync', summary: 'Disconnect', auth: 'adminToken', success: ['204', 'disconnected'] },
  { method: 'get', path: `${SPACE}/${path}/{id}/syncs`, tag: 'Destinations and sync', summary: 'Recent messages and their delivery status', auth: 'adminToken', query: [{ name: 'limit', description: '1–1,000, default 100' }], success: ['200', '{"syncs": […]}'] },
];

const TRACKING_ROUTES: ReadonlyArray<readonly [path: string, summary: string, example: unknown]> = [
  ['track', 'Record an action', TRACK_EXAMPLE],
  ['identify', 'Tie a user to their traits', { userId: 'u1', traits: { email: 'u1@example.com', plan: 'pro' } }],
  ['page', 'Record a page view', { userId: 'u1', name: 'Home' }],
  ['screen', 'Record a screen view', { userId: 'u1', name: 'Home' }],
  ['group', 'Associate a user with an account', { userId: 'u1', groupId: 'acme', traits: { plan: 'enterprise' } }],
  ['alias', 'Merge two identities', { userId: 'u1', previousId: 'anon-1' }],
  ['batch', 'Send many calls in one request', { batch: [{ type: 'track', ...TRACK_EXAMPLE }] }],
  ['import', 'The same as batch', { batch: [{ type: 'track', ...TRACK_EXAMPLE }] }],
];

const PROFILE_RESOURCES: ReadonlyArray<readonly [resource: string, summary: string]> = [
  ['traits', 'Traits, audience memberships and computed traits (`include`, `class`, `limit`, `next`, `verbose`)'],
  ['external_ids', 'Identifiers, newest first'],
  ['events', 'Track, page and screen calls of the last 14 days'],
  ['metadata', 'When the profile was created and last updated'],
  ['links', 'Users linked to an account, or accounts to a user'],
];

/** Every operation of the public API (the console's pages are not part of it). */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/health', tag: 'Operations', summary: 'Liveness and readiness', auth: 'none', success: ['200', 'ready'] },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics', auth: 'none', success: ['200', 'text exposition format'] },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document', auth: 'none', success: ['200', 'OpenAPI 3.1'] },
  { method: 'get', path: '/docs', tag: 'Operations', summary: 'The interactive reference of this document', auth: 'none', success: ['200', 'an HTML page'] },
  { method: 'get', path: '/docs/scalar.js', tag: 'Operations', summary: "The reference page's script (served by the engine, no CDN)", auth: 'none', success: ['200', 'JavaScript'] },
  ...TRACKING_ROUTES.map(([path, summary, example]): Operation => ({
    method: 'post',
    path: `/v1/${path}`,
    tag: 'Tracking API',
    summary,
    auth: 'writeKey',
    bodyDescription: "Segment's Tracking API call (its spec), checked by the hand-written hot path",
    bodyExample: example,
    success: ['200', '{"success": true, "rejected"?: […]}'],
  })),
  ...['spaces', 'namespaces'].flatMap((prefix) =>
    PROFILE_RESOURCES.map(([resource, summary]): Operation => ({
      method: 'get',
      path: `/v1/${prefix}/{space}/collections/{collection}/profiles/{id}/${resource}`,
      tag: 'Profile API',
      summary: `${summary}${prefix === 'namespaces' ? ' (the same, under /namespaces)' : ''}`,
      auth: 'accessToken',
      success: ['200', 'Segment-compatible'],
    })),
  ),
  ...['spaces', 'namespaces'].flatMap((prefix): Operation[] => [
    { method: 'delete', path: `/v1/${prefix}/{space}/collections/users/profiles/{id}`, tag: 'Identity', summary: 'Delete a user profile and everything it owns', auth: 'adminToken', success: ['200', 'deleted'] },
    { method: 'delete', path: `/v1/${prefix}/{space}/collections/accounts/profiles/{id}`, tag: 'Identity', summary: 'Delete an account profile', auth: 'adminToken', success: ['200', 'deleted'] },
    { method: 'get', path: `/v1/${prefix}/{space}/insights`, tag: 'Identity', summary: 'Identity resolution insights (violations)', auth: 'adminToken', success: ['200', 'a page of insights'] },
    { method: 'get', path: `/v1/${prefix}/{space}/id-graph-updates`, tag: 'Identity', summary: 'The merge log', auth: 'adminToken', success: ['200', 'a page of updates'] },
    { method: 'get', path: `/v1/${prefix}/{space}/profiles/{id}/merges`, tag: 'Identity', summary: "A profile's creation and every profile merged into it", auth: 'adminToken', success: ['200', '{profile: {id, createdAt}, mergedFrom: [{id, createdAt, identifiers}]}'] },
    { method: 'get', path: `/v1/${prefix}/{space}/suppressions`, tag: 'Identity', summary: 'Suppressed user ids', auth: 'adminToken', success: ['200', 'the list'] },
    { method: 'post', path: `/v1/${prefix}/{space}/suppressions`, tag: 'Identity', summary: 'Suppress a user id', auth: 'adminToken', bodyDescription: '{"userId": "…"}', bodyExample: { userId: 'u-suppressed' }, success: ['200', 'suppressed'] },
    { method: 'delete', path: `/v1/${prefix}/{space}/suppressions/{userId}`, tag: 'Identity', summary: 'Lift a suppression', auth: 'adminToken', success: ['204', 'lifted'] },
  ]),
  {
    method: 'post',
    path: `${SPACE}/audiences/preview`,
    tag: 'Audiences and computed traits',
    summary: 'Who an audience would hold now, or at a later instant, without creating it',
    auth: 'adminToken',
    body: previewSchema,
    bodyExample: { query: "event('Order Completed').within(30 days).count() >= 1", at: '2027-01-01T00:00:00Z' },
    success: ['200', '{size, sample, evaluatedEvents, evaluatedProfiles, ms, at, partial, stoppedBy?}'],
  },
  { method: 'get', path: `${SPACE}/audiences/{id}/sizes`, tag: 'Audiences and computed traits', summary: "An audience's size over time", auth: 'adminToken', query: [{ name: 'limit', description: '1–1,440, default 100' }], success: ['200', '{"sizes": [{at, size}]}'] },
  {
    method: 'get',
    path: `${SPACE}/audiences/{id}/members`,
    tag: 'Audiences and computed traits',
    summary: "A page of an audience's members",
    auth: 'adminToken',
    query: [
      { name: 'limit', description: '1–200, default 50' },
      { name: 'next', description: 'the cursor a page returned' },
    ],
    success: ['200', '{members, cursor}'],
  },
  ...definitionOperations('audiences', 'audience', 'audience', { name: 'Order Completed last 30days', definition: { query: "event('Order Completed').within(30 days).count() >= 1" } }),
  ...definitionOperations('computed-traits', 'computedTrait', 'computed trait', { name: 'Lifetime value', definition: { query: "event('Order Completed').sum(property('total'))" } }),
  { method: 'post', path: `${SPACE}/destinations`, tag: 'Destinations and sync', summary: 'Create a webhook destination', auth: 'adminToken', body: createDestinationSchema, bodyExample: { name: 'CRM', type: 'webhook', settings: { url: 'https://crm.example.com/hooks/troupe' } }, success: ['201', '{"destination": …}'] },
  { method: 'get', path: `${SPACE}/destinations`, tag: 'Destinations and sync', summary: 'List destinations', auth: 'adminToken', success: ['200', '{"destinations": […]}'] },
  { method: 'get', path: `${SPACE}/destinations/{id}`, tag: 'Destinations and sync', summary: 'Read a destination', auth: 'adminToken', success: ['200', '{"destination": …}'] },
  { method: 'get', path: `${SPACE}/destinations/{id}/status`, tag: 'Destinations and sync', summary: 'Backlog, deliveries and failures', auth: 'adminToken', success: ['200', '{"status": …}'] },
  { method: 'patch', path: `${SPACE}/destinations/{id}`, tag: 'Destinations and sync', summary: 'Change a destination (re-enable it)', auth: 'adminToken', body: patchDestinationSchema, bodyExample: { enabled: true }, success: ['200', '{"destination": …}'] },
  { method: 'delete', path: `${SPACE}/destinations/{id}`, tag: 'Destinations and sync', summary: 'Delete a destination', auth: 'adminToken', success: ['204', 'deleted'] },
  { method: 'get', path: `${SPACE}/audit`, tag: 'Destinations and sync', summary: 'Failed delivery attempts, newest first', auth: 'adminToken', query: [{ name: 'limit', description: '1–1,000, default 100' }], success: ['200', '{"entries": […]}'] },
  { method: 'post', path: '/v1/admin/clock', tag: 'Operations', summary: 'Move the manual clock (manual clock only)', auth: 'adminToken', bodyDescription: '{"advanceMs": n} or {"now": "<ISO 8601>"}', bodyExample: { advanceMs: 0 }, success: ['200', '{"now": …}'] },
];

const SECURITY: Record<Exclude<Auth, 'none'>, object> = {
  writeKey: { type: 'http', scheme: 'basic', description: 'The source write key as the user name, empty password (Segment).' },
  accessToken: { type: 'http', scheme: 'basic', description: "The space's access token as the user name, empty password (Segment's Profile API)." },
  adminToken: { type: 'http', scheme: 'bearer', description: "The space's admin token." },
};

/** The request body schema of an operation, from its zod schema (input side: what a client sends). */
function bodySchema(schema: z.ZodType): object {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

/**
 * The OpenAPI 3.1 document of the public API. Management request bodies come from the zod
 * schemas that check them (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses), so the
 * document cannot say something the engine does not do.
 */
export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const operation of OPERATIONS) {
    const parameters = [
      ...[...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(operation.query ?? []).map(({ name, description }) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
    ];
    const example = operation.bodyExample;
    const requestBody =
      operation.body !== undefined || operation.bodyDescription !== undefined
        ? {
            required: true,
            content: {
              'application/json': {
                schema: operation.body !== undefined ? bodySchema(operation.body) : { type: 'object', description: operation.bodyDescription },
                ...(example === undefined ? {} : { example }),
              },
            },
          }
        : undefined;
    (paths[operation.path] ??= {})[operation.method] = {
      tags: [operation.tag],
      summary: operation.summary,
      operationId: `${operation.method}${operation.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(requestBody === undefined ? {} : { requestBody }),
      security: operation.auth === 'none' ? [] : [{ [operation.auth]: [] }],
      responses: {
        [operation.success[0]]: { description: operation.success[1] },
        default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Troupe', version, description: 'A real-time audience engine with a Segment-compatible Tracking API and Profile API.' },
    paths,
    components: {
      securitySchemes: SECURITY,
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  };
}
