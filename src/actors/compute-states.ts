import { changedRanks, emptySlots, flatLayout, flatSlots, heldRanks, heldSlots, pairedLayout, slotAt, slotsFrom, writeSlot, type ChunkedSlots, type ChunkLayout } from '../compute/chunked-slots.ts';
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
 * A slot is not an entry object: the evaluator's state and its armed due time sit in the slot
 * array, at the slot's index and at the array's half-length past it, in the same chunk (one copy
 * when a step writes both), and the definition's id and revision are the set's. An entry per slot
 * was one more object per changed state for the collector to carry (it outlives the step) and one
 * more to reach in memory at each read; entries are built only where rows are written
 * (`computeEntries`). The answers sit in an array of their own, by rank.
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
  /**
   * Slot `i`'s evaluator state at `i` (undefined: no entry, the evaluator's initial state,
   * unarmed) and its armed due time at `ids.length + i` (`slotState`, `slotDue`).
   */
  readonly slots: ChunkedSlots<SlotValue>;
  /** Each slot's definition id and the revision its state is of: the set's when aligned, the rows' as loaded. */
  readonly ids: readonly string[];
  /**
   * Where each id's slot is: the set's `rankOfId` when aligned; none as loaded (a map of a loaded
   * profile's own ids would be built per profile, and its ids are looked up in a set's instead).
   */
  readonly idRanks: ReadonlyMap<string, number> | undefined;
  readonly revisions: readonly number[];
  /** Each definition's answer, at the index `answerRanks` gives its key (its rank when aligned). */
  readonly answers: ChunkedSlots<TraitEntry>;
  /** Where each key's answer is: the set's `rankOfKey` when aligned, the loaded keys' order when not. */
  readonly answerRanks: ReadonlyMap<string, number>;
  /** The key of each answer, by index (the set's keys when aligned). */
  readonly answerKeys: readonly string[];
}

/** What a slot array holds: evaluator states in its first half, due times in its second. */
export type SlotValue = EvaluatorState | number;

/** Slot `index`'s evaluator state; undefined when it holds no entry. */
export function slotState(slots: ChunkedSlots<SlotValue>, index: number): EvaluatorState | undefined {
  return slotAt(slots, index) as EvaluatorState | undefined;
}

/** When slot `index`'s timer is armed; undefined when it is not. */
export function slotDue(slots: ChunkedSlots<SlotValue>, index: number): number | undefined {
  return slotAt(slots, (slots.layout.length >> 1) + index) as number | undefined;
}

/** Writes slot `index`'s state into `own` (a step's copy of `base`, `ownSlots`). */
export function writeState(base: ChunkedSlots<SlotValue>, own: ChunkedSlots<SlotValue>, index: number, state: EvaluatorState): void {
  writeSlot(base, own, index, state);
}

/** Arms (or, with undefined, disarms) slot `index`'s timer in `own` (a step's copy of `base`). */
export function writeDue(base: ChunkedSlots<SlotValue>, own: ChunkedSlots<SlotValue>, index: number, due: number | undefined): void {
  writeSlot(base, own, (base.layout.length >> 1) + index, due);
}

/** The slots whose state or due time differs between two slot arrays of one layout. */
export function movedSlots(before: ChunkedSlots<SlotValue>, after: ChunkedSlots<SlotValue>): { readonly states: number[]; readonly dues: number[] } {
  const half = after.layout.length >> 1;
  const states: number[] = [];
  const dues: number[] = [];
  for (const index of changedRanks(before, after)) {
    if (index < half) states.push(index);
    else dues.push(index - half);
  }
  return { states, dues };
}

/** Every slot's index and state, for the slots that hold an entry. */
export function heldStates(slots: ChunkedSlots<SlotValue>): Array<[index: number, state: EvaluatorState]> {
  return heldIndices(slots, 0).map((index) => [index, slotState(slots, index)!]);
}

/**
 * The indices of the slots holding a value in one half of a slot array (0: the states, 1: the due
 * times), in chunk order. Every slot array is paired (`pairedLayout`): each chunk holds its ranks'
 * states, then their due times, so only that half of each chunk is read.
 */
export function heldIndices(slots: ChunkedSlots<SlotValue>, half: 0 | 1): number[] {
  const offset = half * (slots.layout.length >> 1);
  const { chunks, layout } = slots;
  const out: number[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const ranks = layout.ranks[c]!;
    const pairs = chunk.length >> 1;
    for (let i = half * pairs, end = i + pairs; i < end; i++) if (chunk[i] !== undefined) out.push(ranks[i]! - offset);
  }
  return out;
}

