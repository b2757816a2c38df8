import type { IdentityGraphView } from '../identity/identity-graph.ts';
import type { Identifier } from '../identity/identifier.ts';
import type { Resolved } from '../identity/resolution.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import type { EngineStore, IdentityKey } from '../store/engine-store.ts';
import { NO_IDENTITY_WRITES, type IdentityWrites, type StoredGraphProfile } from '../store/identity-records.ts';

/** A bound on forward-pointer chains, far above the 100-merge cap, so a corrupt loop cannot hang. */
const MAX_FORWARD_HOPS = 1000;

export interface IdentityGraphStore {
  /** The graph of one space as the resolver reads it: committed state plus staged changes. */
  view(spaceId: SpaceId): IdentityGraphView;
  /** A profile's record, staged or committed, merged-away ones included. */
  record(profileId: ProfileId): StoredGraphProfile | undefined;
  /**
   * The profile live now for `id`: merges staged since an event was resolved forward it. Only
   * merges decided by this process are followed; committed identity entries never point at a
   * merged-away profile (a merge re-points them in the same transaction).
   */
  liveProfile(id: ProfileId): ProfileId;
  /**
   * Applies a resolution to the in-memory overlay at once (so the next event already sees it) and
   * returns the writes to commit, grouped by the profile whose shard must commit them.
   */
  stage(spaceId: SpaceId, resolution: Resolved): IdentityWrites;
  /**
   * Maps `group_id:{groupId}` to its account profile the first time the group is seen. Accounts
   * sit outside user resolution (a groupId never matches or merges users), so no graph record.
   */
  stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): IdentityWrites;
  /** Removes a profile from the graph at once: its identifiers resolve to nothing from now on. */
  stageDeletion(spaceId: SpaceId, profileId: ProfileId): IdentityWrites;
  /** The writes are committed: drop overlay entries that nothing newer has replaced. */
  settle(writes: IdentityWrites): void;
  /** The writes failed to commit: forget them so the overlay does not claim what LMDB lacks. */
  discard(writes: IdentityWrites): void;
}

function overlayKey(spaceId: string, type: string, value: string): string {
  return `${spaceId}\u0000${type}\u0000${value}`;
}

/**
 * The main thread's side of the identity graph: the single writer. Reads go to an overlay of
 * decided-but-uncommitted changes first (an lmdb-js `get` does not see a write that is not yet
 * committed), then to LMDB.
 */
export function createIdentityGraphStore(store: EngineStore): IdentityGraphStore {
  // `null` marks a staged removal: it must hide the committed entry until the removal commits.
  const stagedIdentifiers = new Map<string, ProfileId | null>();
  const stagedProfiles = new Map<ProfileId, StoredGraphProfile | null>();

  function record(profileId: ProfileId): StoredGraphProfile | undefined {
    const staged = stagedProfiles.get(profileId);
    if (staged !== undefined) return staged ?? undefined;
    return store.graphProfiles.get(profileId);
  }

  /** loser → winner for every merge staged by this process (a handful; merges are rare). */
  const forwards = new Map<ProfileId, ProfileId>();

  function liveProfile(profileId: ProfileId): ProfileId {
    let current = profileId;
    for (let hop = 0; hop < MAX_FORWARD_HOPS; hop++) {
      const next = forwards.get(current);
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }

  function view(spaceId: SpaceId): IdentityGraphView {
    return {
      profileOf(id: Identifier) {
        const staged = stagedIdentifiers.get(overlayKey(spaceId, id.type, id.value));
        if (staged === null) return undefined;
        const found = staged ?? (store.identity.get([spaceId, id.type, id.value]) as ProfileId | undefined);
        return found === undefined ? undefined : liveProfile(found);
      },
      profile(profileId) {
        const found = record(profileId);
        return found === undefined || found.mergedInto !== undefined ? undefined : found;
      },
    };
  }

  function stage(spaceId: SpaceId, resolution: Resolved): IdentityWrites {
    // The common case, a known visitor with nothing new: no record to read, nothing to write.
    if (!resolution.created && resolution.merges.length === 0 && resolution.addIdentifiers.length === 0) return NO_IDENTITY_WRITES;
    const identifiers: Array<{ key: IdentityKey; profileId: ProfileId }> = [];
    const profiles = new Map<ProfileId, StoredGraphProfile>();
    const winnerId = resolution.profileId;
    let winner: StoredGraphProfile =
      record(winnerId) ?? { id: winnerId, spaceId, createdAt: resolution.at, identifiers: [], mergeCount: 0 };
    let changed = resolution.created;

    const point = (id: Identifier): void => {
      const key: IdentityKey = [spaceId, id.type, id.value];
      stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), winnerId);
      identifiers.push({ key, profileId: winnerId });
    };

    for (const { loser } of resolution.merges) {
      const folded = record(loser);
      if (folded === undefined) continue;
      winner = {
        ...winner,
        identifiers: [...winner.identifiers, ...folded.identifiers],
        mergeCount: winner.mergeCount + 1 + folded.mergeCount,
      };
      for (const id of folded.identifiers) point(id);
      profiles.set(loser, { ...folded, mergedInto: winnerId });
      forwards.set(loser, winnerId);
      changed = true;
    }
    if (resolution.addIdentifiers.length > 0) {
      winner = { ...winner, identifiers: [...winner.identifiers, ...resolution.addIdentifiers] };
      for (const id of resolution.addIdentifiers) point(id);
      changed = true;
    }
    if (changed) profiles.set(winnerId, winner);
    for (const [id, stored] of profiles) stagedProfiles.set(id, stored);
    return { identifiers, profiles: [...profiles.values()] };
  }

  function stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): IdentityWrites {
    const k = overlayKey(spaceId, 'group_id', groupId);
    if (stagedIdentifiers.get(k) === accountId || store.identity.get([spaceId, 'group_id', groupId]) === accountId) return NO_IDENTITY_WRITES;
    stagedIdentifiers.set(k, accountId);
    return { identifiers: [{ key: [spaceId, 'group_id', groupId], profileId: accountId }], profiles: [] };
  }

  function stageDeletion(spaceId: SpaceId, profileId: ProfileId): IdentityWrites {
    const doomed = record(profileId);
    const identifiers = (doomed?.identifiers ?? []).map((id) => {
      stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), null);
      return { key: [spaceId, id.type, id.value] as IdentityKey, profileId: null };
    });
    stagedProfiles.set(profileId, null);
    return { identifiers, profiles: [], removedProfiles: [profileId] };
  }

  function forget(writes: IdentityWrites): void {
    for (const { key, profileId } of writes.identifiers) {
      const k = overlayKey(key[0], key[1], key[2]);
      if (stagedIdentifiers.get(k) === profileId) stagedIdentifiers.delete(k);
    }
    for (const written of writes.profiles) {
      if (stagedProfiles.get(written.id) === written) stagedProfiles.delete(written.id);
    }
    for (const removed of writes.removedProfiles ?? []) {
      if (stagedProfiles.get(removed) === null) stagedProfiles.delete(removed);
    }
  }

  function discard(writes: IdentityWrites): void {
    for (const written of writes.profiles) {
      if (written.mergedInto !== undefined && forwards.get(written.id) === written.mergedInto) forwards.delete(written.id);
    }
    forget(writes);
  }

  return { view, record, liveProfile, stage, stageAccount, stageDeletion, settle: forget, discard };
}

