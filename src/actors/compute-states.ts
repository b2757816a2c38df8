import { changedRanks, emptySlots, flatSlots, heldSlots, slotAt, slotsFrom, type ChunkedSlots } from '../compute/chunked-slots.ts';
import type { DefinitionSet } from '../compute/definition-set.ts';
import type { EvaluatorState } from '../compute/definition-evaluator.ts';
import type { TraitEntry } from './profile-state.ts';

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
 * A profile's definition states and answers as slots aligned with a definition set: slot `i`
 * belongs to the definition of rank `i` in the set whose `layout` this is. States read from LMDB,
 * or made under other definitions, have another layout and are re-aligned by id (states) and by
 * key (answers) on their first step.
 *
 * A slot is not an entry object: the evaluator's state, its armed due time and its answer sit at
 * the slot's rank in three arrays, and the definition's id and revision are the set's. An entry
 * per slot was one more object per changed state for the collector to carry (it outlives the
 * step) and one more to reach in memory at each read; entries are built only where rows are
 * written (`computeEntries`).
 *
 * The arrays are chunked by the set (`chunked-slots.ts`): a step copies the chunks it writes, not
 * a keyed object of up to a hundred entries (30+ µs a copy), nor a flat array as long as the set
 * (most of what a step left to the garbage collector with seventy definitions).
 *
 * The answers (audience key `k` → `true|false`, computed trait → its value) are kept here, by
 * rank, and not among the profile's custom traits: a step that writes one copies a chunk, where a
 * traits object holding ~70 answers cost ~8–30 µs to copy (past ~20 keys V8 keeps it as a
 * dictionary) and its growing shapes made every read of it megamorphic.
 */
export interface ComputeStates {
  readonly layout: number;
  /** Each slot's evaluator state; undefined: no entry (the evaluator's initial state, unarmed). */
  readonly states: ChunkedSlots<EvaluatorState>;
  /** When each slot's timer is armed (its profile's durable row is at the earliest of them). */
  readonly dues: ChunkedSlots<number>;
  /** Each slot's definition id and the revision its state is of: the set's when aligned, the rows' as loaded. */
  readonly ids: readonly string[];
  readonly revisions: readonly number[];
  /** Each definition's answer, at the index `answerRanks` gives its key (its rank when aligned). */
  readonly answers: ChunkedSlots<TraitEntry>;
  /** Where each key's answer is: the set's `rankOfKey` when aligned, the loaded keys' order when not. */
  readonly answerRanks: ReadonlyMap<string, number>;
  /** The key of each answer, by index (the set's keys when aligned). */
  readonly answerKeys: readonly string[];
}

/** The layout of states not yet aligned with any definition set (as loaded). */
const UNALIGNED = -1;

const NO_ANSWER_RANKS: ReadonlyMap<string, number> = new Map();

/** States as loaded: the stored entries and answers, in no set's layout yet; undefined when there are none. */
export function loadedComputeStates(entries: readonly DefinitionStateEntry[], answers: ReadonlyArray<readonly [key: string, entry: TraitEntry]>): ComputeStates | undefined {
  if (entries.length === 0 && answers.length === 0) return undefined;
  return {
    layout: UNALIGNED,
    states: flatSlots(entries.map((entry) => entry.state)),
    dues: flatSlots(entries.map((entry) => entry.due)),
    ids: entries.map((entry) => entry.id),
    revisions: entries.map((entry) => entry.revision),
    answers: flatSlots(answers.map(([, entry]) => entry)),
    answerRanks: answers.length === 0 ? NO_ANSWER_RANKS : new Map(answers.map(([key], i) => [key, i])),
    answerKeys: answers.map(([key]) => key),
  };
}

/** `compute` with other states, dues and answers in its layout (those it has by default). */
export function withSlots(
  compute: ComputeStates,
  states: ChunkedSlots<EvaluatorState>,
  dues: ChunkedSlots<number> = compute.dues,
  answers: ChunkedSlots<TraitEntry> = compute.answers,
): ComputeStates {
  return { layout: compute.layout, states, dues, ids: compute.ids, revisions: compute.revisions, answers, answerRanks: compute.answerRanks, answerKeys: compute.answerKeys };
}

/** States, dues and answers laid out by rank in `set`. */
export function alignedStates(set: DefinitionSet, states: ChunkedSlots<EvaluatorState>, dues: ChunkedSlots<number>, answers: ChunkedSlots<TraitEntry>): ComputeStates {
  return { layout: set.layout, states, dues, ids: set.ids, revisions: set.revisions, answers, answerRanks: set.rankOfKey, answerKeys: set.keys };
}

/** Whether two states are laid out alike, so their slots and answers compare rank by rank. */
export function sameLayout(a: ComputeStates, b: ComputeStates): boolean {
  return a.layout === b.layout && a.ids === b.ids && a.states.layout === b.states.layout && a.answers.layout === b.answers.layout;
}

