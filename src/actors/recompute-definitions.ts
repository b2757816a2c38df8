import type { CompiledDefinition, DefinitionSet } from '../compute/definition-set.ts';
import { occurrenceName } from '../compute/occurrence.ts';
import { isAbsent, sameValue } from '../compute/values.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';
import type { ActorEffect } from './actor-message.ts';
import { alignComputeStates, alignedStates, computeEntries, orphanedAnswers, slotArray, slotDue, slotState, withSlots, writeDue, writeState, type ComputeStates, type SlotValue } from './compute-states.ts';
import { flatSlots, ownSlots, slotAt, slotsFrom, writeSlot, type ChunkedSlots } from '../compute/chunked-slots.ts';
import { profileWith, type ProfileState, type TraitEntry } from './profile-state.ts';
import { ownValue } from '../shared/own-value.ts';

/** What woke the definitions in this step. */
export interface ComputeTrigger {
  /** The event the step applied: the definitions with a stream of its name observe it. */
  readonly event?: TrackedEvent;
  /** Custom traits the step changed (identify): the definitions reading them re-evaluate. */
  readonly changedTraits?: ReadonlySet<string>;
  /** Definitions whose own timer fired. */
  readonly definitionIds?: ReadonlySet<string>;
  /** Every definition re-evaluates (a merge, the profile became known). */
  readonly all?: boolean;
}

/** The timer key under which a definition wakes its profile (one pending timer per definition). */
export function definitionTimerKey(definitionId: string): string {
  return `def:${definitionId}`;
}

export function definitionOfTimerKey(key: string): string | undefined {
  return key.startsWith('def:') ? key.slice(4) : undefined;
}

/** Segment's "include anonymous users" off: a profile qualifies only with one of these. */
const KNOWN_IDENTIFIER_TYPES = new Set(['user_id', 'email', 'android.idfa', 'ios.idfa']);

export function isKnownProfile(state: ProfileState): boolean {
  // A loop, not `some` with an arrow: this runs on every step with definitions live.
  const { identifiers } = state;
  for (let i = 0; i < identifiers.length; i++) if (KNOWN_IDENTIFIER_TYPES.has(identifiers[i]!.type)) return true;
  return false;
}

/**
 * Re-evaluates the definitions a step can have changed, in dependency order, and writes their
 * answers as traits: audience key `k` → `k: true|false` (absent until first true), computed trait
 * → its value (a tombstone when it becomes absent). A definition whose value changed wakes the
 * definitions that read its key, within the same step. Each evaluated definition keeps its one
 * timer armed no later than the next instant its answer can change by time alone.
 */
