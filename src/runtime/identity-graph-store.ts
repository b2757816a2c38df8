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
   * The profile live now for `id`: merges staged since an event was resolved forward it. Only
   * merges decided by this process are followed; committed identity entries never point at a
   * merged-away profile (a merge re-points them in the same transaction).
   */
  liveProfile(id: ProfileId): ProfileId;
  /** Applies a resolution to the overlay at once, so the next event already sees it. */
  stage(spaceId: SpaceId, resolution: Resolved): void;
  /**
   * Maps `group_id:{groupId}` to its account profile the first time the group is seen. Accounts
   * sit outside user resolution (a groupId never matches or merges users), so no graph record.
   */
  stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): void;
  /** Removes a profile from the graph at once: its identifiers resolve to nothing from now on. */
  stageDeletion(spaceId: SpaceId, profileId: ProfileId): void;
  /**
   * Every staged, uncommitted change that the shard of `home` must commit, at its CURRENT value.
   * Read when a delivery is posted, never earlier: a decision made while a request waited (a
   * merge, a deletion) must not be overwritten by the value it replaced. Every delivery for a
   * profile carries that profile's pending changes, so whichever commits first makes them durable
   * together with its event (an event acknowledged through another request's decision cannot
   * outlive it in a crash).
   */
  pendingWritesFor(home: ProfileId): IdentityWrites;
  /** The writes are committed: drop overlay entries that nothing newer has replaced. */
  settle(writes: IdentityWrites): void;
}

function overlayKey(spaceId: string, type: string, value: string): string {
  return `${spaceId}\u0000${type}\u0000${value}`;
}

interface StagedIdentifier {
  readonly key: IdentityKey;
  /** `null` marks a staged removal: it must hide the committed entry until the removal commits. */
  readonly profileId: ProfileId | null;
  readonly home: ProfileId;
}

interface StagedProfile {
  readonly record: StoredGraphProfile | null;
  readonly home: ProfileId;
}

/**
 * The main thread's side of the identity graph: the single writer. Reads go to an overlay of
 * decided-but-uncommitted changes first (an lmdb-js `get` does not see a write that is not yet
 * committed), then to LMDB. Each staged change has a HOME: the live profile whose shard commits
 * it (the profile itself, or the winner that absorbed it).
 */
