import type { ProfileState, TraitEntry } from '../../actors/profile-state.ts';
import type { DefinitionSet } from '../../compute/definition-set.ts';
import type { StoredProfile } from '../../store/profile-record.ts';

/** A set's definition keys, in rank order, and as a set. */
interface AnswerKeys {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

/** The rows to write for a profile's answers: entries to put by key, keys whose row goes. */
export interface AnswerWrites {
  readonly puts: ReadonlyArray<readonly [key: string, entry: TraitEntry]>;
  readonly removes: readonly string[];
}

const NO_WRITES: AnswerWrites = { puts: [], removes: [] };

/**
 * Splits a profile's traits into its record and its answer rows (`store/profile-record.ts`): the
 * answers are the traits keyed by a live definition of the profile's collection. A step's answer
 * rows are those whose entry changed (entries are immutable: identity tells), so an event that
 * moved one computed trait writes one small row. Which definitions' keys a profile's rows were
 * last written under is remembered while it is cached; a profile written under another set (or
 * first written since it was loaded) has all its answers written, so a key that became a
 * definition's is never left only in memory.
 */
export class AnswerRows {
  private readonly writtenUnder = new Map<string, AnswerKeys>();
  private readonly keysBySet = new WeakMap<DefinitionSet, AnswerKeys>();

  /** The record of `state`: every field but the definition states, the traits without the answers. */
  record(state: ProfileState, set: DefinitionSet): StoredProfile {
    const keys = this.keysOf(set);
    const { traits } = state;
    let others: Record<string, TraitEntry> | undefined;
    if (keys.list.length > 0) {
      others = {};
      for (const key in traits) if (Object.hasOwn(traits, key) && !keys.set.has(key)) others[key] = traits[key]!;
    }
    return storedRecord(state, others ?? traits);
  }

  /** The answer rows that turn what LMDB holds for the profile (`before`'s) into `after`'s. */
  writes(before: ProfileState | undefined, after: ProfileState, set: DefinitionSet): AnswerWrites {
    const keys = this.keysOf(set);
    // No definitions, no answers (nothing remembered: the first write under some has them all).
    if (keys.list.length === 0) return NO_WRITES;
    const whole = before === undefined || this.writtenUnder.get(after.id) !== keys;
    this.writtenUnder.set(after.id, keys);
    if (!whole && before.traits === after.traits) return NO_WRITES;
    const puts: Array<readonly [string, TraitEntry]> = [];
    const removes: string[] = [];
    for (const key of keys.list) {
      const next = Object.hasOwn(after.traits, key) ? after.traits[key] : undefined;
      if (whole) {
        if (next !== undefined) puts.push([key, next]);
        continue;
      }
      const previous = Object.hasOwn(before.traits, key) ? before.traits[key] : undefined;
      if (next === previous) continue;
      if (next === undefined) removes.push(key);
      else puts.push([key, next]);
    }
    return { puts, removes };
  }

  /** Forgets a profile that left the cache: its next write writes all its answers. */
  forget(profileId: string): void {
    this.writtenUnder.delete(profileId);
  }

  private keysOf(set: DefinitionSet): AnswerKeys {
    let keys = this.keysBySet.get(set);
    if (keys === undefined) {
      const list = set.ordered.map((definition) => definition.key);
      keys = { list, set: new Set(list) };
      this.keysBySet.set(set, keys);
    }
    return keys;
  }
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The stored fields, absent ones left out (the in-memory state carries them as undefined). */
function storedRecord(state: ProfileState, traits: Readonly<Record<string, TraitEntry>>): StoredProfile {
  const { id, spaceId, collection, version, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom, links } = state;
  const record: Writable<StoredProfile> = { id, spaceId, version, traits, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom };
  if (collection !== undefined) record.collection = collection;
  if (links !== undefined) record.links = links;
  return record;
}
