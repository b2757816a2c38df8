import type { EpochMs } from '../shared/ids.ts';
import type { JsonObject } from '../shared/json.ts';
import { ownValue } from '../shared/own-value.ts';
import type { TraitEntry } from './profile-state.ts';

/**
 * Folds an identify's traits into a profile's traits, key by key: the value with the latest event
 * timestamp wins (a tie goes to the later arrival), so a late identify cannot overwrite a newer
 * value. `null` removes a trait by leaving a timestamped tombstone; `""` is kept as a value.
 * Returns the same object when nothing changed, so callers can skip a write.
 */
export function mergeTraits(
  current: Readonly<Record<string, TraitEntry>>,
  incoming: JsonObject,
  timestamp: EpochMs,
  sourceId: string,
): Readonly<Record<string, TraitEntry>> {
  let next: Record<string, TraitEntry> | undefined;
  for (const key of Object.keys(incoming)) {
    const value = incoming[key];
    if (value === undefined) continue;
    const existing = ownValue(current, key);
    if (existing !== undefined && existing.updatedAt > timestamp) continue;
    next ??= { ...current };
    next[key] = { value, updatedAt: timestamp, sourceId };
  }
  return next ?? current;
}
