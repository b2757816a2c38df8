import type { CompiledDefinition, DefinitionSet } from '../compute/definition-set.ts';
import type { EvaluatorState } from '../compute/definition-evaluator.ts';
import { occurrenceName } from '../compute/occurrence.ts';
import { isAbsent, sameValue } from '../compute/values.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';
import type { ActorEffect } from './actor-message.ts';
import type { DefinitionStateEntry, ProfileState, TraitEntry } from './profile-state.ts';

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
  return state.identifiers.some((identifier) => KNOWN_IDENTIFIER_TYPES.has(identifier.type));
}

/**
 * Re-evaluates the definitions a step can have changed, in dependency order, and writes their
 * answers as traits: audience key `k` → `k: true|false` (absent until first true), computed trait
 * → its value (a tombstone when it becomes absent). A definition whose value changed wakes the
 * definitions that read its key, within the same step. Each evaluated definition re-arms its one
 * timer at the next instant its answer can change by time alone.
 */
export function recomputeDefinitions(
  state: ProfileState,
  definitions: DefinitionSet,
  trigger: ComputeTrigger,
  now: EpochMs,
): { state: ProfileState; effects: ActorEffect[] } {
  if (definitions.ordered.length === 0) return { state, effects: [] };
  const worklist = initialWorklist(definitions, trigger);
  if (worklist.length === 0) return { state, effects: [] };

  const known = isKnownProfile(state);
  let compute: Record<string, DefinitionStateEntry> | undefined;
  let traits: Record<string, TraitEntry> | undefined;
  let timers: Record<string, EpochMs> | undefined;
  const effects: ActorEffect[] = [];
  const traitValue = (key: string): Json | undefined => {
    const entry = Object.hasOwn(traits ?? state.traits, key) ? (traits ?? state.traits)[key] : undefined;
    return entry === undefined || entry.value === null ? undefined : entry.value;
  };
  const observed = trigger.event === undefined ? undefined : occurrenceName(trigger.event);

  for (let i = 0; i < worklist.length; i += 1) {
    const definition = worklist[i]!;
    const states = compute ?? state.compute ?? {};
    const entry = Object.hasOwn(states, definition.id) ? states[definition.id] : undefined;
    const { evaluator } = definition;
    let evaluatorState: EvaluatorState = entry?.revision === definition.revision ? entry.state : evaluator.initialState();
    if (trigger.event !== undefined && observed !== undefined && evaluator.eventNames.has(observed)) {
      evaluatorState = evaluator.observe(evaluatorState, trigger.event, now);
    }
    evaluatorState = evaluator.prune(evaluatorState, now);
    if (entry === undefined || entry.state !== evaluatorState || entry.revision !== definition.revision) {
      compute ??= { ...state.compute };
      compute[definition.id] = { revision: definition.revision, state: evaluatorState };
    }

    const qualifies = known || definition.includeAnonymousUsers;
    const answer = qualifies ? evaluator.evaluate(evaluatorState, traitValue, now) : definition.kind === 'audience' ? false : undefined;
    const written = writeAnswer(definition, answer, traitValue(definition.key), Object.hasOwn(traits ?? state.traits, definition.key));
    if (written !== undefined) {
      traits ??= { ...state.traits };
      traits[definition.key] = { value: written, updatedAt: now, sourceId: state.spaceId };
      for (const reader of definitions.byTrait.get(definition.key) ?? []) enqueue(worklist, reader, i);
    }

    const due = qualifies ? evaluator.nextChangeAt(evaluatorState, traitValue, now) : undefined;
    const key = definitionTimerKey(definition.id);
    const armed = (timers ?? state.timers)[key];
    if (armed !== due) {
      timers ??= { ...state.timers };
      if (armed !== undefined) effects.push({ type: 'timer.cleared', profileId: state.id, key, dueAt: armed });
      if (due === undefined) delete timers[key];
      else {
        timers[key] = due;
        effects.push({ type: 'timer.set', profileId: state.id, key, dueAt: due });
      }
    }
  }
  return {
    state: {
      ...state,
      ...(compute === undefined ? {} : { compute }),
      ...(traits === undefined ? {} : { traits }),
      ...(timers === undefined ? {} : { timers }),
    },
    effects,
  };
}

/**
 * The trait value to write, or undefined to leave the trait as it is. An audience's trait appears
 * at its first `true` and then follows membership; a computed trait follows its value, and one
 * that loses its value gets a `null` tombstone (hidden from reads; a destination receives null).
 */
function writeAnswer(definition: CompiledDefinition, answer: Json | undefined, current: Json | undefined, hasEntry: boolean): Json | undefined {
  if (definition.kind === 'audience') {
    const member = answer === true;
    if (member) return current === true ? undefined : true;
    return current === true ? false : undefined;
  }
  if (isAbsent(answer)) return hasEntry && !isAbsent(current) ? null : undefined;
  return !isAbsent(current) && sameValue(current, answer) ? undefined : answer;
}

function initialWorklist(definitions: DefinitionSet, trigger: ComputeTrigger): CompiledDefinition[] {
  if (trigger.all === true) return [...definitions.ordered];
  const dirty = new Set<CompiledDefinition>();
  const name = trigger.event === undefined ? undefined : occurrenceName(trigger.event);
  if (name !== undefined) for (const d of definitions.byEvent.get(name) ?? []) dirty.add(d);
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

/** Drops the stored states of definitions that are no longer live. */
export function withoutRetiredStates(state: ProfileState, definitions: DefinitionSet): ProfileState {
  if (state.compute === undefined) return state;
  const retired = Object.keys(state.compute).filter((id) => !definitions.byId.has(id));
  if (retired.length === 0) return state;
  const compute = { ...state.compute };
  for (const id of retired) delete compute[id];
  return { ...state, compute };
}

/**
 * The definition states of a merged profile: each live definition's two states merged by its
 * evaluator (a state of another revision counts as none). Retired definitions' states are dropped.
 */
export function mergeComputeStates(
  winner: Readonly<Record<string, DefinitionStateEntry>> | undefined,
  loser: Readonly<Record<string, DefinitionStateEntry>> | undefined,
  definitions: DefinitionSet,
): Record<string, DefinitionStateEntry> | undefined {
  if (winner === undefined && loser === undefined) return undefined;
  const merged: Record<string, DefinitionStateEntry> = {};
  for (const definition of definitions.ordered) {
    const a = currentEntry(winner, definition);
    const b = currentEntry(loser, definition);
    if (a !== undefined && b !== undefined) merged[definition.id] = { revision: definition.revision, state: definition.evaluator.merge(a.state, b.state) };
    else if (a !== undefined || b !== undefined) merged[definition.id] = (a ?? b)!;
  }
  return merged;
}

function currentEntry(states: Readonly<Record<string, DefinitionStateEntry>> | undefined, definition: CompiledDefinition): DefinitionStateEntry | undefined {
  if (states === undefined || !Object.hasOwn(states, definition.id)) return undefined;
  const entry = states[definition.id];
  return entry?.revision === definition.revision ? entry : undefined;
}