export function createIdentityGraphStore(store: EngineStore): IdentityGraphStore {
  const stagedIdentifiers = new Map<string, StagedIdentifier>();
  const stagedProfiles = new Map<ProfileId, StagedProfile>();
  const byHome = new Map<ProfileId, { identifiers: Set<string>; profiles: Set<ProfileId> }>();
  /** loser → winner for every merge staged by this process (a handful; merges are rare). */
  const forwards = new Map<ProfileId, ProfileId>();
  /**
   * Committed mappings read before, so a returning visitor costs no LMDB read. Exact, not a
   * guess: every change to a mapping is decided here, and `settle` writes the committed value in.
   * Oldest-inserted entries go first when it is full.
   */
  const committed = new Map<string, ProfileId>();

  function remember(k: string, profileId: ProfileId): void {
    committed.set(k, profileId);
    if (committed.size > COMMITTED_CACHE_SIZE) committed.delete(committed.keys().next().value!);
  }

  function homeOf(home: ProfileId): { identifiers: Set<string>; profiles: Set<ProfileId> } {
    let entry = byHome.get(home);
    if (entry === undefined) {
      entry = { identifiers: new Set(), profiles: new Set() };
      byHome.set(home, entry);
    }
    return entry;
  }

  function setIdentifier(spaceId: string, id: Identifier, profileId: ProfileId | null, home: ProfileId): void {
    const k = overlayKey(spaceId, id.type, id.value);
    const previous = stagedIdentifiers.get(k);
    if (previous !== undefined && previous.home !== home) byHome.get(previous.home)?.identifiers.delete(k);
    stagedIdentifiers.set(k, { key: [spaceId, id.type, id.value], profileId, home });
    homeOf(home).identifiers.add(k);
  }

  function setProfile(id: ProfileId, record: StoredGraphProfile | null, home: ProfileId): void {
    const previous = stagedProfiles.get(id);
    if (previous !== undefined && previous.home !== home) byHome.get(previous.home)?.profiles.delete(id);
    stagedProfiles.set(id, { record, home });
    homeOf(home).profiles.add(id);
  }

  /** A merged-away profile's pending changes now travel with its winner. */
  function moveHome(from: ProfileId, to: ProfileId): void {
    const moved = byHome.get(from);
    if (moved === undefined) return;
    byHome.delete(from);
    for (const k of moved.identifiers) {
      const staged = stagedIdentifiers.get(k);
      if (staged !== undefined) stagedIdentifiers.set(k, { ...staged, home: to });
      homeOf(to).identifiers.add(k);
    }
    for (const id of moved.profiles) {
      const staged = stagedProfiles.get(id);
      if (staged !== undefined) stagedProfiles.set(id, { ...staged, home: to });
      homeOf(to).profiles.add(id);
    }
  }

  function record(profileId: ProfileId): StoredGraphProfile | undefined {
    const staged = stagedProfiles.get(profileId);
    if (staged !== undefined) return staged.record ?? undefined;
    return store.graphProfiles.get(profileId);
  }

  function liveProfile(profileId: ProfileId): ProfileId {
    let current = profileId;
    for (let hop = 0; hop < MAX_FORWARD_HOPS; hop++) {
      const next = forwards.get(current);
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }

  const views = new Map<SpaceId, IdentityGraphView>();

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
        if (staged !== undefined) return staged.profileId === null ? undefined : liveProfile(staged.profileId);
        let found = committed.get(k);
        if (found === undefined) {
          found = store.identity.get([spaceId, id.type, id.value]) as ProfileId | undefined;
          if (found !== undefined) remember(k, found);
        }
        return found === undefined ? undefined : liveProfile(found);
      },
      profile(profileId) {
        const found = record(profileId);
        return found === undefined || found.mergedInto !== undefined ? undefined : found;
      },
    };
  }

  function stage(spaceId: SpaceId, resolution: Resolved): void {
    // The common case, a known visitor with nothing new: no record to read, nothing to write.
    if (!resolution.created && resolution.merges.length === 0 && resolution.addIdentifiers.length === 0) return;
    const winnerId = resolution.profileId;
    let winner: StoredGraphProfile =
      record(winnerId) ?? { id: winnerId, spaceId, createdAt: resolution.at, identifiers: [], mergeCount: 0 };

    for (const { loser } of resolution.merges) {
      const folded = record(loser);
      if (folded === undefined) continue;
      winner = {
        ...winner,
        identifiers: [...winner.identifiers, ...folded.identifiers],
        mergeCount: winner.mergeCount + 1 + folded.mergeCount,
      };
      moveHome(loser, winnerId);
      for (const id of folded.identifiers) setIdentifier(spaceId, id, winnerId, winnerId);
      setProfile(loser, { ...folded, mergedInto: winnerId }, winnerId);
      forwards.set(loser, winnerId);
    }
    if (resolution.addIdentifiers.length > 0) {
      winner = { ...winner, identifiers: [...winner.identifiers, ...resolution.addIdentifiers] };
      for (const id of resolution.addIdentifiers) setIdentifier(spaceId, id, winnerId, winnerId);
    }
    setProfile(winnerId, winner, winnerId);
  }

  function stageAccount(spaceId: SpaceId, groupId: string, accountId: ProfileId): void {
    const staged = stagedIdentifiers.get(overlayKey(spaceId, 'group_id', groupId));
    if (staged?.profileId === accountId || (staged === undefined && store.identity.get([spaceId, 'group_id', groupId]) === accountId)) return;
    setIdentifier(spaceId, { type: 'group_id', value: groupId }, accountId, accountId);
  }

  function stageDeletion(spaceId: SpaceId, profileId: ProfileId): void {
    for (const id of record(profileId)?.identifiers ?? []) setIdentifier(spaceId, id, null, profileId);
    setProfile(profileId, null, profileId);
  }

  function pendingWritesFor(home: ProfileId): IdentityWrites {
    const pending = byHome.get(home);
    if (pending === undefined) return NO_IDENTITY_WRITES;
    const identifiers: Array<{ key: IdentityKey; profileId: ProfileId | null }> = [];
    for (const k of pending.identifiers) {
      const staged = stagedIdentifiers.get(k);
      if (staged !== undefined) identifiers.push({ key: staged.key, profileId: staged.profileId });
    }
    const profiles: StoredGraphProfile[] = [];
    const removedProfiles: ProfileId[] = [];
    for (const id of pending.profiles) {
      const staged = stagedProfiles.get(id);
      if (staged === undefined) continue;
      if (staged.record === null) removedProfiles.push(id);
      else profiles.push(staged.record);
    }
    return { identifiers, profiles, removedProfiles };
  }

  function settle(writes: IdentityWrites): void {
    for (const { key, profileId } of writes.identifiers) {
      const k = overlayKey(key[0], key[1], key[2]);
      const staged = stagedIdentifiers.get(k);
      if (staged === undefined || staged.profileId !== profileId) continue;
      stagedIdentifiers.delete(k);
      if (profileId === null) committed.delete(k);
      else remember(k, profileId);
      dropFromHome(staged.home, (h) => h.identifiers.delete(k));
    }
    const settleProfile = (id: ProfileId, written: StoredGraphProfile | null): void => {
      const staged = stagedProfiles.get(id);
      if (staged === undefined || staged.record !== written) return;
      stagedProfiles.delete(id);
      dropFromHome(staged.home, (h) => h.profiles.delete(id));
    };
    for (const written of writes.profiles) settleProfile(written.id, written);
    for (const removed of writes.removedProfiles ?? []) settleProfile(removed, null);
  }

  function dropFromHome(home: ProfileId, drop: (entry: { identifiers: Set<string>; profiles: Set<ProfileId> }) => void): void {
    const entry = byHome.get(home);
    if (entry === undefined) return;
    drop(entry);
    if (entry.identifiers.size === 0 && entry.profiles.size === 0) byHome.delete(home);
  }

  return { view, record, liveProfile, stage, stageAccount, stageDeletion, pendingWritesFor, settle };
}
