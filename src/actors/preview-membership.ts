import type { CompiledDefinition, DefinitionSet } from '../compute/definition-set.ts';
import type { DefinitionEvaluator, EvaluatorState, TraitLookup } from '../compute/definition-evaluator.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';
import type { ProfileState } from './profile-state.ts';
import { alignedProfile, answerToWrite, isKnownProfile, traitOf, type AlignedProfile } from './recompute-definitions.ts';
import { slotAt } from '../compute/chunked-slots.ts';
import { slotState } from './compute-states.ts';

/** One profile's part of an audience preview. */
export interface PreviewProfileInput {
  /** The would-be audience, compiled from its checked query. */
  readonly evaluator: DefinitionEvaluator;
  readonly includeAnonymousUsers: boolean;
  /** The stored events a backfill would replay (`includeHistoricalData`), or undefined for none. */
  readonly history: readonly TrackedEvent[] | undefined;
  /** The profile as its shard holds it: custom traits, definition states and answers. */
  readonly state: ProfileState;
  /** The live definitions of the profile's collection: the ones `trait()` may read. */
  readonly definitions: DefinitionSet;
  /** The engine's instant: history is observed as of now, as a creation's backfill does. */
  readonly now: EpochMs;
  /** The instant asked about, never before `now`. */
  readonly at: EpochMs;
}

/**
 * Whether the profile would be a member of the audience at `at`, computed as creating it now
 * would (its backfill observes the stored history as of `now`) and then leaving time to run to
 * `at` with no new event: the audience's state is pruned and evaluated at `at`, and so is every
 * live definition it reads through `trait()` (transitively, in dependency order, from the state
 * the profile holds), as their timers would move them by then. Pure: nothing is written.
 */
export function previewMembership(input: PreviewProfileInput): boolean {
  const { evaluator, state, now, at } = input;
  if (!input.includeAnonymousUsers && !isKnownProfile(state)) return false;
  let rebuilt: EvaluatorState = evaluator.initialState();
  for (const event of input.history ?? []) rebuilt = evaluator.observe(rebuilt, event, now);
  // Aligned as a step would align it: a deleted definition's answer reads as the custom trait it becomes.
  const aligned = alignedProfile(state, input.definitions);
  const traits = at === now ? storedTraits(aligned, input.definitions) : traitsAt(aligned, input.definitions, evaluator.traitKeys, at);
  return evaluator.evaluate(evaluator.prune(rebuilt, at), traits, at) === true;
}

/** The traits and answers the profile holds (what the engine shows now). */
function storedTraits(state: AlignedProfile, definitions: DefinitionSet): TraitLookup {
  return (key) => traitOf(state.traits, state.compute.answers, definitions.rankOfKey, key);
}

/**
 * The traits as they will read at `at`: custom traits do not move with time; each definition the
 * preview reads (and each one those read) is evaluated at `at` from its current state, in rank
 * order, and its answer written as the actor writes it.
 */
function traitsAt(state: AlignedProfile, definitions: DefinitionSet, read: ReadonlySet<string>, at: EpochMs): TraitLookup {
  const needed = definitionsRead(definitions, read);
  const stored = storedTraits(state, definitions);
  if (needed.length === 0) return stored;
  const { slots, answers } = state.compute;
  const known = isKnownProfile(state);
  const overlay = new Map<string, Json | undefined>();
  const lookup: TraitLookup = (key) => (overlay.has(key) ? overlay.get(key) : stored(key));
  for (const definition of needed) {
    const { evaluator } = definition;
    // Aligned slots hold states of the live revision only.
    const current = slotState(slots, definition.rank) ?? evaluator.initialState();
    const qualifies = known || definition.includeAnonymousUsers;
    const answer = qualifies ? evaluator.evaluate(evaluator.prune(current, at), lookup, at) : definition.kind === 'audience' ? false : undefined;
    const held = lookup(definition.key);
    const written = answerToWrite(definition, answer, held, slotAt(answers, definition.rank) !== undefined || overlay.has(definition.key));
    if (written !== undefined) overlay.set(definition.key, written === null ? undefined : written);
  }
  return lookup;
}

/** The live definitions whose keys `read` names, and those they read in turn, in rank order. */
function definitionsRead(definitions: DefinitionSet, read: ReadonlySet<string>): CompiledDefinition[] {
  const byKey = new Map(definitions.ordered.map((definition) => [definition.key, definition]));
  const found = new Set<CompiledDefinition>();
  const keys = [...read];
  for (let i = 0; i < keys.length; i++) {
    const definition = byKey.get(keys[i]!);
    if (definition === undefined || found.has(definition)) continue;
    found.add(definition);
    keys.push(...definition.evaluator.traitKeys);
  }
  return [...found].sort((a, b) => a.rank - b.rank);
}