/** Slot arrays of `layout`'s ranks with the states and dues `stateOf` and `dueOf` give. */
export function slotArray(layout: ChunkLayout, stateOf: (index: number) => EvaluatorState | undefined, dueOf: (index: number) => number | undefined): ChunkedSlots<SlotValue> {
  const half = layout.length;
  return slotsFrom(pairedLayout(layout), (index) => (index < half ? stateOf(index) : dueOf(index - half)));
}

/** The layout of states not yet aligned with any definition set (as loaded). */
const UNALIGNED = -1;

const NO_ANSWER_RANKS: ReadonlyMap<string, number> = new Map();

/** States as loaded: the stored entries and answers, in no set's layout yet; undefined when there are none. */
export function loadedComputeStates(entries: readonly DefinitionStateEntry[], answers: ReadonlyArray<readonly [key: string, entry: TraitEntry]>): ComputeStates | undefined {
  if (entries.length === 0 && answers.length === 0) return undefined;
  return {
    layout: UNALIGNED,
    slots: slotArray(flatLayout(entries.length), (index) => entries[index]!.state, (index) => entries[index]!.due),
    ids: entries.map((entry) => entry.id),
    idRanks: undefined,
    revisions: entries.map((entry) => entry.revision),
    answers: flatSlots(answers.map(([, entry]) => entry)),
    answerRanks: answers.length === 0 ? NO_ANSWER_RANKS : new Map(answers.map(([key], i) => [key, i])),
    answerKeys: answers.map(([key]) => key),
  };
}

/** `compute` with other slots and answers in its layout (its answers as they are by default). */
export function withSlots(compute: ComputeStates, slots: ChunkedSlots<SlotValue>, answers: ChunkedSlots<TraitEntry> = compute.answers): ComputeStates {
  return { layout: compute.layout, slots, ids: compute.ids, idRanks: compute.idRanks, revisions: compute.revisions, answers, answerRanks: compute.answerRanks, answerKeys: compute.answerKeys };
}

/** Slots and answers laid out by rank in `set`. */
export function alignedStates(set: DefinitionSet, slots: ChunkedSlots<SlotValue>, answers: ChunkedSlots<TraitEntry>): ComputeStates {
  return { layout: set.layout, slots, ids: set.ids, idRanks: set.rankOfId, revisions: set.revisions, answers, answerRanks: set.rankOfKey, answerKeys: set.keys };
}

/** Whether two states are laid out alike, so their slots and answers compare rank by rank. */
export function sameLayout(a: ComputeStates, b: ComputeStates): boolean {
  return a.layout === b.layout && a.ids === b.ids && a.slots.layout === b.slots.layout && a.answers.layout === b.answers.layout;
}

/** Whether `compute` is laid out by a definition set (its ids and keys are the set's, shared by every profile aligned with it). */
function isAligned(compute: ComputeStates): boolean {
  return compute.layout !== UNALIGNED;
}

/** Each `from` array's positions in the last `to` asked of it (a re-layout asks the same pair of every profile). */
const positionsCache = new WeakMap<readonly string[], { readonly to: readonly string[]; readonly positions: readonly number[] }>();

/**
 * Where each name of `to` is in `from` (-1: not there), to compare or carry slots and answers
 * between two layouts by definition id or key. Kept when `shared` (both are a set's arrays): a
 * backfill or a change of definitions re-lays every profile out between the same two sets, and
 * building the map once per profile (with the entry and pair objects that went with it) was most
 * of what such a pass allocated per profile.
 *
 * Each side's name → position map, when it has one (a set's always does), spares building one:
 * the shorter array's names are looked up in the other side's map. A profile loaded from LMDB has
 * no map of its ids, and building one at each of its alignments and write-outs was ~12% of a
 * backfill over profiles not in the cache; its ids are looked up in the set's map instead.
 */
function positionsIn(
  from: readonly string[],
  to: readonly string[],
  shared: boolean,
  fromIndex: ReadonlyMap<string, number> | undefined,
  toIndex: ReadonlyMap<string, number> | undefined,
): readonly number[] {
  const known = shared ? positionsCache.get(from) : undefined;
  if (known !== undefined && known.to === to) return known.positions;
  // A plain array: a typed array's allocation goes through the runtime, ~40% of this function.
  const positions = new Array<number>(to.length);
  if (toIndex !== undefined && (fromIndex === undefined || from.length < to.length)) {
    for (let i = 0; i < to.length; i++) positions[i] = -1;
    for (let j = 0; j < from.length; j++) {
      const at = toIndex.get(from[j]!);
      if (at !== undefined) positions[at] = j;
    }
  } else {
    const indexOf = fromIndex ?? indexOfNames(from);
    for (let i = 0; i < to.length; i++) positions[i] = indexOf.get(to[i]!) ?? -1;
  }
  if (shared) positionsCache.set(from, { to, positions });
  return positions;
}

