import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { Identifier, IdentifierRecord } from './identifier.ts';
import type { GraphProfile, IdentityGraphView } from './identity-graph.ts';
import type { Resolution } from './resolution.ts';

/** The in-memory identity graph: the port's second implementation, for tests and embedding. */
export interface MemoryIdentityGraph extends IdentityGraphView {
  /** Commits a resolution in the order `Resolved` documents. Throws if it contradicts the graph. */
  apply(resolution: Resolution): void;
  /** Every live profile. The objects are views that later `apply` calls update. */
  profiles(): readonly GraphProfile[];
  /** Where a profile lives now: itself, the profile it was merged into (transitively), or undefined if unknown. */
  liveProfileOf(id: ProfileId): ProfileId | undefined;
}

interface MutableProfile {
  readonly id: ProfileId;
  readonly createdAt: EpochMs;
  readonly identifiers: IdentifierRecord[];
  mergeCount: number;
}

/**
 * @example
 * const graph = createMemoryIdentityGraph();
 * graph.apply(resolveIdentity(input, graph, settings, mintId));
 */
export function createMemoryIdentityGraph(initial: readonly GraphProfile[] = []): MemoryIdentityGraph {
  const live = new Map<ProfileId, MutableProfile>();
  // Two levels, type then value, so a lookup builds no composite key string.
  const index = new Map<string, Map<string, ProfileId>>();
  const mergedInto = new Map<ProfileId, ProfileId>();

  const holder = (id: Identifier): ProfileId | undefined => index.get(id.type)?.get(id.value);

  const map = (record: IdentifierRecord, profileId: ProfileId, allowMove: boolean): void => {
    const current = holder(record);
    if (current !== undefined && !allowMove) {
      throw new Error(`memory identity graph: ${record.type}:${record.value} is already held by ${current}`);
    }
    let values = index.get(record.type);
    if (values === undefined) {
      values = new Map();
      index.set(record.type, values);
    }
    values.set(record.value, profileId);
  };

  const liveProfile = (id: ProfileId): MutableProfile => {
    const profile = live.get(id);
    if (profile === undefined) throw new Error(`memory identity graph: ${id} is not a live profile`);
    return profile;
  };

  const create = (id: ProfileId, createdAt: EpochMs, mergeCount: number): MutableProfile => {
    if (live.has(id) || mergedInto.has(id)) throw new Error(`memory identity graph: ${id} already exists`);
    const profile: MutableProfile = { id, createdAt, identifiers: [], mergeCount };
    live.set(id, profile);
    return profile;
  };

  for (const seed of initial) {
    const profile = create(seed.id, seed.createdAt, seed.mergeCount);
    for (const record of seed.identifiers) {
      map(record, profile.id, false);
      profile.identifiers.push(record);
    }
  }

  return {
    profileOf: holder,
    profile: (id) => live.get(id),
    profiles: () => [...live.values()],
    liveProfileOf: (id) => {
      let current: ProfileId | undefined = id;
      while (current !== undefined && !live.has(current)) current = mergedInto.get(current);
      return current;
    },
    apply: (resolution) => {
      if (resolution.kind === 'unresolved') return;
      const target = resolution.created ? create(resolution.profileId, resolution.at, 0) : liveProfile(resolution.profileId);
      for (const { loser, winner } of resolution.merges) {
        if (winner !== target.id) throw new Error(`memory identity graph: merge into ${winner}, not the resolved ${target.id}`);
        const folded = liveProfile(loser);
        for (const record of folded.identifiers) {
          map(record, target.id, true);
          target.identifiers.push(record);
        }
        target.mergeCount += 1 + folded.mergeCount;
        live.delete(loser);
        mergedInto.set(loser, target.id);
      }
      for (const record of resolution.addIdentifiers) {
        map(record, target.id, false);
        target.identifiers.push(record);
      }
    },
  };
}
