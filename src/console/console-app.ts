import { Hono, type Context } from 'hono';
import type { AppEnv } from '../api/app-env.ts';
import {
  callApi,
  spacePath,
  type ApiError,
  type ApiRequest,
  type AuditJson,
  type CheckJson,
  type DefinitionJson,
  type DestinationJson,
  type DestinationStatusJson,
  type EventsJson,
  type ExternalIdsJson,
  type MergesJson,
  type MembersJson,
  type SyncJson,
  type TraitsJson,
} from './console-api.ts';
import { clearSession, readSession, writeSession, type ConsoleSession } from './console-session.ts';
import { auditPage } from './pages/audit-page.ts';
import { definitionPage } from './pages/definition-page.ts';
import { editorPage, type EditorKind } from './pages/editor-page.ts';
import { profileNeedsAccessToken, profilePage } from './pages/profile-page.ts';
import { signInPage } from './pages/sign-in-page.ts';
import { spacePage } from './pages/space-page.ts';

export interface ConsoleAppDeps {
  /** The engine's HTTP app: every page is built from what the public API answers. */
  readonly request: ApiRequest;
}

const COLLECTION_OF: Record<EditorKind, 'audiences' | 'computed-traits'> = { audience: 'audiences', computed_trait: 'computed-traits' };

/**
 * The operator's console at `/console`: server-rendered pages over the public API, signed in with
 * a space's admin token. It keeps no state: the session is a cookie holding the token, and each
 * page asks the API with it (so the API's own checks decide what the console may show or do).
 *
 * @example
 * app.route('/', createConsoleApp({ request: (path, init) => app.request(path, init) }));
 */