function indexOfNames(names: readonly string[]): ReadonlyMap<string, number> {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < names.length; i++) indexOf.set(names[i]!, i);
  return indexOf;
}

/** For each answer of `to`, where `from` holds the answer of the same key, or -1. */
function answerPositions(from: ComputeStates, to: ComputeStates, shared: boolean): readonly number[] {
  return positionsIn(from.answerKeys, to.answerKeys, shared, from.answerRanks, to.answerRanks);
}

/**
 * For each slot of `to`, the slot of `from` holding the same definition's entry (same id), or -1.
 * Revisions are the caller's to compare.
 */
export function slotPositions(from: ComputeStates, to: ComputeStates): readonly number[] {
  return positionsIn(from.ids, to.ids, isAligned(from) && isAligned(to), from.idRanks, to.idRanks);
}

/** The entry of slot `index` as a row stores it; undefined when the slot holds none. */
export function entryAt(compute: ComputeStates, index: number): DefinitionStateEntry | undefined {
  const state = slotState(compute.slots, index);
  return state === undefined ? undefined : definitionStateEntry(compute.ids[index]!, compute.revisions[index]!, state, slotDue(compute.slots, index));
}

/** Every slot's entry as a row stores it (built here: slots hold no entry objects). */
export function computeEntries(compute: ComputeStates | undefined): DefinitionStateEntry[] {
  if (compute === undefined) return [];
  return heldStates(compute.slots).map(([index, state]) => definitionStateEntry(compute.ids[index]!, compute.revisions[index]!, state, slotDue(compute.slots, index)));
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
  if (compute !== undefined && compute.layout === set.layout && compute.ids === set.ids && compute.slots.layout === set.slotChunks) return compute;
  if (compute === undefined) return alignedStates(set, emptySlots(set.slotChunks), emptySlots(set.chunks));
  const shared = isAligned(compute);
  const slotOf = positionsIn(compute.ids, set.ids, shared, compute.idRanks, set.rankOfId);
  const answerOf = positionsIn(compute.answerKeys, set.keys, shared, compute.answerRanks, set.rankOfKey);
  const { slots, revisions, answers } = compute;
  /** The slot of `compute` with rank `rank`'s state, when it holds one of the live revision; else -1. */
  const heldAt = (rank: number): number => {
    const index = slotOf[rank]!;
    return index >= 0 && revisions[index] === set.revisions[rank] && slotState(slots, index) !== undefined ? index : -1;
  };
  return alignedStates(
    set,
    slotArray(
      set.chunks,
      // Loaded states pass here once, on their first alignment, so the step's evaluations test no layout.
      (rank) => {
        const index = heldAt(rank);
        return index < 0 ? undefined : set.ordered[rank]!.evaluator.upgrade(slotState(slots, index)!);
      },
      (rank) => {
        const index = heldAt(rank);
        return index < 0 ? undefined : slotDue(slots, index);
      },
    ),
    slotsFrom(set.chunks, (rank) => {
      const index = answerOf[rank]!;
      return index < 0 ? undefined : slotAt(answers, index);
    }),
  );
}

/** The answers `compute` holds under keys that are no definition's in `set` (definitions deleted since). */
export function orphanedAnswers(compute: ComputeStates | undefined, set: DefinitionSet): Array<[string, TraitEntry]> {
  if (compute === undefined || compute.answerRanks === set.rankOfKey) return [];
  const live = positionsIn(set.keys, compute.answerKeys, isAligned(compute), set.rankOfKey, compute.answerRanks);
  const orphans: Array<[string, TraitEntry]> = [];
  for (const index of heldRanks(compute.answers)) if (live[index]! < 0) orphans.push([compute.answerKeys[index]!, slotAt(compute.answers, index)!]);
  return orphans;
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
  const shared = before !== undefined && after !== undefined && isAligned(before) && isAligned(after);
  if (after !== undefined) {
    const was = before === undefined ? undefined : answerPositions(before, after, shared);
    for (const index of heldRanks(after.answers)) {
      const position = was === undefined ? -1 : was[index]!;
      if (position < 0 || slotAt(before!.answers, position) !== slotAt(after.answers, index)) keys.push(after.answerKeys[index]!);
    }
  }
  if (before !== undefined) {
    const now = after === undefined ? undefined : answerPositions(after, before, shared);
    for (const index of heldRanks(before.answers)) {
      const position = now === undefined ? -1 : now[index]!;
      if (position < 0 || slotAt(after!.answers, position) === undefined) keys.push(before.answerKeys[index]!);
    }
  }
  return keys;
}
