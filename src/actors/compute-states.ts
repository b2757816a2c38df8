import type { DefinitionSet } from '../compute/definition-set.ts';
import type { EvaluatorState } from '../compute/definition-evaluator.ts';

/** One definition's state on a profile, tagged with the definition and the revision that made it. */
export interface DefinitionStateEntry {
  readonly id: string;
  readonly revision: number;
  readonly state: EvaluatorState;
  /** When the definition's timer is armed (its durable row is `[due, profileId, def:id]`). */
  readonly due?: number;
}

/**
 * A slot's entry, always built here in one of its two literal shapes (armed or not), never by
 * spreading another entry: entries of one shape keep the step's reads of them monomorphic, and a
 * spread that drops `due` leaves the key behind as another shape.
 */
export function definitionStateEntry(id: string, revision: number, state: EvaluatorState, due?: number): DefinitionStateEntry {
  return due === undefined ? { id, revision, state } : { id, revision, state, due };
}

/**
 * A profile's definition states as slots aligned with a definition set: slot `i` belongs to the
 * definition of rank `i` in the set whose `layout` this is. A step copies the slot array (a cheap
 * slice) instead of a keyed object of up to a hundred entries, which measured 30+ µs per copy.
 * States read from LMDB, or made under other definitions, have another layout and are
 * re-aligned by id on their first step.
 */
export interface ComputeStates {
  readonly layout: number;
  readonly slots: ReadonlyArray<DefinitionStateEntry | undefined>;
}

/** The layout of states not yet aligned with any definition set (as loaded). */
export const UNALIGNED = -1;

export function computeEntries(compute: ComputeStates | undefined): DefinitionStateEntry[] {
  if (compute === undefined) return [];
  return compute.slots.filter((entry): entry is DefinitionStateEntry => entry !== undefined);
}

/**
 * The states aligned with `set`: the same object when already aligned; otherwise re-slotted by
 * id, dropping states of definitions that are no longer live (entries keep their identity, so
 * the runtime writes nothing for them).
 */
export function alignComputeStates(compute: ComputeStates | undefined, set: DefinitionSet): ComputeStates {
  if (compute !== undefined && compute.layout === set.layout && compute.slots.length === set.ordered.length) return compute;
  const slots = new Array<DefinitionStateEntry | undefined>(set.ordered.length);
  for (const entry of computeEntries(compute)) {
    const definition = set.byId.get(entry.id);
    if (definition !== undefined) slots[definition.rank] = entry;
  }
  return { layout: set.layout, slots };
}
