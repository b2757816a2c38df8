import type { SpaceConfig } from '../../config/config.ts';
import type { SpaceId } from '../../shared/ids.ts';

/**
 * What an access token may do in a space: `granted`; `foreign` (a valid token of some OTHER space,
 * answered 404 exactly like a missing profile, so a token cannot probe other tenants); `denied`
 * (no token, or one no space knows: 401).
 */
export type SpaceAccess =
  | { readonly kind: 'granted'; readonly spaceId: SpaceId }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'denied' };

export type CheckSpaceAccess = (space: string, token: string | undefined) => SpaceAccess;

export function createSpaceAccess(spaces: readonly SpaceConfig[]): CheckSpaceAccess {
  // Built once: a request costs one map lookup, whatever the number of spaces and tokens.
  const spacesByToken = new Map<string, SpaceId[]>();
  for (const space of spaces) {
    for (const token of space.accessTokens) spacesByToken.set(token, [...(spacesByToken.get(token) ?? []), space.id]);
  }
  return (space, token) => {
    const owners = token === undefined ? undefined : spacesByToken.get(token);
    if (owners === undefined) return { kind: 'denied' };
    const spaceId = owners.find((id) => id === space);
    return spaceId === undefined ? { kind: 'foreign' } : { kind: 'granted', spaceId };
  };
}