export function recomputeDefinitions(
  state: ProfileState,
  definitions: DefinitionSet,
  trigger: ComputeTrigger,
  now: EpochMs,
): { state: ProfileState; effects: ActorEffect[] } {
  if (definitions.ordered.length === 0) return { state, effects: [] };
  // The event's index entry itself while nothing is enqueued (most steps): copied at the first reader.
  let worklist: readonly CompiledDefinition[] = initialWorklist(definitions, trigger);
  let ownWorklist: CompiledDefinition[] | undefined;
  if (worklist.length === 0) return { state, effects: [] };
  // Definitions woken for another reason than the event alone must evaluate even when the
  // event left their state as it was. With `all`, that is every one, and the worklist already
  // holds every reader: no set to build, nothing to enqueue (a 70-entry set per new profile
  // was the largest single cost of its step).
  const all = trigger.all === true;
  // Built only when something besides the event woke a definition: most steps wake none so.
  let wokenOtherwise: Set<CompiledDefinition> | undefined;
  if (trigger.changedTraits !== undefined) for (const key of trigger.changedTraits) for (const d of definitions.byTrait.get(key) ?? []) (wokenOtherwise ??= new Set()).add(d);
  if (trigger.definitionIds !== undefined) {
    for (const id of trigger.definitionIds) {
      const d = definitions.byId.get(id);
      if (d !== undefined) (wokenOtherwise ??= new Set()).add(d);
    }
  }

  const known = isKnownProfile(state);
  const { traits, compute: aligned } = alignedProfile(state, definitions);
  // The step's own copies, made at its first write (`ownSlots`): each chunk is copied at its first write.
  let slots: ChunkedSlots<SlotValue> | undefined;
  let answers: ChunkedSlots<TraitEntry> | undefined;
  const effects: ActorEffect[] = [];
  lookupTraits = traits;
  lookupAnswers = aligned.answers;
  lookupRanks = definitions.rankOfKey;

  for (let i = 0; i < worklist.length; i += 1) {
    const definition = worklist[i]!;
    const { rank, evaluator } = definition;
    // Aligned slots hold states of the live revision only (`alignComputeStates`).
    const stored = slotState(slots ?? aligned.slots, rank);
    const initial = evaluator.initialState();
    const evaluatorState = evaluator.advance(stored ?? initial, trigger.event, now);
    // The event did not touch this definition's state (its filters dropped it) and nothing else
    // woke it: the answer and the armed timer stand. The same for a definition with no entry
    // whose state is still the initial one: it was answered when the profile became known (or
    // when its backfill reached it), and with no entry it has no timer, so that answer holds.
    const unmoved = stored === undefined ? evaluatorState === initial : stored === evaluatorState;
    if (unmoved && !isWoken(definition, all, wokenOtherwise)) continue;
    // A member of a monotone audience stays one whatever the event added; its armed timer is
    // still no later than its next change. Keep the new state, skip the evaluation.
    if (stored !== undefined && evaluator.monotone && !isWoken(definition, all, wokenOtherwise) && traitValue(definition.key) === true) {
      if (stored !== evaluatorState) writeState(aligned.slots, (slots ??= ownSlots(aligned.slots)), rank, evaluatorState);
      continue;
    }

    const qualifies = known || definition.includeAnonymousUsers;
    // A state no event has touched answers the same on every profile at every later instant
    // when the definition reads no trait and has no pending change (`initialAnswer`): most of a
    // new profile's definitions, which then cost no evaluation.
    const evaluated = !qualifies
      ? undefined
      : evaluatorState === initial && evaluator.initialAnswer !== undefined
        ? evaluator.initialAnswer
        : evaluator.evaluateWithNextChange(evaluatorState, traitValue, now);
    const answer = evaluated !== undefined ? evaluated.value : definition.kind === 'audience' ? false : undefined;
    const held = slotAt(lookupAnswers, rank);
    const written = answerToWrite(definition, answer, held === undefined || held.value === null ? undefined : held.value, held !== undefined);
    if (written !== undefined) {
      answers ??= lookupAnswers = ownSlots(aligned.answers);
      writeSlot(aligned.answers, answers, rank, { value: written, updatedAt: now, sourceId: state.spaceId });
      effects.push({ type: 'answer.changed', profileId: state.id, definitionId: definition.id, key: definition.key, value: written });
      if (!all) {
        for (const reader of definitions.byTrait.get(definition.key) ?? []) {
          (wokenOtherwise ??= new Set()).add(reader);
          if (ownWorklist === undefined) {
            ownWorklist = worklist.slice();
            worklist = ownWorklist;
          }
          enqueue(ownWorklist, reader, i);
        }
      }
    }

    // The definition's one timer lives in its slot. It is re-armed only when the next change
    // comes EARLIER than the armed time: a timer that fires early finds nothing changed and
    // re-arms then, so most events (which push a window's next exit later) touch no timer row.
    const armed = slotDue(slots ?? aligned.slots, rank);
    let next = evaluated?.nextChangeAt;
    // Only a candidate that would arm a timer is refined to the first instant the answer flips
    // (an armed timer that fires early re-arms then): a non-member whose one occurrence leaves
    // its window arms nothing, and an active member's events cost no extra evaluation.
    if (next !== undefined && evaluated !== undefined && (armed === undefined || next < armed)) next = evaluator.firstFlip(evaluatorState, traitValue, evaluated.value, next);
    const due = next !== undefined && (armed === undefined || next < armed) ? next : armed;
    if (armed !== due) {
      const key = definitionTimerKey(definition.id);
      if (armed !== undefined) effects.push({ type: 'timer.cleared', profileId: state.id, key, dueAt: armed });
      if (due !== undefined) effects.push({ type: 'timer.set', profileId: state.id, key, dueAt: due });
      writeDue(aligned.slots, (slots ??= ownSlots(aligned.slots)), rank, due);
    }
    // A definition whose state is still the initial one, unarmed, keeps no entry: a missing entry
    // reads as the initial state, and a new profile then stores only the states its events made.
    // An armed one keeps its state (the initial one, then) so that its slot holds an entry.
    const untouched = stored === undefined && evaluatorState === initial && due === undefined;
    if (!untouched && stored !== evaluatorState) writeState(aligned.slots, (slots ??= ownSlots(aligned.slots)), rank, evaluatorState);
  }
  // Every field spelled out, in the order of `ProfileState` (see its note on shape).
  const next: ProfileState = {
    id: state.id,
    spaceId: state.spaceId,
    collection: state.collection,
    version: state.version,
    traits,
    identifiers: state.identifiers,
    eventCounts: state.eventCounts,
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    first: state.first,
    last: state.last,
    timers: state.timers,
    mergedFrom: state.mergedFrom,
    links: state.links,
    compute: slots !== undefined || answers !== undefined ? withSlots(aligned, slots ?? aligned.slots, answers ?? aligned.answers) : aligned,
  };
  return { state: next, effects };
}

