import type { ProfileState } from '../../src/actors/profile-state.ts';
import type { EngineStore } from '../../src/store/engine-store.ts';
import { readStoredProfile } from '../../src/store/profile-record.ts';

/** A profile as LMDB holds it, read as the engine reads it (answers merged into its traits). */
export function storedProfile(store: Pick<EngineStore, 'profiles' | 'answers'>, profileId: string): ProfileState | undefined {
  const stored = store.profiles.get(profileId);
  return stored === undefined ? undefined : readStoredProfile(store, stored).state;
}
