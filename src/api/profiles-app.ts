import { Hono, type Context } from 'hono';
import { collectionOfProfile } from '../actors/profile-state.ts';
import type { SpaceConfig } from '../config/config.ts';
import type { DefinitionKind } from '../definitions/ast.ts';
import type { ProfileReader } from '../runtime/profile-reader.ts';
import type { Clock } from '../shared/clock.ts';
import type { AppEnv } from './app-env.ts';
import { basicUser } from './credentials.ts';
import { errorResponse } from './error-response.ts';
import { onError } from './on-error.ts';
import { eventsResource } from './profiles/events-resource.ts';
import { externalIdsResource } from './profiles/external-ids-resource.ts';
import { linksResource } from './profiles/links-resource.ts';
import { parseLookupId } from './profiles/lookup-id.ts';
import { metadataResource } from './profiles/metadata-resource.ts';
import type { ProfileResource } from './profiles/profile-resource.ts';
import { createSpaceAccess } from './profiles/space-access.ts';
import { traitsResource } from './profiles/traits-resource.ts';

export interface ProfilesAppDeps {
  readonly spaces: readonly SpaceConfig[];
  readonly reader: ProfileReader;
  readonly clock: Clock;
  /**
   * The keys of a space's audiences and computed traits that are not deleted, by kind: a trait
   * with such a key is of that class (`traits?class=`). After a deletion the trait stays on
   * profiles as a custom one (Segment's behaviour).
   */
  readonly traitClasses: (spaceId: string) => ReadonlyMap<string, DefinitionKind>;
}

/** `/v1/namespaces/…` is the older form of the same API (spec §5). */
const PREFIXES = ['/v1/spaces', '/v1/namespaces'] as const;

/**
 * What is served, by collection then resource. Maps, not object literals, so a path segment such
 * as `constructor` can never reach a prototype member.
 */
const PROFILE_RESOURCES: ReadonlyMap<string, ProfileResource> = new Map([
  ['traits', traitsResource],
  ['external_ids', externalIdsResource],
  ['events', eventsResource],
  ['metadata', metadataResource],
  ['links', linksResource],
]);

/** Users and accounts are both profiles: the same resources, each collection finding only its own. */
const RESOURCES: ReadonlyMap<string, ReadonlyMap<string, ProfileResource>> = new Map([
  ['users', PROFILE_RESOURCES],
  ['accounts', PROFILE_RESOURCES],
]);

const PROFILE_NOT_FOUND = 'Profile was not found.';

/**
 * The Profile API (Segment-compatible lookups), read-only. Order of checks, each before the next:
 * the token (401), the route (404), the parameters (400), the token's space (404), the profile
 * (404). Checking parameters before the space means another space's token sees exactly what a
 * missing profile would give. Reads are synchronous LMDB reads on this thread.
 *
 * @example
 * app.route('/', createProfilesApp({ spaces: config.spaces, reader: createProfileReader(store), clock }));
 */
export function createProfilesApp(deps: ProfilesAppDeps): Hono<AppEnv> {
  const { reader, clock } = deps;
  const checkAccess = createSpaceAccess(deps.spaces);
  const app = new Hono<AppEnv>();
  app.onError(onError);

  function lookup(c: Context<AppEnv>): Response {
    const access = checkAccess(c.req.param('space') ?? '', basicUser(c.req.header('authorization')));
    if (access.kind === 'denied') {
      return errorResponse(c, 'authentication_error', 'A valid access token is required (HTTP Basic, token as user name).', {
        'WWW-Authenticate': 'Basic realm="Profile API"',
      });
    }
    const collection = c.req.param('collection') ?? '';
    const name = c.req.param('resource') ?? '';
    const resource = RESOURCES.get(collection)?.get(name);
    if (resource === undefined) return errorResponse(c, 'not_found', `The resource \`${collection}/profiles/…/${name}\` does not exist.`);
    const url = new URL(c.req.url);
    const render = resource(url.searchParams);
    if (!render.ok) return errorResponse(c, render.error.code, render.error.message);
    const lookupId = parseLookupId(c.req.param('id') ?? '');
    if (!lookupId.ok) return errorResponse(c, lookupId.error.code, lookupId.error.message);
    if (access.kind === 'foreign') return errorResponse(c, 'not_found', PROFILE_NOT_FOUND);
    const profile = lookupId.value === undefined ? undefined : reader.findProfile(access.spaceId, lookupId.value);
    // A collection only finds its own kind: `users/profiles/group_id:…` is not an account lookup.
    if (profile === undefined || collectionOfProfile(profile) !== collection) return errorResponse(c, 'not_found', PROFILE_NOT_FOUND);
    const { spaceId } = access;
    return c.json(render.value(profile, { reader, now: clock.now(), url: url.pathname + url.search, traitClassOf: (key) => deps.traitClasses(spaceId).get(key) }));
  }

  for (const prefix of PREFIXES) {
    app.get(`${prefix}/:space/collections/:collection/profiles/:id/:resource`, lookup);
    // Any other GET shape under a profile collection (an id with a raw `/`, a deeper path) still
    // gets the API's auth check and JSON error body rather than the server's plain 404.
    app.get(`${prefix}/:space/collections/*`, lookup);
  }
  return app;
}
