import type { SourceConfig, SpaceConfig } from '../config/config.ts';
import { DEFAULT_MAX_CUSTOM_TYPES, identitySettingsFrom, withCustomType, type IdentitySettings } from '../identity/settings.ts';
import type { SpaceId } from '../shared/ids.ts';

/** A space as the running engine holds it: its config, and identity settings that grow as custom types appear. */
export interface SpaceRuntime {
  readonly config: SpaceConfig;
  readonly id: SpaceId;
  identity: IdentitySettings;
  /** From config, plus those added through the suppressions API (see suppressions.ts). */
  readonly suppressedUserIds: Set<string>;
}

export interface SpaceRegistry {
  readonly all: readonly SpaceRuntime[];
  byId(id: string): SpaceRuntime | undefined;
  /** The space and source a write key belongs to. */
  byWriteKey(key: string): { space: SpaceRuntime; source: SourceConfig } | undefined;
  byAccessToken(token: string): SpaceRuntime | undefined;
  byAdminToken(token: string): SpaceRuntime | undefined;
}

/**
 * `learnedTypes` are the custom identifier types earlier runs auto-added per space (kept in LMDB),
 * so the priority order does not change across a restart.
 */
export function createSpaceRegistry(
  spaces: readonly SpaceConfig[],
  learnedTypes: (spaceId: string) => readonly string[] = () => [],
  maxCustomTypes = DEFAULT_MAX_CUSTOM_TYPES,
): SpaceRegistry {
  const all: SpaceRuntime[] = spaces.map((config) => ({
    config,
    id: config.id,
    // Types learned before a lower cap was configured are kept: profiles already hold them.
    identity: learnedTypes(config.id).reduce(withCustomType, identitySettingsFrom(config.identity, maxCustomTypes)),
    suppressedUserIds: new Set(config.suppressedUserIds),
  }));
  const byId = new Map(all.map((s) => [s.id as string, s]));
  const writeKeys = new Map<string, { space: SpaceRuntime; source: SourceConfig }>();
  const accessTokens = new Map<string, SpaceRuntime>();
  const adminTokens = new Map<string, SpaceRuntime>();
  for (const space of all) {
    for (const source of space.config.writeKeys) writeKeys.set(source.key, { space, source });
    for (const token of space.config.accessTokens) accessTokens.set(token, space);
    for (const token of space.config.adminTokens) adminTokens.set(token, space);
  }
  return {
    all,
    byId: (id) => byId.get(id),
    byWriteKey: (key) => writeKeys.get(key),
    byAccessToken: (token) => accessTokens.get(token),
    byAdminToken: (token) => adminTokens.get(token),
  };
}
