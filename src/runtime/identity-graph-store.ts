import type { IdentityGraphView } from '../identity/identity-graph.ts';
import type { Identifier } from '../identity/identifier.ts';
import type { Resolved } from '../identity/resolution.ts';
import type { ProfileId, SpaceId } from '../shared/ids.ts';
import type { EngineStore, IdentityKey } from '../store/engine-store.ts';
import { NO_IDENTITY_WRITES, type IdentityWrites, type StoredGraphProfile } from '../store/identity-records.ts';

/** A bound on forward-pointer chains, far above the 100-merge cap, so a corrupt loop cannot hang. */
const MAX_FORWARD_HOPS = 1000;

/** Committed identifier → profile mappings kept in memory: ~100 bytes each, so ~50 MB at most. */
const COMMITTED_CACHE_SIZE = 500_000;

export interface IdentityGraphStore {
  /** The graph of one space as the resolver reads it: committed state plus staged changes. */
  view(spaceId: SpaceId): IdentityGraphView;
  /** A profile's record, staged or committed, merged-away ones included. */
  record(profileId: ProfileId): StoredGraphProfile | undefined;
  /**
   * The profile live now for `id`, following merges: staged ones, then the durable `mergedInto`
   * of graph records, so an old profile id still finds its profile after a restart.
   */
  liveProfile(id: ProfileId): ProfileId;
  /**
   * Applies a resolution to the overlay at once (so the next event already sees it) and returns
   * the writes that commit it, to travel with the event to the winner's shard.
   */
  stage(spaceId: SpaceId, resolution: Resolved): IdentityWrites;
  /**
   * Maps `group_id:{groupId}` to its account profile the first time the group is seen. Accounts
   * sit outside user resolution (a groupId never matches or merges users), so no graph record.
   */
  stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): IdentityWrites;
  /** Removes a profile from the graph at once: its identifiers resolve to nothing from now on. */
  stageDeletion(spaceId: SpaceId, profileId: ProfileId): IdentityWrites;
  /** The same for an account: `group_id:{groupId}` resolves to nothing until a group call names it again. */
  stageAccountDeletion(spaceId: SpaceId, groupId: string): IdentityWrites;
  /** The writes are committed: drop overlay entries that nothing newer has replaced. */
  settle(writes: IdentityWrites): void;
  /**
   * The writes failed to commit (an LMDB error): forget them, so the overlay does not claim what
   * LMDB lacks; the client's retry decides again.
   */
  discard(writes: IdentityWrites): void;
  /** Sizes of the in-memory structures, which must stay bounded over a long life (tests, metrics). */
  sizes(): { readonly stagedIdentifiers: number; readonly stagedProfiles: number; readonly committedCache: number };
}

function overlayKey(spaceId: string, type: string, value: string): string {
  return `${spaceId}\u0000${type}\u0000${value}`;
}

/**
 * The main thread's side of the identity graph: the single writer. Reads go to an overlay of
 * decided-but-uncommitted changes first (an lmdb-js `get` does not see a write that is not yet
 * committed), then to an exact cache of committed mappings, then to LMDB. The dispatch sequencer
 * makes the shards commit these decisions in the order they were made.
 */