export function createConsoleApp(deps: ConsoleAppDeps): Hono<AppEnv> {
  const { request } = deps;
  const app = new Hono<AppEnv>();

  app.get('/console', (c) => {
    const session = readSession(c);
    if (session !== undefined) return c.redirect(`/console/spaces/${encodeURIComponent(session.space)}`, 303);
    return c.html(signInPage());
  });

  app.post('/console/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const space = typeof form['space'] === 'string' ? form['space'].trim() : '';
    const token = typeof form['token'] === 'string' ? form['token'].trim() : '';
    const accessToken = typeof form['accessToken'] === 'string' ? form['accessToken'].trim() : '';
    if (space === '' || token === '') return c.html(signInPage({ space, error: 'Enter the space and its admin token.' }), 400);
    const session: ConsoleSession = { space, token, ...(accessToken === '' ? {} : { accessToken }) };
    const probe = await callApi<ApiError>(request, session, spacePath(session, '/audiences'));
    if (probe.status !== 200) return c.html(signInPage({ space, error: probe.body?.error?.message ?? `The API answered ${probe.status}.` }), 401);
    writeSession(c, session);
    return c.redirect(`/console/spaces/${encodeURIComponent(space)}`, 303);
  });

  app.post('/console/sign-out', (c) => {
    clearSession(c);
    return c.redirect('/console', 303);
  });

  app.get('/console/spaces/:space', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return toSignIn(c);
    const [audiences, traits, destinations] = await Promise.all([
      callApi<{ audiences: DefinitionJson[] }>(request, session, spacePath(session, '/audiences')),
      callApi<{ computedTraits: DefinitionJson[] }>(request, session, spacePath(session, '/computed-traits')),
      callApi<{ destinations: DestinationJson[] }>(request, session, spacePath(session, '/destinations')),
    ]);
    if (audiences.status !== 200 || traits.status !== 200 || destinations.status !== 200) return toSignIn(c);
    const withStatus = await Promise.all(
      destinations.body.destinations.map(async (destination) => {
        const answer = await callApi<{ status: DestinationStatusJson }>(request, session, spacePath(session, `/destinations/${encodeURIComponent(destination.id)}/status`));
        return { destination, status: answer.status === 200 ? answer.body.status : undefined };
      }),
    );
    return c.html(spacePage(session.space, audiences.body.audiences, traits.body.computedTraits, withStatus));
  });

  for (const [collection, field] of [
    ['audiences', 'audience'],
    ['computed-traits', 'computedTrait'],
  ] as const) {
    app.get(`/console/spaces/:space/${collection}/:id`, async (c) => {
      const session = sessionFor(c);
      if (session === undefined) return toSignIn(c);
      const id = encodeURIComponent(c.req.param('id'));
      const after = c.req.query('members');
      const audience = collection === 'audiences';
      const [found, syncs, audit, members, sizes] = await Promise.all([
        callApi<Record<string, DefinitionJson>>(request, session, spacePath(session, `/${collection}/${id}`)),
        callApi<{ syncs: SyncJson[] }>(request, session, spacePath(session, `/${collection}/${id}/syncs?limit=50`)),
        callApi<{ entries: AuditJson[] }>(request, session, spacePath(session, '/audit?limit=1000')),
        audience ? callApi<MembersJson>(request, session, spacePath(session, `/audiences/${id}/members?limit=50${after === undefined ? '' : `&next=${encodeURIComponent(after)}`}`)) : undefined,
        audience ? callApi<{ sizes: Array<{ at: string; size: number }> }>(request, session, spacePath(session, `/audiences/${id}/sizes?limit=200`)) : undefined,
      ]);
      if (found.status === 404) return c.notFound();
      const definition = found.body[field];
      if (found.status !== 200 || definition === undefined) return toSignIn(c);
      const points = sizes?.status === 200 ? sizes.body.sizes.map((s) => ({ at: Date.parse(s.at), size: s.size })) : undefined;
      const own = audit.status === 200 ? audit.body.entries.filter((entry) => entry.audienceId === definition.id || entry.computedTraitId === definition.id) : [];
      return c.html(definitionPage(session.space, collection, definition, syncs.status === 200 ? syncs.body.syncs : [], own, members?.status === 200 ? members.body : undefined, points));
    });
  }

  for (const [collection, field, kind] of [
    ['audiences', 'audience', 'audience'],
    ['computed-traits', 'computedTrait', 'computed_trait'],
  ] as const) {
    const page = (space: string, id: string) => `/console/spaces/${encodeURIComponent(space)}/${collection}/${encodeURIComponent(id)}`;
    app.get(`/console/spaces/:space/${collection}/:id/edit`, async (c) => {
      const session = sessionFor(c);
      if (session === undefined) return toSignIn(c);
      const found = await callApi<Record<string, DefinitionJson>>(request, session, spacePath(session, `/${collection}/${encodeURIComponent(c.req.param('id'))}`));
      const definition = found.body[field];
      if (found.status !== 200 || definition === undefined) return c.notFound();
      return c.html(editorPage(session.space, kind, { name: definition.name, query: definition.definition.query }, { action: `${page(session.space, definition.id)}/edit`, title: `Edit ${definition.name}` }));
    });

    // A changed query re-evaluates every profile (a backfill), as the API's PATCH does.
    app.post(`/console/spaces/:space/${collection}/:id/edit`, async (c) => {
      const session = sessionFor(c);
      if (session === undefined) return toSignIn(c);
      const id = c.req.param('id');
      const form = await c.req.parseBody();
      const name = typeof form['name'] === 'string' ? form['name'] : '';
      const query = typeof form['query'] === 'string' ? form['query'] : '';
      const changed = await callApi<Partial<ApiError>>(request, session, spacePath(session, `/${collection}/${encodeURIComponent(id)}`), { method: 'PATCH', body: { name, definition: { query } } });
      if (changed.status !== 200) {
        return c.html(editorPage(session.space, kind, { name, query, error: changed.body.error?.message ?? `The API answered ${changed.status}.` }, { action: `${page(session.space, id)}/edit`, title: `Edit ${name}` }), 400);
      }
      return c.redirect(page(session.space, id), 303);
    });
  }

  app.get('/console/spaces/:space/new', (c) => {
    const session = sessionFor(c);
    if (session === undefined) return toSignIn(c);
    return c.html(editorPage(session.space, editorKind(c.req.query('kind'))));
  });

  app.post('/console/spaces/:space/new', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return toSignIn(c);
    const form = await c.req.parseBody();
    const kind = editorKind(typeof form['kind'] === 'string' ? form['kind'] : undefined);
    const name = typeof form['name'] === 'string' ? form['name'] : '';
    const query = typeof form['query'] === 'string' ? form['query'] : '';
    const collection = COLLECTION_OF[kind];
    const created = await callApi<Record<string, DefinitionJson> & Partial<ApiError>>(request, session, spacePath(session, `/${collection}`), { method: 'POST', body: { name, definition: { query } } });
    const definition = created.body[kind === 'audience' ? 'audience' : 'computedTrait'];
    if (created.status !== 201 || definition === undefined || !('id' in definition)) {
      return c.html(editorPage(session.space, kind, { name, query, error: created.body.error?.message ?? `The API answered ${created.status}.` }), 400);
    }
    return c.redirect(`/console/spaces/${encodeURIComponent(session.space)}/${collection}/${encodeURIComponent(definition.id)}`, 303);
  });

  // The editor's scripts: the check and the preview, through the public API with the session.
  app.post('/console/spaces/:space/check', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return c.json({ error: { code: 'unauthorized', message: 'Sign in again.' } }, 401);
    const body = (await c.req.json().catch(() => ({}))) as { query?: unknown };
    const answer = await callApi<CheckJson>(request, session, spacePath(session, `/${COLLECTION_OF[editorKind(c.req.query('kind'))]}/validate`), { method: 'POST', body: { query: body.query } });
    return c.json(answer.body, answer.status === 200 ? 200 : 400);
  });

  app.post('/console/spaces/:space/preview', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return c.json({ error: { code: 'unauthorized', message: 'Sign in again.' } }, 401);
    const body = (await c.req.json().catch(() => ({}))) as { query?: unknown };
    const answer = await callApi<object>(request, session, spacePath(session, '/audiences/preview'), { method: 'POST', body: { query: body.query } });
    return c.json(answer.body, answer.status === 200 ? 200 : 400);
  });

  app.get('/console/spaces/:space/profiles/:id', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return toSignIn(c);
    const id = c.req.param('id');
    if (session.accessToken === undefined) return c.html(profileNeedsAccessToken(session.space, id));
    const base = `/v1/spaces/${encodeURIComponent(session.space)}/collections/users/profiles/${encodeURIComponent(id)}`;
    const access = { as: 'access' } as const;
    const [traits, memberships, computed, identifiers, events, merges] = await Promise.all([
      callApi<TraitsJson>(request, session, `${base}/traits?limit=200`, access),
      callApi<TraitsJson>(request, session, `${base}/traits?class=audience&limit=200`, access),
      callApi<TraitsJson>(request, session, `${base}/traits?class=computed_trait&limit=200`, access),
      callApi<ExternalIdsJson>(request, session, `${base}/external_ids?limit=100`, access),
      callApi<EventsJson>(request, session, `${base}/events?limit=20`, access),
      callApi<MergesJson>(request, session, spacePath(session, `/profiles/${encodeURIComponent(id)}/merges`)),
    ]);
    if (traits.status === 404) return c.notFound();
    if ([traits, memberships, computed, identifiers, events].some((answer) => answer.status !== 200)) return c.html(profileNeedsAccessToken(session.space, id), 401);
    return c.html(
      profilePage(session.space, { id, traits: traits.body.traits, memberships: memberships.body.traits, computed: computed.body.traits, identifiers: identifiers.body.data, events: events.body.data, merges: merges.status === 200 ? merges.body : undefined }),
    );
  });

  app.get('/console/spaces/:space/audit', async (c) => {
    const session = sessionFor(c);
    if (session === undefined) return toSignIn(c);
    const audit = await callApi<{ entries: AuditJson[] }>(request, session, spacePath(session, '/audit?limit=100'));
    if (audit.status !== 200) return toSignIn(c);
    return c.html(auditPage(session.space, audit.body.entries));
  });

  return app;
}

/** The session, when it is for the space in the path. */
function sessionFor(c: Context<AppEnv>): ConsoleSession | undefined {
  const session = readSession(c);
  return session !== undefined && session.space === c.req.param('space') ? session : undefined;
}

function toSignIn(c: Context<AppEnv>): Response {
  clearSession(c);
  return c.redirect('/console', 303);
}

function editorKind(value: string | undefined): EditorKind {
  return value === 'computed_trait' ? 'computed_trait' : 'audience';
}
