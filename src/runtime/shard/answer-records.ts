import type { ProfileState, TraitEntry } from '../../actors/profile-state.ts';
import type { DefinitionSet } from '../../compute/definition-set.ts';
import { encodeAnswer, type StoredProfile } from '../../store/profile-record.ts';

/** A set's definition keys, in rank order, and as a set. */
interface AnswerKeys {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

/** The answers last written for a profile: the entries (by identity) and their bytes. */
interface Written {
  readonly keys: AnswerKeys;
  readonly entries: ReadonlyArray<TraitEntry | undefined>;
  readonly bytes: Uint8Array;
}

/**
 * Builds stored profile records (`store/profile-record.ts`), keeping each answer's encoded bytes
 * with its entry (entries are immutable: an unchanged answer is the same object from step to step),
 * so a record re-encodes only the answers that changed since the profile's last write.
 */
export class AnswerRecords {
  private readonly chunks = new WeakMap<TraitEntry, { readonly key: string; readonly bytes: Uint8Array }>();
  private readonly written = new Map<string, Written>();
  private readonly keysBySet = new WeakMap<DefinitionSet, AnswerKeys>();

  /** The record of `state` (definition states aside) under `set`, the definitions of its collection. */
  record(state: ProfileState, set: DefinitionSet): StoredProfile {
    const { traits } = state;
    const keys = this.keysOf(set);
    if (keys.list.length === 0) return storedRecord(state, traits, undefined);
    const entries = keys.list.map((key) => (Object.hasOwn(traits, key) ? traits[key] : undefined));
    const answers = this.bytesOf(state.id, keys, entries);
    const others: Record<string, TraitEntry> = {};
    for (const key in traits) if (!keys.set.has(key) && Object.hasOwn(traits, key)) others[key] = traits[key]!;
    return storedRecord(state, others, answers);
  }

  /** Forgets what was written for a profile that left the cache. */
  forget(profileId: string): void {
    this.written.delete(profileId);
  }

  private bytesOf(profileId: string, keys: AnswerKeys, entries: ReadonlyArray<TraitEntry | undefined>): Uint8Array | undefined {
    const previous = this.written.get(profileId);
    if (previous !== undefined && previous.keys === keys && entries.every((entry, i) => entry === previous.entries[i])) return previous.bytes;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === undefined) continue;
      const key = keys.list[i]!;
      let chunk = this.chunks.get(entry);
      if (chunk?.key !== key) {
        chunk = { key, bytes: encodeAnswer(key, entry) };
        this.chunks.set(entry, chunk);
      }
      parts.push(chunk.bytes);
    }
    if (parts.length === 0) return undefined;
    const bytes = Buffer.concat(parts);
    this.written.set(profileId, { keys, entries, bytes });
    return bytes;
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

/** The stored fields, absent ones left out (the in-memory state carries them as undefined). */
function storedRecord(state: ProfileState, traits: Readonly<Record<string, TraitEntry>>, answers: Uint8Array | undefined): StoredProfile {
  const { id, spaceId, collection, version, identifiers, eventCounts, firstSeenAt, lastSeenAt, first, last, timers, mergedFrom, links } = state;
  return {
    id,
    spaceId,
    ...(collection === undefined ? {} : { collection }),
    version,
    traits,
    identifiers,
    eventCounts,
    firstSeenAt,
    lastSeenAt,
    first,
    last,
    timers,
    mergedFrom,
    ...(links === undefined ? {} : { links }),
    ...(answers === undefined ? {} : { answers }),
  };
}
