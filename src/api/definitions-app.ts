import { Hono, type Context } from 'hono';
import type { DefinitionKind } from '../definitions/ast.ts';
import type { DefinitionRegistry, DefinitionView } from '../runtime/definition-registry.ts';
import type { SpaceRegistry } from '../runtime/space-registry.ts';
import { adminSpace } from './admin-access.ts';
import type { AppEnv } from './app-env.ts';
import { parseCheckBody, parseCreateBody, parsePatchBody, parsePreviewBody } from './definitions/definition-body.ts';
import { definitionJson, previewJson } from './definitions/definition-view.ts';
import { errorResponse } from './error-response.ts';
import { onError } from './on-error.ts';
import { pageLimit } from './page-limit.ts';
import type { ProfileCollection } from '../actors/profile-state.ts';
import type { MembersPage } from '../runtime/audience-members.ts';
import { MAX_SIZE_SAMPLES, type SizeSample } from '../runtime/size-sampler.ts';
import { readJsonBody } from './read-json-body.ts';

export interface DefinitionsAppDeps {
  readonly spaces: SpaceRegistry;
  readonly definitions: DefinitionRegistry;
  /** A page of an audience's members, from LMDB (see `runtime/audience-members.ts`). */
  readonly members: (query: { spaceId: string; collection: ProfileCollection; key: string; after?: string; limit: number }) => MembersPage;
  /** An audience's newest size samples, oldest first (see `runtime/size-sampler.ts`). */
  readonly sizes: (audienceId: string, limit: number) => SizeSample[];
}

const DEFAULT_SIZES_PAGE = 100;

const DEFAULT_MEMBERS_PAGE = 50;
const MAX_MEMBERS_PAGE = 200;

/** A definition body is a name, a few options and at most 20,000 characters of query. */
export const MAX_DEFINITION_BODY_BYTES = 65_536;

/** One of the two collections: same routes, its own path, body field names and wording. */
interface Collection {
  readonly kind: DefinitionKind;
  readonly path: string;
  /** The body field of one (`{"audience": …}`) and of a list (`{"audiences": […]}`). */
  readonly one: string;
  readonly many: string;
  readonly label: string;
}

const COLLECTIONS: readonly Collection[] = [
  { kind: 'audience', path: 'audiences', one: 'audience', many: 'audiences', label: 'audience' },
  { kind: 'computed_trait', path: 'computed-traits', one: 'computedTrait', many: 'computedTraits', label: 'computed trait' },
];

/**
 * The management API for audiences and computed traits (contract "Audiences and computed
 * traits"), admin token of the space. Every rule about what a definition may be (syntax, types,
 * keys and their tombstones, cycles) and every effect of a change (LMDB, shards, backfill) belongs
 * to the registry; this app checks the body's shape and maps the registry's views to JSON.
 *
 * @example
 * app.route('/', createDefinitionsApp({ spaces, definitions: engine.definitions }));
 */
