import type { EpochMs, SpaceId } from '../shared/ids.ts';
import type { EngineStore } from '../store/engine-store.ts';
import { entriesWithPrefix } from '../store/prefix-range.ts';
import type { SpaceRegistry, SpaceRuntime } from './space-registry.ts';

export interface Suppression {
  readonly userId: string;
  readonly source: 'config' | 'api';
  /** When it was added through the API; null for config ones. */
  readonly at: EpochMs | null;
}

export type UnsuppressOutcome = 'removed' | 'not_found' | 'config';

export interface Suppressions {
  list(space: SpaceRuntime): Suppression[];
  add(space: SpaceRuntime, userId: string, at: EpochMs): Promise<Suppression>;
  remove(space: SpaceRuntime, userId: string): Promise<UnsuppressOutcome>;
}

/**
 * Suppressed userIds (Segment's SUPPRESS_ONLY): their events are rejected at ingestion. Config
 * ones are fixed; API ones live in LMDB and are loaded into each space's in-memory set at start,
 * so the ingestion check stays one Set lookup.
 */
export function createSuppressions(store: EngineStore, spaces: SpaceRegistry): Suppressions {
  for (const space of spaces.all) {
    for (const { key } of entriesWithPrefix(store.suppressions, [space.id])) space.suppressedUserIds.add(key[1]);
  }
  const configured = (space: SpaceRuntime): ReadonlySet<string> => new Set(space.config.suppressedUserIds);
  return {
    list(space) {
      const fromConfig = configured(space);
      const result: Suppression[] = [...fromConfig].map((userId) => ({ userId, source: 'config', at: null }));
      for (const { key, value } of entriesWithPrefix(store.suppressions, [space.id])) {
        if (!fromConfig.has(key[1])) result.push({ userId: key[1], source: 'api', at: value });
      }
      return result;
    },
    async add(space, userId, at) {
      if (configured(space).has(userId)) return { userId, source: 'config', at: null };
      await store.suppressions.put([space.id as SpaceId, userId], at);
      space.suppressedUserIds.add(userId);
      return { userId, source: 'api', at };
    },
    async remove(space, userId) {
      if (configured(space).has(userId)) return 'config';
      if (store.suppressions.get([space.id, userId]) === undefined) return 'not_found';
      await store.suppressions.remove([space.id, userId]);
      space.suppressedUserIds.delete(userId);
      return 'removed';
    },
  };
}
