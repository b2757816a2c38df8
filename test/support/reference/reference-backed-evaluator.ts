import { isDeepStrictEqual } from 'node:util';
import type { DefinitionAst } from '../../../src/definitions/ast.ts';
import type { DefinitionEvaluator, EvaluatorState, TraitLookup } from '../../../src/compute/definition-evaluator.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { EpochMs } from '../../../src/shared/ids.ts';
import type { Json } from '../../../src/shared/json.ts';
import { factsOf } from './ast-walk.ts';
import { isOccurrenceOf } from './event-fields.ts';
import { referenceAnswerSeeing } from './reference-evaluator.ts';

/**
 * A `DefinitionEvaluator` that is correct by construction: its state is every relevant event, and
 * every answer is the reference's. It exists to prove the harness (the harness must pass with it
 * and fail with broken variants of it), and as a stand-in wherever a correct evaluator is needed.
 */

/** How many candidate instants `nextChangeAt` evaluates before answering early (allowed) with the next one. */
const CANDIDATES_TRIED = 6;

export function compileReferenceBacked(ast: DefinitionAst): DefinitionEvaluator {
  const facts = factsOf(ast);
  const eventNames: ReadonlySet<string> = new Set(facts.streams.map((s) => s.event));
  const relevant = (e: TrackedEvent): boolean => [...eventNames].some((name) => isOccurrenceOf(e, name));
  const traitsOf = (lookup: TraitLookup): Record<string, Json> => {
    const traits: Record<string, Json> = {};
    for (const key of facts.traitKeys) {
      const value = lookup(key);
      if (value !== undefined) traits[key] = value;
    }
    return traits;
  };
  const answerAt = (events: readonly TrackedEvent[], traits: Record<string, Json>, now: EpochMs, seen?: (t: number) => void): Json | undefined =>
    referenceAnswerSeeing(ast, { events, traits }, now, seen);

  const empty = stateOf([]);
  const evaluator: DefinitionEvaluator = {
    ast,
    eventNames,
    traitKeys: facts.traitKeys,
    monotone: false,
    initialAnswer: undefined,
    // Its nextChangeAt already names the first flip.
    firstFlip: (_state, _lookup, _value, candidate) => candidate,
    initialState: () => empty,
    observe: (state, event) => (relevant(event) ? stateOf([...eventsOf(state), event]) : state),
    // Nothing is dropped: the whole point is to hold every event the reference may need.
    prune: (state) => state,
    advance: (state, event, now) => (event === undefined ? state : evaluator.observe(state, event, now)),
    // Its states have had one layout only.
    upgrade: (state) => state,
    evaluate: (state, lookup, now) => answerAt(eventsOf(state), traitsOf(lookup), now),
    nextChangeAt(state, lookup, now) {
      const events = eventsOf(state);
      const traits = traitsOf(lookup);
      // The answer can flip only where an occurrence comes due (ts), crosses a window edge
      // (ts + a window length, which covers a funnel child window closing at parent.ts + D), or
      // where a relative-date comparison crosses its bound. The last depend on the values read,
      // which are constant until the next candidate: collect them at each instant tried.
      const candidates = new Set<number>();
      for (const e of events) for (const offset of [0, ...facts.windowMs]) candidates.add(e.timestamp + offset);
      const seen = (t: number): void => {
        for (const d of facts.relativeDateMs) for (const x of [t - d, t, t + d]) candidates.add(Math.ceil(x)).add(Math.floor(x) + 1);
      };
      const before = answerAt(events, traits, now, seen);
      let at = now;
      for (let tried = 0; ; tried++) {
        const next = Math.min(...[...candidates].filter((c) => c > at));
        if (next === Infinity) return undefined;
        // Answering early is allowed: the actor wakes, finds nothing changed, and asks again.
        if (tried === CANDIDATES_TRIED) return next;
        at = next;
        if (!isDeepStrictEqual(answerAt(events, traits, at, seen), before)) return at;
      }
    },
    evaluateWithNextChange: (state, lookup, now) => ({ value: evaluator.evaluate(state, lookup, now), nextChangeAt: evaluator.nextChangeAt(state, lookup, now) }),
    merge: (winner, loser) => {
      const ids = new Set(eventsOf(winner).map((e) => e.messageId));
      return stateOf([...eventsOf(winner), ...eventsOf(loser).filter((e) => !ids.has(e.messageId))]);
    },
  };
  return evaluator;
}

function stateOf(events: readonly TrackedEvent[]): EvaluatorState {
  return { events };
}

export function eventsOf(state: EvaluatorState): readonly TrackedEvent[] {
  const events = state['events'];
  if (!Array.isArray(events)) throw new Error('reference-backed evaluator: not one of its states');
  // Its own states only (checked above): plain event records, as `observe` stored them.
  return events as readonly TrackedEvent[];
}
