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

/**
 * A profile as every reader sees it: its answers among the custom traits of its record. An answer
 * wins over a custom trait of its key, as it does in the actor (the definition owns its key; a
 * deleted definition's answer stays on as that custom trait).
 */
export function readStoredProfile(
  store: Pick<EngineStore, 'answers'>,
  stored: StoredProfile,
): { readonly state: ProfileState; readonly computeLag: ComputeLag | undefined } {
  const { computeLag, ...record } = stored;
  // Read straight into one copy of the traits: this is every Profile API lookup's path.
  let traits: Record<string, TraitEntry> | undefined;
  for (const { key, value } of store.answers.getRange({ start: [record.id], end: [`${record.id}\u0000`] })) {
    traits ??= { ...record.traits };
    traits[key[1]] = value;
  }
  return { state: traits === undefined ? record : { ...record, traits }, computeLag };
}

/** A profile's record (custom traits only) and its answer rows, by key, as the actor loads them. */
export function loadStoredProfile(
  store: Pick<EngineStore, 'answers'>,
  stored: StoredProfile,
): { readonly record: ProfileState; readonly answers: Array<readonly [key: string, entry: TraitEntry]>; readonly computeLag: ComputeLag | undefined } {
  const { computeLag, ...record } = stored;
  const answers: Array<readonly [string, TraitEntry]> = [];
  for (const { key, value } of store.answers.getRange({ start: [record.id], end: [`${record.id}\u0000`] })) answers.push([key[1], value]);
  return { record, answers, computeLag };
}
