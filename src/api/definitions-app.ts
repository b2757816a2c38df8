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
import { queryPageLimit } from './page-limit.ts';
import type { ProfileCollection } from '../actors/profile-state.ts';
import type { MembersPage } from '../runtime/audience-members.ts';
import { MAX_SIZE_SAMPLES, type SizeSample } from '../runtime/size-sampler.ts';
import { readCheckedBody } from './read-json-body.ts';

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

  /** The audience a `/audiences/:id/…` path names, in the admin's space; or the 401/404 to return. */
  function audienceOf(c: Context<AppEnv>): { spaceId: string; audience: DefinitionView } | Response {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const audience = definitions.find(space.id, 'audience', c.req.param('id') ?? '');
    return audience === undefined ? notFound(c, COLLECTIONS[0]!) : { spaceId: space.id, audience };
  }

  // Before the `/:id` routes: "preview" is not an audience id.
  app.post('/v1/spaces/:space/audiences/preview', async (c) => {
    const space = adminSpace(c, spaces);
    if (space instanceof Response) return space;
    const parsed = await readCheckedBody(c, MAX_DEFINITION_BODY_BYTES, parsePreviewBody);
    if (parsed instanceof Response) return parsed;
    return c.json(previewJson(await definitions.preview(space.id, parsed)));
  });

  // An audience's size over time: the samples the engine kept, oldest first.
  app.get('/v1/spaces/:space/audiences/:id/sizes', (c) => {
    const found = audienceOf(c);
    if (found instanceof Response) return found;
    const limit = queryPageLimit(c, DEFAULT_SIZES_PAGE, MAX_SIZE_SAMPLES);
    if (limit instanceof Response) return limit;
    return c.json({ sizes: sizes(found.audience.record.id, limit).map((sample) => ({ at: new Date(sample.at).toISOString(), size: sample.size })) });
  });

  // An audience's members, a page at a time, in profile id order; `next` goes on where one stopped.
  app.get('/v1/spaces/:space/audiences/:id/members', (c) => {
    const found = audienceOf(c);
    if (found instanceof Response) return found;
    const limit = queryPageLimit(c, DEFAULT_MEMBERS_PAGE, MAX_MEMBERS_PAGE);
    if (limit instanceof Response) return limit;
    const next = c.req.query('next');
    const after = next === undefined ? undefined : Buffer.from(next, 'base64url').toString('utf8');
    const { record } = found.audience;
    const page = members({ spaceId: found.spaceId, collection: record.target === 'ACCOUNTS' ? 'accounts' : 'users', key: record.key, ...(after === undefined ? {} : { after }), limit });
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
      const parsed = await readCheckedBody(c, MAX_DEFINITION_BODY_BYTES, (raw) => parseCreateBody(raw, kind));
      if (parsed instanceof Response) return parsed;
      const created = await definitions.create(space.id, parsed);
      return c.json({ [one]: definitionJson(created) }, 201);
    });

    // The editor's check as you type: a refused query is an answer (200, with its position), not an error.
    app.post(`${base}/validate`, async (c) => {
      const space = adminSpace(c, spaces);
      if (space instanceof Response) return space;
      const parsed = await readCheckedBody(c, MAX_DEFINITION_BODY_BYTES, parseCheckBody);
      if (parsed instanceof Response) return parsed;
      const check = definitions.check(kind, parsed.query, parsed.target);
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
      const parsed = await readCheckedBody(c, MAX_DEFINITION_BODY_BYTES, parsePatchBody);
      if (parsed instanceof Response) return parsed;
      const { patch, target } = parsed;
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
