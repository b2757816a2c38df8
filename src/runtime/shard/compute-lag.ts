import { entryAt, heldIndices, heldStates, movedSlots, sameLayout, slotDue, slotPositions, slotState, withSlots, writeState, type ComputeStates, type DefinitionStateEntry } from '../../actors/compute-states.ts';
import { ownSlots } from '../../compute/chunked-slots.ts';
import type { CompiledDefinition, DefinitionSet } from '../../compute/definition-set.ts';
import { occurrenceName } from '../../compute/occurrence.ts';
import type { TrackedEvent } from '../../ingest/tracked-event.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { ComputeLag } from '../../store/compute-records.ts';

/**
 * Definition states are written behind. An ordinary event usually changes only the evaluator
 * states of the definitions it touches (an occurrence added, a sum moved), and re-encoding those
 * states on every event was most of the commit's cost. Such a step writes no state: its stored
 * event carries the profile version its step made, the profile record (written on every such
 * step anyway; the answers are rows written through beside it) says from which version the
 * states lag, and a load replays those events into the written states. Anything else (a state
 * created, a revision or an armed timer changed, a change of definitions' layout, a merge, a
 * backfill, a spent timer) writes the states out at once, and so does every `LAG_LIMIT`-th
 * lagged event, which bounds a replay.
 *
 * Why a replay under the definitions live at load time is exact: a lagged event changed only
 * states that existed, under their revision; a replay observes an event only into such states
 * (same id, same revision), with the definitions indexed under its name, which are the ones its
 * step observed it with. A definition that was not live during the lag has no such state: the
 * step that first ran under a set without it changed the layout, so it wrote the states out, and
 * the write removed its state.
 */
export const LAG_LIMIT = 64;

/** The lag after one more lagged event. */
export function extendLag(lag: ComputeLag | undefined, since: number, event: TrackedEvent): ComputeLag {
  if (lag === undefined) return { since, count: 1, from: event.timestamp };
  return { since: lag.since, count: lag.count + 1, from: Math.min(lag.from, event.timestamp) };
}

/**
 * True when `after` differs from `before` only in evaluator states of entries that already
 * existed, with the same revision and the same armed timer: exactly what replaying the event
 * through `observe` rebuilds.
 */
export function isStateOnlyChange(before: ComputeStates | undefined, after: ComputeStates | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  // One layout: the same definitions, ids and revisions at every slot.
  if (!sameLayout(before, after)) return false;
  const moved = movedSlots(before.slots, after.slots);
  if (moved.dues.length > 0) return false;
  for (const index of moved.states) {
    if (slotState(after.slots, index) === undefined || slotState(before.slots, index) === undefined) return false;
  }
  return true;
}

/**
 * Rebuilds the states a profile had in memory: the written states, with the lagged events (in
 * step order) observed again, then pruned at `now`. Observing later than the step did and pruning
 * once gives the same answers at `now` and after, as the evaluators' property test holds them to
 * any observation instant. The states keep the layout they were loaded in (entries are found by
 * id): aligning here would drop the answers of deleted definitions, which the profile's next step
 * keeps as custom traits when it aligns them.
 */
export function replayLag(written: ComputeStates | undefined, events: readonly TrackedEvent[], set: DefinitionSet, now: EpochMs): ComputeStates | undefined {
  if (written === undefined) return undefined;
  const base = written.slots;
  const slots = ownSlots(base);
  const indexOf = new Map<string, number>();
  for (const [index] of heldStates(base)) indexOf.set(written.ids[index]!, index);
  const touched = new Map<number, CompiledDefinition>();
  for (const event of events) {
    const name = occurrenceName(event);
    if (name === undefined) continue;
    for (const definition of set.byEvent.get(name) ?? []) {
      const index = indexOf.get(definition.id);
      // Not a state the lagged steps changed (see above): the written one stands.
      if (index === undefined || written.revisions[index] !== definition.revision) continue;
      writeState(base, slots, index, definition.evaluator.observe(slotState(slots, index)!, event, now));
      touched.set(index, definition);
    }
  }
  for (const [index, definition] of touched) writeState(base, slots, index, definition.evaluator.prune(slotState(slots, index)!, now));
  return withSlots(written, slots);
}

/** The writes that turn the states LMDB holds into `next`: entries to put, definition ids to remove. */
export function computeWrites(stored: ComputeStates | undefined, next: ComputeStates | undefined): { puts: DefinitionStateEntry[]; removes: string[] } {
  const puts: DefinitionStateEntry[] = [];
  if (next === stored) return { puts, removes: [] };
  if (next !== undefined && stored !== undefined && sameLayout(next, stored)) {
    // Same layout: the chunks the steps copied, slot by slot, so only the definitions that moved are written.
    const { states, dues } = movedSlots(stored.slots, next.slots);
    for (const rank of new Set([...states, ...dues])) {
      const entry = entryAt(next, rank);
      if (entry !== undefined) puts.push(entry);
    }
    return { puts, removes: [] };
  }
  // Across layouts by id; an entry whose row would read the same is not written again.
  if (next !== undefined) {
    const was = stored === undefined ? undefined : slotPositions(stored, next);
    for (const index of heldIndices(next.slots, 0)) {
      const position = was === undefined ? -1 : was[index]!;
      // The same row when the same id holds the same revision, state object and due time (states are immutable).
      const same =
        position >= 0 &&
        stored!.revisions[position] === next.revisions[index] &&
        slotState(stored!.slots, position) === slotState(next.slots, index) &&
        slotDue(stored!.slots, position) === slotDue(next.slots, index);
      if (!same) puts.push(entryAt(next, index)!);
    }
  }
  const removes: string[] = [];
  if (stored !== undefined) {
    const now = next === undefined ? undefined : slotPositions(next, stored);
    for (const index of heldIndices(stored.slots, 0)) {
      if (now === undefined || now[index]! < 0 || slotState(next!.slots, now[index]!) === undefined) removes.push(stored.ids[index]!);
    }
  }
  return { puts, removes };
}
