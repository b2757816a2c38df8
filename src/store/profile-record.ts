import type { ProfileState, TraitEntry } from '../actors/profile-state.ts';
import type { ComputeLag } from './compute-records.ts';
import type { EngineStore } from './engine-store.ts';

/**
 * A profile as stored in `profiles`: its state without the definition states (rows of `compute`)
 * and without the answers of its definitions (rows of `answers`, one per audience or computed
 * trait key). A profile has an answer per live definition and every step rewrites its record:
 * with seventy answers in it, the record cost ~60 µs to encode and ~1.5 KB to write per event,
 * where a step changes one or two answers. While its definition states are written behind, the
 * record also says which of its events lag (`computeLag`).
 */
export type StoredProfile = Omit<ProfileState, 'compute'> & { readonly computeLag?: ComputeLag };

/** A profile's traits as every reader sees them: its answers, under the traits of its record. */
export function readStoredProfile(
  store: Pick<EngineStore, 'answers'>,
  stored: StoredProfile,
): { readonly state: ProfileState; readonly computeLag: ComputeLag | undefined } {
  const { computeLag, ...record } = stored;
  let traits: Record<string, TraitEntry> | undefined;
  for (const { key, value } of store.answers.getRange({ start: [record.id], end: [`${record.id}\u0000`] })) {
    // The record wins: a key whose definition is gone lives on as an ordinary trait there.
    if (Object.hasOwn(record.traits, key[1])) continue;
    traits ??= { ...record.traits };
    traits[key[1]] = value;
  }
  return { state: traits === undefined ? record : { ...record, traits }, computeLag };
}
