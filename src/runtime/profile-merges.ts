import type { EngineStore } from '../store/engine-store.ts';

/** A profile folded into another, as its graph record remembers it. */
export interface MergedProfile {
  readonly id: string;
  /** When it was created (undefined when its graph record is gone: it was deleted). */
  readonly createdAt: number | undefined;
  readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }>;
}

export interface ProfileMerges {
  readonly id: string;
  readonly createdAt: number | undefined;
  /** Every profile folded into it, transitively, in the order they were folded in. */
  readonly mergedFrom: readonly MergedProfile[];
}

/**
 * A profile's creation and every profile merged into it, from LMDB (committed data, like every
 * Profile API read): its record lists the merged ids (`mergedFrom`, kept for its history reads)
 * and each id's graph record says when that profile was created and what it brought. Undefined
 * when the space has no such profile.
 */
export function profileMerges(store: Pick<EngineStore, 'profiles' | 'graphProfiles'>, spaceId: string, profileId: string): ProfileMerges | undefined {
  const stored = store.profiles.get(profileId);
  if (stored === undefined || stored.spaceId !== spaceId) return undefined;
  const graphOf = (id: string) => store.graphProfiles.get(id);
  return {
    id: profileId,
    createdAt: graphOf(profileId)?.createdAt,
    mergedFrom: stored.mergedFrom.map((id) => {
      const graph = graphOf(id);
      return { id, createdAt: graph?.createdAt, identifiers: (graph?.identifiers ?? []).map(({ type, value }) => ({ type, value })) };
    }),
  };
}
