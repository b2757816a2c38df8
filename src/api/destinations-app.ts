import { Hono, type Context } from 'hono';
import type { DefinitionKind } from '../definitions/ast.ts';
import type { DefinitionRegistry, DefinitionView } from '../runtime/definition-registry.ts';
import type { DestinationRegistry } from '../runtime/destination-registry.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import type { SyncLog } from '../runtime/sync/sync-log.ts';
import { adminSpace } from './admin-access.ts';
import type { AppEnv } from './app-env.ts';
import { parseConnectBody, parseDestinationCreate, parseDestinationPatch } from './destinations/destination-body.ts';
import { auditJson, connectionJson, destinationJson, syncJson } from './destinations/destination-view.ts';
import { errorResponse } from './error-response.ts';
import { queryPageLimit } from './page-limit.ts';
import type { DestinationStatus } from '../runtime/sync/sync-service.ts';
import { onError } from './on-error.ts';
import { readCheckedBody } from './read-json-body.ts';

export interface DestinationsAppDeps {
  readonly spaces: SpaceRegistry;
  readonly definitions: DefinitionRegistry;
  readonly destinations: DestinationRegistry;
  readonly syncLog: SyncLog;
  /** A destination's backlog and delivery tallies (the sync actor's). */
  readonly status: (destinationId: string) => DestinationStatus;
}

/** A destination body: a name, a URL, a few headers. */
const MAX_DESTINATION_BODY_BYTES = 65_536;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1_000;

const COLLECTIONS: ReadonlyArray<{ readonly kind: DefinitionKind; readonly path: string; readonly label: string }> = [
  { kind: 'audience', path: 'audiences', label: 'audience' },
  { kind: 'computed_trait', path: 'computed-traits', label: 'computed trait' },
];

/**
 * The management API for destinations and sync (contract "Destinations and sync"), admin token of
 * the space: destinations, connecting audiences and computed traits to them, their recent syncs,
 * and the space's audit trail of failed deliveries.
 *
 * @example
 * app.route('/', createDestinationsApp({ spaces, definitions, destinations, syncLog }));
 */
export function createDestinationsApp(deps: DestinationsAppDeps): Hono<AppEnv> {
  const { spaces, definitions, destinations, syncLog } = deps;
  const app = new Hono<AppEnv>();
  app.onError(onError);
  const base = '/v1/spaces/:space/destinations';

  app.post(base, async (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const parsed = await readCheckedBody(c, MAX_DESTINATION_BODY_BYTES, parseDestinationCreate);
    if (parsed instanceof Response) return parsed;
    return c.json({ destination: destinationJson(await destinations.create(space.id, parsed)) }, 201);
  });

  app.get(base, (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    return c.json({ destinations: destinations.list(space.id).map(destinationJson) });
  });

  app.get(`${base}/:id`, (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const found = destinations.find(space.id, c.req.param('id'));
    if (found === undefined) return destinationNotFound(c, c.req.param('id'));
    return c.json({ destination: destinationJson(found) });
  });

  // Backlog now, and delivered / failed / dropped since the engine started: why a destination is behind.
  app.get(`${base}/:id/status`, (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const found = destinations.find(space.id, c.req.param('id'));
    if (found === undefined) return destinationNotFound(c, c.req.param('id'));
    const status = deps.status(found.id);
    return c.json({
      status: {
        ...status,
        lastDeliveredAt: status.lastDeliveredAt === null ? null : new Date(status.lastDeliveredAt).toISOString(),
        lastFailure: status.lastFailure === null ? null : { at: new Date(status.lastFailure.at).toISOString(), error: status.lastFailure.error },
      },
    });
  });

  app.patch(`${base}/:id`, async (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const id = c.req.param('id');
    if (destinations.find(space.id, id) === undefined) return destinationNotFound(c, id);
    const parsed = await readCheckedBody(c, MAX_DESTINATION_BODY_BYTES, parseDestinationPatch);
    if (parsed instanceof Response) return parsed;
    return c.json({ destination: destinationJson(await destinations.update(space.id, id, parsed)) });
  });

  app.delete(`${base}/:id`, async (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const id = c.req.param('id');
    if (destinations.find(space.id, id) === undefined) return destinationNotFound(c, id);
    await destinations.remove(space.id, id);
    return c.body(null, 204);
  });

  app.get('/v1/spaces/:space/audit', (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const limit = queryPageLimit(c, DEFAULT_PAGE, MAX_PAGE);
    if (limit instanceof Response) return limit;
    return c.json({ entries: syncLog.audit(space.id, limit).items.map(auditJson) });
  });

  for (const collection of COLLECTIONS) {
    const definitionBase = `/v1/spaces/:space/${collection.path}/:id`;
    const definitionOf = (c: Context<AppEnv>, spaceId: string): DefinitionView | Response => {
      const found = definitions.find(spaceId, collection.kind, c.req.param('id') ?? '');
      return found ?? errorResponse(c, 'not_found', `No ${collection.label} ${JSON.stringify(c.req.param('id'))} in this space.`);
    };

    app.get(`${definitionBase}/destinations`, (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const definition = definitionOf(c, space.id);
      if (definition instanceof Response) return definition;
      return c.json({ destinations: destinations.connectionsOf(definition.record.id).map(connectionJson) });
    });

    app.put(`${definitionBase}/destinations/:destinationId`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const definition = definitionOf(c, space.id);
      if (definition instanceof Response) return definition;
      const destinationId = c.req.param('destinationId');
      if (destinations.find(space.id, destinationId) === undefined) return destinationNotFound(c, destinationId);
      const format = await readCheckedBody(c, MAX_DESTINATION_BODY_BYTES, parseConnectBody);
      if (format instanceof Response) return format;
      const connection = await destinations.connect(definition.record, destinationId, format);
      return c.json({ connection: connectionJson(connection) });
    });

    app.delete(`${definitionBase}/destinations/:destinationId`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const definition = definitionOf(c, space.id);
      if (definition instanceof Response) return definition;
      const destinationId = c.req.param('destinationId');
      const removed = await destinations.disconnect(definition.record.id, destinationId);
      if (!removed) return errorResponse(c, 'not_found', `The ${collection.label} is not connected to destination ${JSON.stringify(destinationId)}.`);
      return c.body(null, 204);
    });

    app.get(`${definitionBase}/syncs`, (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const definition = definitionOf(c, space.id);
      if (definition instanceof Response) return definition;
      const limit = queryPageLimit(c, DEFAULT_PAGE, MAX_PAGE);
      if (limit instanceof Response) return limit;
      return c.json({ syncs: syncLog.syncs(definition.record.id, limit).map(syncJson) });
    });
  }
  return app;
}

function destinationNotFound(c: Context<AppEnv>, id: string | undefined): Response {
  return errorResponse(c, 'not_found', `No destination ${JSON.stringify(id)} in this space.`);
}
