import type { ProfileState, TraitEntry } from '../../actors/profile-state.ts';
import type { DefinitionSet } from '../../compute/definition-set.ts';
import type { ComputeLag } from '../../store/compute-records.ts';
import type { StoredProfile } from '../../store/profile-record.ts';
import { ANY_TRAIT, type TraitChanges } from './trait-changes.ts';

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

/** A profile's traits as LMDB last held them, and the keys a delivery may have changed since. */
export interface TraitsSince {
  readonly traits: Readonly<Record<string, TraitEntry>>;
  readonly changes: TraitChanges;
}

/** The traits a record keeps (every trait but the answers): of which traits, split under which keys. */
interface RecordTraits {
  readonly traits: Readonly<Record<string, TraitEntry>>;
  readonly keys: AnswerKeys;
  readonly others: Readonly<Record<string, TraitEntry>>;
}

/**
 * Splits a profile's traits into its record and its answer rows (`store/profile-record.ts`): the
 * answers are the traits keyed by a live definition of the profile's collection. A step's answer
 * rows are those whose entry changed (entries are immutable: identity tells), so an event that
 * moved one computed trait writes one small row. Which definitions' keys a profile's rows were
 * last written under is remembered while it is cached. A profile first written since it was
 * loaded has all its answers written; one written under another set has the answers of its keys
 * that became a definition's written (LMDB held them in its record, if anywhere), so such a key is
 * never left only in memory. A set that merely gained a definition (a backfill) thus writes only
 * that definition's answer, not every answer of every profile again.
 */
export class AnswerRows {
  private readonly writtenUnder = new Map<string, AnswerKeys>();
  private readonly keysBySet = new WeakMap<DefinitionSet, AnswerKeys>();
  /**
   * Each cached profile's last record traits. Traits objects are immutable, so identity tells
   * which traits they were made of. Kept by profile (forgotten with it), one entry each, rather
   * than in a WeakMap by traits object, whose ~10,000 live entries every collection must trace.
   */
  private readonly recordTraits = new Map<string, RecordTraits>();

  /**
   * The record of `state`: every field but the definition states, the traits without the answers.
   * `since` (what LMDB held, and the keys changed since) lets the split start from the last one
   * instead of every trait: a profile holds ~70 answers, and most events change none of its others.
   */
  record(state: ProfileState, set: DefinitionSet, since?: TraitsSince, computeLag?: ComputeLag): StoredProfile {
    const keys = this.keysOf(set);
    return storedRecord(state, keys.list.length === 0 ? state.traits : this.othersOf(state.id, state.traits, keys, since), computeLag);
  }

  private othersOf(profileId: string, traits: Readonly<Record<string, TraitEntry>>, keys: AnswerKeys, since: TraitsSince | undefined): Readonly<Record<string, TraitEntry>> {
    const last = this.recordTraits.get(profileId);
    if (last?.traits === traits && last.keys === keys) return last.others;
    const base = last !== undefined && last.keys === keys && last.traits === since?.traits ? last : undefined;
    let others: Record<string, TraitEntry> | undefined;
    if (base !== undefined && since !== undefined && since.changes !== ANY_TRAIT) {
      // Only a changed key outside the answers can make these traits differ from the base's.
      for (const key of since.changes) {
        if (keys.set.has(key)) continue;
        others ??= { ...base.others };
        if (Object.hasOwn(traits, key)) others[key] = traits[key]!;
        else delete others[key];
      }
      others ??= base.others;
    } else {
      others = {};
      for (const key in traits) if (Object.hasOwn(traits, key) && !keys.set.has(key)) others[key] = traits[key]!;
    }
    this.recordTraits.set(profileId, { traits, keys, others });
    return others;
  }

  /**
   * True when the record `after` makes under `set` is the one LMDB holds for `before`, as far as
   * traits go: the same traits outside the answers (those of the keys `before` was written under,
   * and of `set`'s keys now). Call before `writes`, which moves what is remembered. `changes`
   * (the keys changed since `before`), when known, spares the scan of every trait.
   */
  sameRecordTraits(before: ProfileState, after: ProfileState, set: DefinitionSet, changes: TraitChanges = ANY_TRAIT): boolean {
    const previous = this.writtenUnder.get(after.id);
    const keys = this.keysOf(set);
    // Not written since it was loaded (or no definitions): the record holds `before`'s traits
    // less some answers; the same traits object makes the same record.
    if (previous === undefined) return before.traits === after.traits;
    if (before.traits === after.traits && previous === keys) return true;
    if (previous === keys && changes !== ANY_TRAIT) {
      // Under the same keys, only a changed key outside the answers changes the record.
      for (const key of changes) if (!keys.set.has(key)) return false;
      return true;
    }
    const held = before.traits;
    const next = after.traits;
    for (const key in held) {
      if (!Object.hasOwn(held, key) || previous.set.has(key)) continue;
      if (keys.set.has(key) || !Object.hasOwn(next, key) || next[key] !== held[key]) return false;
    }
    for (const key in next) {
      if (!Object.hasOwn(next, key) || keys.set.has(key)) continue;
      if (!Object.hasOwn(held, key) || previous.set.has(key)) return false;
    }
    return true;
  }

  /**
   * The answer rows that turn what LMDB holds for the profile (`before`'s) into `after`'s.
   * `changes` (the keys changed since `before`) narrows the keys looked at, when known.
   */
  writes(before: ProfileState | undefined, after: ProfileState, set: DefinitionSet, changes: TraitChanges = ANY_TRAIT): AnswerWrites {
    const keys = this.keysOf(set);
    // No definitions, no answers (nothing remembered: the first write under some has them all).
    if (keys.list.length === 0) return NO_WRITES;
    const previous = before === undefined ? undefined : this.writtenUnder.get(after.id);
    const whole = previous === undefined;
    this.writtenUnder.set(after.id, keys);
    if (!whole && previous === keys && before!.traits === after.traits) return NO_WRITES;
    const puts: Array<readonly [string, TraitEntry]> = [];
    const removes: string[] = [];
    const candidates = !whole && previous === keys && changes !== ANY_TRAIT ? changes : keys.list;
    for (const key of candidates) {
      if (!keys.set.has(key)) continue;
      const next = Object.hasOwn(after.traits, key) ? after.traits[key] : undefined;
      // Every answer of a profile first written since its load; under a changed set, those of
      // the keys that were not answers before (LMDB held them in the record, if anywhere).
      if (whole || !previous.set.has(key)) {
        if (next !== undefined) puts.push([key, next]);
        continue;
      }
      const held = Object.hasOwn(before!.traits, key) ? before!.traits[key] : undefined;
      if (next === held) continue;
      if (next === undefined) removes.push(key);
      else puts.push([key, next]);
    }
    return { puts, removes };
  }

  /** Forgets a profile that left the cache: its next write writes all its answers. */
  forget(profileId: string): void {
    this.writtenUnder.delete(profileId);
    this.recordTraits.delete(profileId);
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

/**
 * The stored fields, absent ones left out (the in-memory state carries them as undefined), and
 * the lag when the definition states stay behind (set here, not spread on after: a spread of a
 * record of several shapes took ~2 µs an event).
 */
function storedRecord(state: ProfileState, traits: Readonly<Record<string, TraitEntry>>, computeLag: ComputeLag | undefined): StoredProfile {
  const { id, spaceId, collection, version, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom, links } = state;
  const record: Writable<StoredProfile> = { id, spaceId, version, traits, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom };
  if (collection !== undefined) record.collection = collection;
  if (links !== undefined) record.links = links;
  if (computeLag !== undefined) record.computeLag = computeLag;
  return record;
}