/** Whether something besides the event woke the definition (it evaluates even if its state did not move). */
function isWoken(definition: CompiledDefinition, all: boolean, wokenOtherwise: ReadonlySet<CompiledDefinition> | undefined): boolean {
  return all || (wokenOtherwise !== undefined && wokenOtherwise.has(definition));
}

/**
 * What the evaluations of the running `recomputeDefinitions` read: the profile's custom traits,
 * and its answers (the step's, then its copy once an answer is written) at the ranks of the live
 * set's keys. One module-level lookup instead of closures per call: tsx names every closure it
 * creates with a property definition, which cost ~3% of a step. Safe because a recompute runs
 * synchronously and never re-enters itself.
 */
let lookupTraits: Readonly<Record<string, TraitEntry>> = {};
let lookupAnswers: ComputeStates['answers'] = flatSlots<TraitEntry>([]);
let lookupRanks: ReadonlyMap<string, number> = new Map();

function traitValue(key: string): Json | undefined {
  return traitOf(lookupTraits, lookupAnswers, lookupRanks, key);
}

/**
 * What `trait(key)` reads on a profile aligned with the set whose `rankOfKey` is `ranks`
 * (`alignedProfile`): a live definition's key reads its answer (the definition owns its key), any
 * other key the custom trait, a deleted definition's last answer among them. Absent for a missing
 * entry and for a tombstone.
 */
export function traitOf(traits: ProfileState['traits'], answers: ComputeStates['answers'], ranks: ReadonlyMap<string, number>, key: string): Json | undefined {
  const rank = ranks.get(key);
  if (rank === undefined) return traitValueOf(traits, key);
  const entry = slotAt(answers, rank);
  return entry === undefined || entry.value === null ? undefined : entry.value;
}

/** A profile whose states and answers are laid out for a definition set (`alignedProfile`). */
export type AlignedProfile = ProfileState & { readonly compute: ComputeStates };

/**
 * `state`'s definition states and answers aligned with `set` (`compute` is then set), and its
 * custom traits with the answers of definitions no longer in `set` kept among them. Every step
 * that goes on with a profile under a set aligns it here, so no answer is dropped by an alignment.
 */
export function alignedProfile(state: ProfileState, set: DefinitionSet): AlignedProfile {
  const compute = alignComputeStates(state.compute, set);
  if (compute === state.compute) return state as AlignedProfile;
  return profileWith(state, { traits: withOrphanedAnswers(state.traits, orphanedAnswers(state.compute, set)), compute }) as AlignedProfile;
}

/**
 * The custom traits with the answers of definitions no longer live kept among them: a deleted
 * audience or trait stops changing, and its last value stays on the profile as a custom trait
 * (contract, "Computed traits"). The answer wins over a custom trait of its key, as it did while
 * its definition was live.
 */
function withOrphanedAnswers(traits: Readonly<Record<string, TraitEntry>>, orphans: ReadonlyArray<readonly [string, TraitEntry]>): Readonly<Record<string, TraitEntry>> {
  if (orphans.length === 0) return traits;
  const kept: Record<string, TraitEntry> = { ...traits };
  for (const [key, entry] of orphans) kept[key] = entry;
  return kept;
}

/** A trait's value as `trait()` reads it: absent for a missing entry and for a `null` tombstone. */
export function traitValueOf(traits: ProfileState['traits'], key: string): Json | undefined {
  const entry = ownValue(traits, key);
  return entry === undefined || entry.value === null ? undefined : entry.value;
}

