import { computeEntries, heldIndices, movedSlots, sameLayout, slotDue, type ComputeStates } from '../../actors/compute-states.ts';
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
  if (compute === undefined) return undefined;
  return after === Number.NEGATIVE_INFINITY ? earliestOf(compute).due : earliestArmed(compute, after).due;
}

/**
 * The earliest due of `after`, the states a step made from `before`: only the slots the step
 * replaced are read, when `before`'s earliest is known and its slot was not among them. Every
 * delivery asks this of each profile it stepped, and reading all seventy slots' entries (each
 * its own object, far apart in the heap) was 5 % of a delivery's CPU with the bench's seventy.
 */
export function earliestDueAfter(before: ComputeStates | undefined, after: ComputeStates): EpochMs | undefined {
  const known = before === undefined ? undefined : earliest.get(before);
  if (known === undefined || before === undefined || !sameLayout(before, after)) return earliestOf(after).due;
  if (known.rank >= 0 && slotDue(after.slots, known.rank) !== slotDue(before.slots, known.rank)) return earliestOf(after).due;
  let { due, rank } = known;
  for (const changed of movedSlots(before.slots, after.slots).dues) {
    const armed = slotDue(after.slots, changed);
    if (armed !== undefined && (due === undefined || armed < due)) {
      due = armed;
      rank = changed;
    }
  }
  earliest.set(after, { due, rank });
  return due;
}

/** Each states object's earliest due and the slot holding it (-1: none armed). States are immutable. */
const earliest = new WeakMap<ComputeStates, { readonly due: EpochMs | undefined; readonly rank: number }>();

function earliestOf(compute: ComputeStates): { readonly due: EpochMs | undefined; readonly rank: number } {
  const known = earliest.get(compute);
  if (known !== undefined) return known;
  const found = earliestArmed(compute, Number.NEGATIVE_INFINITY);
  earliest.set(compute, found);
  return found;
}

/** The earliest due time after `after` among the armed slots, and the slot holding it (-1: none). */
function earliestArmed(compute: ComputeStates, after: number): { readonly due: EpochMs | undefined; readonly rank: number } {
  let due: EpochMs | undefined;
  let rank = -1;
  for (const index of heldIndices(compute.slots, 1)) {
    const armed = slotDue(compute.slots, index)!;
    if (armed > after && (due === undefined || armed < due)) {
      due = armed;
      rank = index;
    }
  }
  return { due, rank };
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
