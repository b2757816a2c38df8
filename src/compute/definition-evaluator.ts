import type { DefinitionAst } from '../definitions/ast.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';

/** Reads a profile's current trait value (custom, computed or audience); undefined when absent. */
export type TraitLookup = (key: string) => Json | undefined;

/**
 * One definition's per-profile incremental state: plain data (msgpackr round-trips it), opaque to
 * all but the evaluator that made it, which lays it out (`compile-definition.ts`, `rootsOf`).
 */
export type EvaluatorState = Readonly<Record<string, unknown>>;

/**
 * A compiled definition: pure functions over its per-profile state. The answer is a function of
 * (state, traits, now) alone, so the actor can evaluate after each event and each timer, and a
 * replay of the same inputs gives the same answers.
 */
export interface DefinitionEvaluator {
  readonly ast: DefinitionAst;
  /** Event names whose occurrences can change the state (`Page Viewed` for page calls, …). */
  readonly eventNames: ReadonlySet<string>;
  /** Trait keys the answer reads (custom traits, other audiences and computed traits). */
  readonly traitKeys: ReadonlySet<string>;
  /**
   * True for an audience that one more occurrence can never turn false, at any instant (a
   * statically filtered `count() >= k` or `> k`): once a member, a new event cannot make it
   * exit, and its next change can only move later. The actor then skips evaluating it.
   */
  readonly monotone: boolean;
  /** The same object on every call: a state equal to it by identity has seen no event. */
  initialState(): EvaluatorState;
  /**
   * The answer of the initial state when it is the same on every profile at every instant (the
   * definition reads no trait, and the initial state has no next change); undefined otherwise.
   */
  readonly initialAnswer: { readonly value: Json | undefined; readonly nextChangeAt: undefined } | undefined;
  /**
   * Folds one event into the state, arriving at `now` (its timestamp may be earlier: late, or
   * later: future-dated). Returns the same object when the event cannot matter.
   */
  observe(state: EvaluatorState, event: TrackedEvent, now: EpochMs): EvaluatorState;
  /**
   * Drops or folds what can no longer change the answer at `now` or later (occurrences that left
   * every window, future-dated ones that came due). Returns the same object when nothing changed.
   */
  prune(state: EvaluatorState, now: EpochMs): EvaluatorState;
  /**
   * `observe` (when `event` is given) then `prune`, in one pass over a state in today's layout
   * (`upgrade`): what the actor's step does to each definition it wakes. An event that leaves the
   * state as it was (filtered out, or of a name the definition does not read) leaves it unpruned
   * too, the same object: what is dead in a state changes no answer, only its size.
   */
  advance(state: EvaluatorState, event: TrackedEvent | undefined, now: EpochMs): EvaluatorState;
  /**
   * The state in today's layout: the same object when it already is. States read from storage
   * may have been written by an earlier version; `observe`, `prune` and `merge` take either, and
   * `advance` and the evaluations take only states passed through here (the actor aligns every
   * loaded state once, `alignComputeStates`), so the hot path tests no layout.
   */
  upgrade(state: EvaluatorState): EvaluatorState;
  /**
   * The answer at `now`: a boolean for an audience; for a computed trait its value, or undefined
   * when it has none (absent).
   */
  evaluate(state: EvaluatorState, traits: TraitLookup, now: EpochMs): Json | undefined;
  /**
   * The earliest instant after `now` at which `evaluate` could answer differently with no new
   * event and no trait change (a window edge, a future-dated occurrence coming due, a funnel
   * child window closing, a relative-date comparison crossing its bound); undefined if never.
   * It may name an instant at which nothing changes in the end (the actor then re-arms), never
   * one later than the true change.
   */
  nextChangeAt(state: EvaluatorState, traits: TraitLookup, now: EpochMs): EpochMs | undefined;
  /**
   * From `candidate`, an instant `evaluateWithNextChange` named, the first instant at which the
   * answer is no longer `value`, trying a few candidates in order (an audience's first candidate
   * is often where an input moves but its answer stays); at worst a later candidate, or
   * `candidate` itself. Worth its extra evaluations only when it decides whether a timer is armed.
   */
  firstFlip(state: EvaluatorState, traits: TraitLookup, value: Json | undefined, candidate: EpochMs): EpochMs | undefined;
  /** `evaluate` and the first candidate instant of `nextChangeAt` in one pass (what the actor calls after each step). */
  evaluateWithNextChange(state: EvaluatorState, traits: TraitLookup, now: EpochMs): { readonly value: Json | undefined; readonly nextChangeAt: EpochMs | undefined };
  /** The state of a profile that absorbed another (identity merge): as if it had seen both histories. */
  merge(winner: EvaluatorState, loser: EvaluatorState): EvaluatorState;
}