/**
 * The trait value to write, or undefined to leave the trait as it is. An audience's trait appears
 * at its first `true` and then follows membership; a computed trait follows its value, and one
 * that loses its value gets a `null` tombstone (hidden from reads; a destination receives null).
 */
export function answerToWrite(definition: Pick<CompiledDefinition, 'kind'>, answer: Json | undefined, current: Json | undefined, hasEntry: boolean): Json | undefined {
  if (definition.kind === 'audience') {
    const member = answer === true;
    if (member) return current === true ? undefined : true;
    return current === true ? false : undefined;
  }
  if (isAbsent(answer)) return hasEntry && !isAbsent(current) ? null : undefined;
  return !isAbsent(current) && sameValue(current, answer) ? undefined : answer;
}

function initialWorklist(definitions: DefinitionSet, trigger: ComputeTrigger): readonly CompiledDefinition[] {
  if (trigger.all === true) return definitions.ordered;
  const name = trigger.event === undefined ? undefined : occurrenceName(trigger.event);
  const byEvent = name === undefined ? undefined : definitions.byEvent.get(name);
  // The common case, an event and nothing else: its index entry is already in rank order.
  const nothingElse = (trigger.changedTraits === undefined || trigger.changedTraits.size === 0) && (trigger.definitionIds === undefined || trigger.definitionIds.size === 0);
  if (nothingElse) return byEvent ?? [];
  const dirty = new Set<CompiledDefinition>(byEvent);
  for (const key of trigger.changedTraits ?? []) for (const d of definitions.byTrait.get(key) ?? []) dirty.add(d);
  for (const id of trigger.definitionIds ?? []) {
    const d = definitions.byId.get(id);
    if (d !== undefined) dirty.add(d);
  }
  return [...dirty].sort((a, b) => a.rank - b.rank);
}

/** Adds a reader after position `from`, keeping rank order; readers always rank later. */
function enqueue(worklist: CompiledDefinition[], reader: CompiledDefinition, from: number): void {
  for (let j = from + 1; j < worklist.length; j += 1) {
    const queued = worklist[j]!;
    if (queued === reader) return;
    if (queued.rank > reader.rank) {
      worklist.splice(j, 0, reader);
      return;
    }
  }
  worklist.push(reader);
}

/**
 * The definition states of a merged profile: each live definition's two states merged by its
 * evaluator (a state of another revision counts as none), and its two answers as two custom traits
 * merge (the later one wins, a tie keeps the winner's). Retired definitions' states and answers
 * are dropped here: `absorb` keeps those answers as custom traits first.
 */
export function mergeComputeStates(winner: ComputeStates | undefined, loser: ComputeStates | undefined, definitions: DefinitionSet): ComputeStates | undefined {
  if (winner === undefined && loser === undefined) return undefined;
  const mine = alignComputeStates(winner, definitions);
  const theirs = alignComputeStates(loser, definitions);
  // Aligned slots hold states of the live revisions only. The winner's armed timers stay recorded
  // so the recompute that follows clears them. The loser's are retired with it (its row is keyed
  // by the loser's id), so a state that comes over from the loser alone comes unarmed: the
  // recompute that follows arms the winner's at the next change. (Regression, found by the load
  // bench's diff: kept armed, a future-dated occurrence of the loser never came due on the winner.)
  const slots = slotArray(
    definitions.chunks,
    (rank) => {
      const a = slotState(mine.slots, rank);
      const b = slotState(theirs.slots, rank);
      return a !== undefined && b !== undefined ? definitions.ordered[rank]!.evaluator.merge(a, b) : (a ?? b);
    },
    (rank) => slotDue(mine.slots, rank),
  );
  const answers = slotsFrom(definitions.chunks, (rank): TraitEntry | undefined => {
    const a = slotAt(mine.answers, rank);
    const b = slotAt(theirs.answers, rank);
    return a === undefined || (b !== undefined && b.updatedAt > a.updatedAt) ? b : a;
  });
  return alignedStates(definitions, slots, answers);
}

/**
 * Timer effects that retire a merged-away profile's definition timers (its durable timer rows
 * are keyed by its own id; the winner re-arms its own after the merge).
 */
export function retireDefinitionTimers(profileId: ProfileState['id'], compute: ComputeStates | undefined): ActorEffect[] {
  return computeEntries(compute)
    .filter((entry) => entry.due !== undefined)
    .map((entry) => ({ type: 'timer.cleared', profileId, key: definitionTimerKey(entry.id), dueAt: entry.due! }));
}
