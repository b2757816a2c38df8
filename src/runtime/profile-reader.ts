import type { Key } from 'lmdb';
import type { ProfileState } from '../actors/profile-state.ts';
import type { Identifier } from '../identity/identifier.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId, SpaceId } from '../shared/ids.ts';
import type { EngineStore } from '../store/engine-store.ts';
import { readStoredProfile } from '../store/profile-record.ts';

/** How a lookup names a profile: by one of its external ids, or by the engine's own profile id. */
export type ProfileLookup =
  | { readonly kind: 'identifier'; readonly identifier: Identifier }
  | { readonly kind: 'profile'; readonly profileId: ProfileId };

/** Where a page of events stopped: the key of the last event returned (unique per profile). */
export interface EventPosition {
  readonly timestamp: EpochMs;
  readonly messageId: string;
}

/** A window over one profile's history: `from ≤ timestamp ≤ to`, strictly past `after` when given. */
export interface EventScan {
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly order: 'asc' | 'desc';
  readonly after?: EventPosition;
}

/**
 * The Profile API's read side. Every read is a synchronous LMDB read on the calling thread: lookups
 * never queue behind ingestion in the shard workers, and LMDB gives them a committed snapshot.
 */
export interface ProfileReader {
  /** The profile a lookup names in a space; undefined when there is none (or it is another space's). */
  findProfile(spaceId: SpaceId, lookup: ProfileLookup): ProfileState | undefined;
  /**
   * A profile's events in the window (its own and those of profiles merged into it), in key order
   * (timestamp, then messageId), reversed for `desc`. Lazy: it walks LMDB ranges as it is
   * iterated, so a caller that stops early never reads the rest of the history.
   */
  events(profile: ProfileState, scan: EventScan): Iterable<TrackedEvent>;
}

export function createProfileReader(store: Pick<EngineStore, 'identity' | 'profiles' | 'events' | 'answers'>): ProfileReader {
  function findProfile(spaceId: SpaceId, lookup: ProfileLookup): ProfileState | undefined {
    const profileId =
      lookup.kind === 'identifier'
        ? store.identity.get([spaceId, lookup.identifier.type, lookup.identifier.value])
        : lookup.profileId;
    if (profileId === undefined) return undefined;
    const stored = store.profiles.get(profileId);
    // Profile ids are global; a space must never see another space's profile through one.
    return stored !== undefined && stored.spaceId === spaceId ? readStoredProfile(store, stored).state : undefined;
  }

  /**
   * A merged profile's history is its own events plus those still stored under every profile
   * folded into it (`mergedFrom`: events are not moved at merge time). Each id is one lazy LMDB
   * range; with several, they are merged on (timestamp, messageId), the same order LMDB keeps
   * within one range, so a cursor means the same thing whichever range its event came from.
   */
  function* events(profile: ProfileState, scan: EventScan): Generator<TrackedEvent> {
    if (scan.from > scan.to) return;
    // `?? []`: states committed before merges existed have no `mergedFrom`.
    const ids = [profile.id, ...(profile.mergedFrom ?? [])];
    if (ids.length === 1) {
      yield* scanOne(profile.id, scan);
      return;
    }
    const sign = scan.order === 'asc' ? 1 : -1;
    const heads = ids.map((id) => {
      const iterator = scanOne(id, scan);
      return { iterator, event: iterator.next().value };
    });
    try {
      for (;;) {
        let best: (typeof heads)[number] | undefined;
        let bestEvent: TrackedEvent | undefined;
        for (const head of heads) {
          if (head.event === undefined) continue;
          if (bestEvent === undefined || sign * compareEvents(head.event, bestEvent) < 0) {
            best = head;
            bestEvent = head.event;
          }
        }
        if (best === undefined || bestEvent === undefined) return;
        yield bestEvent;
        best.event = best.iterator.next().value;
      }
    } finally {
      // Stopping early (a full page) must close every open LMDB cursor, not just the last one read.
      for (const head of heads) head.iterator.return(undefined);
    }
  }

  function* scanOne(profileId: ProfileId, scan: EventScan): Generator<TrackedEvent, undefined> {
    // Bounds in LMDB key order. A [profileId, t] key sorts before every [profileId, t, messageId]
    // key, so [profileId, t] is a lower bound for time t that no stored key equals. The upper
    // bound is the next whole millisecond; the exact window is applied below, so an odd
    // fractional timestamp cannot slip through either edge.
    const low: Key = [profileId, scan.from];
    const high: Key = [profileId, Math.floor(scan.to) + 1];
    const { after } = scan;
    // Forward ranges are [start, end); reverse ranges are (end, start] walked downwards. Resuming
    // starts AT the cursor's key (inclusive) and skips it below, so events sharing a timestamp
    // are neither skipped nor repeated. A cursor outside the window falls back to its edge.
    let range: { start: Key; end: Key; reverse?: boolean };
    if (scan.order === 'asc') {
      const resume = after !== undefined && after.timestamp >= scan.from;
      range = { start: resume ? [profileId, after.timestamp, after.messageId] : low, end: high };
    } else {
      const resume = after !== undefined && after.timestamp <= scan.to;
      range = { start: resume ? [profileId, after.timestamp, after.messageId] : high, end: low, reverse: true };
    }
    for (const { value } of store.events.getRange(range)) {
      if (after !== undefined && value.timestamp === after.timestamp && value.messageId === after.messageId) continue;
      if (value.timestamp < scan.from || value.timestamp > scan.to) continue;
      yield value;
    }
    return undefined;
  }

  return { findProfile, events };
}

/** LMDB's key order for events: timestamp, then messageId as UTF-8 bytes (ordered-binary). */
function compareEvents(a: TrackedEvent, b: TrackedEvent): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return Buffer.compare(Buffer.from(a.messageId, 'utf8'), Buffer.from(b.messageId, 'utf8'));
}
