import { computeEntries, type ComputeStates } from '../../actors/compute-states.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { TimerKey } from '../../store/engine-store.ts';

/**
 * A profile's definition timers are ONE durable row and one heap entry, `[earliest due,
 * profileId, 'defs']`, however many definitions are armed: the due times themselves live in the
 * definitions' slots, which are written through whenever one moves (`compute-lag.ts`), so the row
 * only has to wake the profile at the earliest. When it fires, the shard fires each definition
 * whose slot is due. A row per definition (`def:<id>`, still read and fired as before, from data
 * written by older versions) cost a put per armed definition: ~5 of a new profile's ~20 writes
 * with the bench's 70 definitions, and a heap entry each.
 */
export const DEFINITIONS_TIMER_KEY = 'defs';

/** The earliest due time among the profile's definition slots (only those after `after`, when given), if any is armed. */
export function earliestDue(compute: ComputeStates | undefined, after = Number.NEGATIVE_INFINITY): EpochMs | undefined {
  let earliest: EpochMs | undefined;
  if (compute === undefined) return undefined;
  for (const entry of compute.slots) {
    const due = entry?.due;
    if (due !== undefined && due > after && (earliest === undefined || due < earliest)) earliest = due;
  }
  return earliest;
}

/** The profile's definition timer row at `dueAt`. */
export function definitionTimerRow(dueAt: EpochMs, profileId: string): TimerKey {
  return [dueAt, profileId, DEFINITIONS_TIMER_KEY];
}

/** The definitions due at `now` when a profile's row fires: each as its `def:<id>` timer and due time. */
export function dueDefinitions(compute: ComputeStates | undefined, now: EpochMs): Array<{ readonly id: string; readonly due: EpochMs }> {
  return computeEntries(compute)
    .filter((entry) => entry.due !== undefined && entry.due <= now)
    .map((entry) => ({ id: entry.id, due: entry.due! }));
}