export function createDefinitionsApp(deps: DefinitionsAppDeps): Hono<AppEnv> {
  const { spaces, definitions, members, sizes } = deps;
  const app = new Hono<AppEnv>();
  app.onError(onError);

  // Before the `/:id` routes: "preview" is not an audience id.
  app.post('/v1/spaces/:space/audiences/preview', async (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
    if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
    const parsed = parsePreviewBody(body.value);
    if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
    return c.json(previewJson(await definitions.preview(space.id, parsed.value)));
  });

  // An audience's size over time: the samples the engine kept, oldest first.
  app.get('/v1/spaces/:space/audiences/:id/sizes', (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const found = definitions.find(space.id, 'audience', c.req.param('id'));
    if (found === undefined) return notFound(c, COLLECTIONS[0]!);
    const limit = pageLimit(c.req.query('limit'), DEFAULT_SIZES_PAGE, MAX_SIZE_SAMPLES);
    if (limit === undefined) return errorResponse(c, 'invalid_request_error', `\`limit\` must be a whole number from 1 to ${MAX_SIZE_SAMPLES}.`);
    return c.json({ sizes: sizes(found.record.id, limit).map((sample) => ({ at: new Date(sample.at).toISOString(), size: sample.size })) });
  });

  // An audience's members, a page at a time, in profile id order; `next` goes on where one stopped.
  app.get('/v1/spaces/:space/audiences/:id/members', (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const found = definitions.find(space.id, 'audience', c.req.param('id'));
    if (found === undefined) return notFound(c, COLLECTIONS[0]!);
    const limit = pageLimit(c.req.query('limit'), DEFAULT_MEMBERS_PAGE, MAX_MEMBERS_PAGE);
    if (limit === undefined) return errorResponse(c, 'invalid_request_error', `\`limit\` must be a whole number from 1 to ${MAX_MEMBERS_PAGE}.`);
    const next = c.req.query('next');
    const after = next === undefined ? undefined : Buffer.from(next, 'base64url').toString('utf8');
    const { record } = found;
    const page = members({ spaceId: space.id, collection: record.target === 'ACCOUNTS' ? 'accounts' : 'users', key: record.key, ...(after === undefined ? {} : { after }), limit });
    return c.json({
      members: page.members.map((member) => ({ id: member.id, identifiers: member.identifiers.map(({ type, value }) => ({ type, value })) })),
      cursor: { has_more: page.next !== undefined, next: page.next === undefined ? null : Buffer.from(page.next, 'utf8').toString('base64url'), limit },
    });
  });

  for (const collection of COLLECTIONS) {
    const { kind, one, many } = collection;
    const base = `/v1/spaces/:space/${collection.path}`;

    app.post(base, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
      if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
      const parsed = parseCreateBody(body.value, kind);
      if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
      const created = await definitions.create(space.id, parsed.value);
      return c.json({ [one]: definitionJson(created) }, 201);
    });

    // The editor's check as you type: a refused query is an answer (200, with its position), not an error.
    app.post(`${base}/validate`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
      if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
      const parsed = parseCheckBody(body.value);
      if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
      const check = definitions.check(kind, parsed.value.query, parsed.value.target);
      if (check.valid) return c.json({ valid: true, reads: { events: check.eventNames, traits: check.traitKeys } });
      const { code, message, line, column } = check;
      return c.json({ valid: false, error: { code, message, ...(line === undefined ? {} : { line, column }) } });
    });

    app.get(base, (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      return c.json({ [many]: definitions.list(space.id, kind).map(definitionJson) });
    });

    // By id or by key: keys are what people remember, ids what the API hands out.
    app.get(`${base}/:id`, (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const found = definitions.find(space.id, kind, c.req.param('id'));
      if (found === undefined) return notFound(c, collection);
      return c.json({ [one]: definitionJson(found) });
    });

    app.patch(`${base}/:id`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const current = definitions.find(space.id, kind, c.req.param('id'));
      if (current === undefined) return notFound(c, collection);
      const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
      if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
      const parsed = parsePatchBody(body.value);
      if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
      const { patch, target } = parsed.value;
      if (target !== undefined && target !== current.record.target) {
        return errorResponse(c, 'invalid_body', `\`definition.type\` cannot be changed (this ${collection.label} is ${current.record.target}); create a new one instead.`);
      }
      const updated: DefinitionView = await definitions.update(space.id, kind, current.record.id, patch);
      return c.json({ [one]: definitionJson(updated) });
    });

    app.delete(`${base}/:id`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const current = definitions.find(space.id, kind, c.req.param('id'));
      if (current === undefined) return notFound(c, collection);
      await definitions.remove(space.id, kind, current.record.id);
      return c.body(null, 204);
    });
  }
  return app;
}

function notFound(c: Context<AppEnv>, collection: Collection): Response {
  return errorResponse(c, 'not_found', `No ${collection.label} ${JSON.stringify(c.req.param('id'))} in this space.`);
}
