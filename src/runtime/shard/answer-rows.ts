import { answerEntry, movedAnswers, type ComputeStates } from '../../actors/compute-states.ts';
import type { ProfileState, TraitEntry } from '../../actors/profile-state.ts';
import type { ComputeLag } from '../../store/compute-records.ts';
import type { StoredProfile } from '../../store/profile-record.ts';

/** The rows to write for a profile's answers: entries to put by key, keys whose row goes. */
export interface AnswerWrites {
  readonly puts: ReadonlyArray<readonly [key: string, entry: TraitEntry]>;
  readonly removes: readonly string[];
}

const NO_WRITES: AnswerWrites = { puts: [], removes: [] };

/**
 * The answer rows (`store/profile-record.ts`, one per profile and definition key) that turn the
 * answers LMDB holds (`held`: those of the state before the delivery, written through by every
 * commit, or as loaded) into `next`'s. The rows of keys no longer held (a deleted definition's
 * answer, kept on as a custom trait in the record) go.
 */
export function answerWrites(held: ComputeStates | undefined, next: ComputeStates | undefined): AnswerWrites {
  const moved = movedAnswers(held, next);
  if (moved.length === 0) return NO_WRITES;
  const puts: Array<readonly [string, TraitEntry]> = [];
  const removes: string[] = [];
  for (const key of moved) {
    const entry = answerEntry(next, key);
    if (entry === undefined) removes.push(key);
    else puts.push([key, entry]);
  }
  return { puts, removes };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The record of `state`: every field but the definition states and answers (rows of their own),
 * absent ones left out (the in-memory state carries them as undefined), and the lag when the
 * definition states stay behind (set here, not spread on after: a spread of a record of several
 * shapes took ~2 µs an event).
 */
export function storedRecord(state: ProfileState, computeLag: ComputeLag | undefined): StoredProfile {
  const { id, spaceId, collection, version, traits, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom, links } = state;
  const record: Writable<StoredProfile> = { id, spaceId, version, traits, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom };
  if (collection !== undefined) record.collection = collection;
  if (links !== undefined) record.links = links;
  if (computeLag !== undefined) record.computeLag = computeLag;
  return record;
}