/** The entry of slot `index` as a row stores it; undefined when the slot holds none. */
export function entryAt(compute: ComputeStates, index: number): DefinitionStateEntry | undefined {
  const state = slotAt(compute.states, index);
  return state === undefined ? undefined : definitionStateEntry(compute.ids[index]!, compute.revisions[index]!, state, slotAt(compute.dues, index));
}

/** Every slot's entry as a row stores it (built here: slots hold no entry objects). */
export function computeEntries(compute: ComputeStates | undefined): DefinitionStateEntry[] {
  if (compute === undefined) return [];
  return heldSlots(compute.states).map(([index, state]) => definitionStateEntry(compute.ids[index]!, compute.revisions[index]!, state, slotAt(compute.dues, index)));
}

/** Whether two entries of one definition would be the same row (states are immutable: identity tells). */
export function sameEntry(a: DefinitionStateEntry | undefined, b: DefinitionStateEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.id === b.id && a.revision === b.revision && a.state === b.state && a.due === b.due;
}

/** The answer a profile holds under `key`, tombstones included; undefined when it has none. */
export function answerEntry(compute: ComputeStates | undefined, key: string): TraitEntry | undefined {
  if (compute === undefined) return undefined;
  const index = compute.answerRanks.get(key);
  return index === undefined ? undefined : slotAt(compute.answers, index);
}

/** Every answer a profile holds, by key. */
export function answerEntries(compute: ComputeStates | undefined): Array<[string, TraitEntry]> {
  if (compute === undefined) return [];
  const { answerKeys } = compute;
  return heldSlots(compute.answers).map(([index, entry]) => [answerKeys[index]!, entry]);
}

/**
 * The states aligned with `set`: the same object when already aligned; otherwise re-slotted, the
 * states by id and the answers by key. A state of a definition no longer live, or of another
 * revision of it, is dropped (its row goes at the next write; another revision starts afresh).
 * A retired definition's answer is not lost: `orphanedAnswers` names it, and the step keeps it as
 * a custom trait.
 */
export function alignComputeStates(compute: ComputeStates | undefined, set: DefinitionSet): ComputeStates {
  if (compute !== undefined && compute.layout === set.layout && compute.ids === set.ids && compute.states.layout === set.chunks) return compute;
  if (compute === undefined) return alignedStates(set, emptySlots(set.chunks), emptySlots(set.chunks), emptySlots(set.chunks));
  const states = new Array<EvaluatorState | undefined>(set.ordered.length);
  const dues = new Array<number | undefined>(set.ordered.length);
  for (const [index, state] of heldSlots(compute.states)) {
    const definition = set.byId.get(compute.ids[index]!);
    if (definition === undefined || definition.revision !== compute.revisions[index]) continue;
    // Loaded states pass here once, on their first alignment, so the step's evaluations test no layout.
    states[definition.rank] = definition.evaluator.upgrade(state);
    dues[definition.rank] = slotAt(compute.dues, index);
  }
  const answers = new Array<TraitEntry | undefined>(set.ordered.length);
  for (const [key, entry] of answerEntries(compute)) {
    const rank = set.rankOfKey.get(key);
    if (rank !== undefined) answers[rank] = entry;
  }
  return alignedStates(
    set,
    slotsFrom(set.chunks, (rank) => states[rank]),
    slotsFrom(set.chunks, (rank) => dues[rank]),
    slotsFrom(set.chunks, (rank) => answers[rank]),
  );
}

/** The answers `compute` holds under keys that are no definition's in `set` (definitions deleted since). */
export function orphanedAnswers(compute: ComputeStates | undefined, set: DefinitionSet): Array<[string, TraitEntry]> {
  if (compute === undefined || compute.answerRanks === set.rankOfKey) return [];
  return answerEntries(compute).filter(([key]) => !set.rankOfKey.has(key));
}

const NO_KEYS: readonly string[] = [];

/**
 * The keys whose answer is not the same entry in `after` as in `before` (entries are immutable:
 * identity tells), those gone included: what the commit writes as answer rows and counts toward
 * audience sizes. Under one layout a scan of the chunks the step copied; across layouts (the
 * definitions changed, or the profile was just loaded) by key.
 */
export function movedAnswers(before: ComputeStates | undefined, after: ComputeStates | undefined): readonly string[] {
  if (before?.answers === after?.answers) return NO_KEYS;
  if (before !== undefined && after !== undefined && before.answerKeys === after.answerKeys && before.answers.layout === after.answers.layout) {
    const { answerKeys } = after;
    return changedRanks(before.answers, after.answers).map((rank) => answerKeys[rank]!);
  }
  const keys: string[] = [];
  for (const [key, entry] of answerEntries(after)) if (answerEntry(before, key) !== entry) keys.push(key);
  for (const [key] of answerEntries(before)) if (answerEntry(after, key) === undefined) keys.push(key);
  return keys;
}