export function createIdentityGraphStore(store: EngineStore): IdentityGraphStore {
  // `null` marks a staged removal: it must hide the committed entry until the removal commits.
  const stagedIdentifiers = new Map<string, ProfileId | null>();
  const stagedProfiles = new Map<ProfileId, StoredGraphProfile | null>();
  /**
   * Committed mappings read before, so a returning visitor costs no LMDB read. Exact, not a
   * guess: every change to a mapping is decided here, and `settle` writes the committed value in.
   * Oldest-inserted entries go first when it is full.
   */
  const committed = new Map<string, ProfileId>();
  const views = new Map<SpaceId, IdentityGraphView>();

  function remember(k: string, profileId: ProfileId): void {
    committed.set(k, profileId);
    if (committed.size > COMMITTED_CACHE_SIZE) committed.delete(committed.keys().next().value!);
  }

  function record(profileId: ProfileId): StoredGraphProfile | undefined {
    const staged = stagedProfiles.get(profileId);
    if (staged !== undefined) return staged ?? undefined;
    return store.graphProfiles.get(profileId);
  }

  /**
   * Follows merges from `profileId`. No in-memory forward map: it grew by one entry per merge,
   * forever. A staged loser's record carries `mergedInto` until the merge commits, and the
   * committed record carries it from then on, so the chain is always there to follow.
   * `persisted: false` follows staged merges only: identity entries, staged or committed, never
   * point at a merged-away profile (a merge re-points them all, in the overlay at once and in
   * LMDB in the absorb's transaction), so the hot path needs no LMDB read for this.
   */
  function follow(profileId: ProfileId, persisted: boolean): ProfileId {
    let current = profileId;
    for (let hop = 0; hop < MAX_FORWARD_HOPS; hop++) {
      const staged = stagedProfiles.get(current);
      const next = staged !== undefined ? staged?.mergedInto : persisted ? store.graphProfiles.get(current)?.mergedInto : undefined;
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }

  function liveProfile(profileId: ProfileId): ProfileId {
    return follow(profileId, true);
  }

  function view(spaceId: SpaceId): IdentityGraphView {
    let existing = views.get(spaceId);
    if (existing === undefined) {
      existing = createView(spaceId);
      views.set(spaceId, existing);
    }
    return existing;
  }

  function createView(spaceId: SpaceId): IdentityGraphView {
    return {
      profileOf(id: Identifier) {
        const k = overlayKey(spaceId, id.type, id.value);
        const staged = stagedIdentifiers.get(k);
        if (staged !== undefined) return staged === null ? undefined : follow(staged, false);
        let found = committed.get(k);
        if (found === undefined) {
          found = store.identity.get([spaceId, id.type, id.value]) as ProfileId | undefined;
          if (found !== undefined) remember(k, found);
        }
        return found === undefined ? undefined : follow(found, false);
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
    const identifiers: Array<{ key: IdentityKey; profileId: ProfileId | null }> = [];
    const profiles: StoredGraphProfile[] = [];
    const winnerId = resolution.profileId;
    // A profile the resolution just created has no record to read (most of a new visitor's cost).
    let winner: StoredGraphProfile =
      (resolution.created ? undefined : record(winnerId)) ?? { id: winnerId, spaceId, createdAt: resolution.at, identifiers: [], mergeCount: 0 };

    for (const { loser } of resolution.merges) {
      const folded = record(loser);
      if (folded === undefined) continue;
      winner = {
        ...winner,
        identifiers: [...winner.identifiers, ...folded.identifiers],
        mergeCount: winner.mergeCount + 1 + folded.mergeCount,
      };
      for (const id of folded.identifiers) point(spaceId, id, winnerId, identifiers);
      const forwarded: StoredGraphProfile = { ...folded, mergedInto: winnerId };
      stagedProfiles.set(loser, forwarded);
      profiles.push(forwarded);
    }
    if (resolution.addIdentifiers.length > 0) {
      winner = { ...winner, identifiers: [...winner.identifiers, ...resolution.addIdentifiers] };
      for (const id of resolution.addIdentifiers) point(spaceId, id, winnerId, identifiers);
    }
    stagedProfiles.set(winnerId, winner);
    profiles.push(winner);
    return { identifiers, profiles };
  }

  /** Stages `id` → `winnerId` in the overlay and adds its write (a function, not a closure per call: tsx names each closure it creates). */
  function point(spaceId: SpaceId, id: Identifier, winnerId: ProfileId, identifiers: Array<{ key: IdentityKey; profileId: ProfileId | null }>): void {
    stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), winnerId);
    identifiers.push({ key: [spaceId, id.type, id.value], profileId: winnerId });
  }

  function stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): IdentityWrites {
    const k = overlayKey(spaceId, 'group_id', groupId);
    const staged = stagedIdentifiers.get(k);
    if (staged === accountId || (staged === undefined && store.identity.get([spaceId, 'group_id', groupId]) === accountId)) return NO_IDENTITY_WRITES;
    stagedIdentifiers.set(k, accountId);
    return { identifiers: [{ key: [spaceId, 'group_id', groupId], profileId: accountId }], profiles: [] };
  }

  function stageDeletion(spaceId: SpaceId, profileId: ProfileId): IdentityWrites {
    const identifiers = (record(profileId)?.identifiers ?? []).map((id) => {
      stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), null);
      return { key: [spaceId, id.type, id.value] as IdentityKey, profileId: null };
    });
    stagedProfiles.set(profileId, null);
    return { identifiers, profiles: [], removedProfiles: [profileId] };
  }

  function stageAccountDeletion(spaceId: SpaceId, groupId: string): IdentityWrites {
    stagedIdentifiers.set(overlayKey(spaceId, 'group_id', groupId), null);
    return { identifiers: [{ key: [spaceId, 'group_id', groupId], profileId: null }], profiles: [] };
  }

  function settle(writes: IdentityWrites, committedNow = true): void {
    for (const { key, profileId } of writes.identifiers) {
      const k = overlayKey(key[0], key[1], key[2]);
      if (stagedIdentifiers.get(k) !== profileId) continue;
      stagedIdentifiers.delete(k);
      if (!committedNow) continue;
      if (profileId === null) committed.delete(k);
      else remember(k, profileId);
    }
    for (const written of writes.profiles) {
      if (stagedProfiles.get(written.id) === written) stagedProfiles.delete(written.id);
    }
    for (const removed of writes.removedProfiles ?? []) {
      if (stagedProfiles.get(removed) === null) stagedProfiles.delete(removed);
    }
  }

  function discard(writes: IdentityWrites): void {
    settle(writes, false);
  }

  return {
    view,
    record,
    liveProfile,
    stage,
    stageAccount,
    stageDeletion,
    stageAccountDeletion,
    settle: (writes) => settle(writes),
    discard,
    sizes: () => ({ stagedIdentifiers: stagedIdentifiers.size, stagedProfiles: stagedProfiles.size, committedCache: committed.size }),
  };
}
