import type { ComputeStates } from './compute-states.ts';
import type { IdentifierRecord } from '../identity/identifier.ts';
import type { EventType } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId, SpaceId } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';

/**
 * A trait with the timestamp of the event that set it. `value: null` is a tombstone: the trait was
 * removed by an identify with `null`, and the tombstone's timestamp keeps an older, late-arriving
 * identify from bringing it back. Tombstones are never shown through the APIs.
 */
export interface TraitEntry {
  readonly value: Json;
  readonly updatedAt: EpochMs;
  readonly sourceId: string;
}

/** Where a profile's first and latest messages came from (Profile API `metadata`). */
export interface MessageOrigin {
  readonly messageId: string;
  readonly sourceId: string;
  readonly receivedAt: EpochMs;
}

/**
 * A link between a user and an account (Segment's `links`), made by a group call. On a user it is
 * keyed by the account's groupId; on an account, by the linked user's identifier (`type:value`),
 * which the reader resolves to the user's live profile.
 */
export interface LinkEntry {
  readonly sourceId: string;
  readonly createdAt: EpochMs;
  readonly messageId: string;
}

export type ProfileCollection = 'users' | 'accounts';

/**
 * The whole state of one profile actor. It is plain data so it round-trips through msgpackr and
 * crosses threads; the actor's logic lives in `step-profile.ts`.
 *
 * Shape: the hot steps (an event, a recompute) build the next state as one literal with every
 * field in this order, optional ones included (undefined when absent), never by spreading: states
 * of mixed shapes made every copy and read of them megamorphic, ~3 µs per event. Stored records
 * leave the absent fields out (`runtime/shard/answer-rows.ts`).
 */
export interface ProfileState {
  readonly id: ProfileId;
  readonly spaceId: SpaceId;
  /** Absent on users (the common case, kept out of every stored state); `accounts` for a group. */
  readonly collection?: 'accounts';
  /** Increases by one per committed step; lets readers and tests tell states apart. */
  readonly version: number;
  readonly traits: Readonly<Record<string, TraitEntry>>;
  readonly identifiers: readonly IdentifierRecord[];
  readonly eventCounts: Readonly<Partial<Record<EventType, number>>>;
  /** Earliest and latest event timestamps seen (event time, not arrival). */
  readonly firstSeenAt: EpochMs;
  readonly lastSeenAt: EpochMs;
  readonly first: MessageOrigin;
  readonly last: MessageOrigin;
  /** Pending timers by key → due time. The durable copy is the runtime's timer index in LMDB. */
  readonly timers: Readonly<Record<string, EpochMs>>;
  /**
   * Profiles folded into this one, transitively. Their events stay stored under their own ids
   * (moving them would rewrite history at merge time); a history read scans this id and these.
   */
  readonly mergedFrom: readonly ProfileId[];
  /** Group links; absent until the first group call. */
  readonly links?: Readonly<Record<string, LinkEntry>>;
  /**
   * Per-definition incremental states. Stored apart from the profile record (one LMDB entry per
   * profile and definition), so a step writes only the definitions it changed.
   */
  readonly compute?: ComputeStates;
}

/**
 * `state` with `changes` applied, built as one literal with every field in the order of
 * `ProfileState` (see its note on shape), never by spreading. Also what a state read from LMDB
 * is turned into: its record leaves absent fields out, and a state of that shape stepped beside
 * the literal-built ones made the backfill's steps megamorphic.
 */
export function profileWith(state: ProfileState, changes: Partial<ProfileState>): ProfileState {
  return {
    id: 'id' in changes ? changes.id! : state.id,
    spaceId: 'spaceId' in changes ? changes.spaceId! : state.spaceId,
    collection: 'collection' in changes ? changes.collection : state.collection,
    version: 'version' in changes ? changes.version! : state.version,
    traits: 'traits' in changes ? changes.traits! : state.traits,
    identifiers: 'identifiers' in changes ? changes.identifiers! : state.identifiers,
    eventCounts: 'eventCounts' in changes ? changes.eventCounts! : state.eventCounts,
    firstSeenAt: 'firstSeenAt' in changes ? changes.firstSeenAt! : state.firstSeenAt,
    lastSeenAt: 'lastSeenAt' in changes ? changes.lastSeenAt! : state.lastSeenAt,
    first: 'first' in changes ? changes.first! : state.first,
    last: 'last' in changes ? changes.last! : state.last,
    timers: 'timers' in changes ? changes.timers! : state.timers,
    mergedFrom: 'mergedFrom' in changes ? changes.mergedFrom! : state.mergedFrom,
    links: 'links' in changes ? changes.links : state.links,
    compute: 'compute' in changes ? changes.compute : state.compute,
  };
}

export function emptyProfile(id: ProfileId, spaceId: SpaceId, origin: MessageOrigin, at: EpochMs, collection: ProfileCollection = 'users'): ProfileState {
  return {
    id,
    spaceId,
    ...(collection === 'accounts' ? { collection } : {}),
    version: 0,
    traits: {},
    identifiers: [],
    eventCounts: {},
    firstSeenAt: at,
    lastSeenAt: at,
    first: origin,
    last: origin,
    timers: {},
    mergedFrom: [],
  };
}

/** The traits a reader sees: tombstones dropped. */
export function visibleTraits(state: ProfileState): Array<[string, TraitEntry]> {
  return Object.entries(state.traits).filter(([, entry]) => entry.value !== null);
}

export function collectionOfProfile(state: ProfileState): ProfileCollection {
  return state.collection ?? 'users';
}
