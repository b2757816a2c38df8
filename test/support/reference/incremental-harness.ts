import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { isDeepStrictEqual } from 'node:util';
import type { DefinitionEvaluator, EvaluatorState, TraitLookup } from '../../../src/compute/definition-evaluator.ts';
import type { DefinitionAst } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { EpochMs } from '../../../src/shared/ids.ts';
import type { Json } from '../../../src/shared/json.ts';
import { DAY, HOUR } from './ast-builders.ts';
import { type AstFacts, factsOf } from './ast-walk.ts';
import { definitionArb } from './definition-arbitraries.ts';
import { referenceAnswer } from './reference-evaluator.ts';
import { type Scenario, formatInstant, scenarioArb, traitsAfter } from './scenario.ts';
import { readTime } from './values.ts';
import { seededRandom } from '../seeded-random.ts';

/**
 * Holds an incremental `DefinitionEvaluator` to the reference evaluator with fast-check:
 *
 * - replay: events are observed in arrival order, each at its `receivedAt` (its timestamp may be
 *   earlier or later); after each, and at instants between arrivals (aimed at window edges) and
 *   after the last, `evaluate` must equal the reference over the events arrived so far;
 * - nextChangeAt: at each of those instants, the reference answer must stay the same from `now`
 *   up to the instant returned (excluded; `t - 1` is always checked), or for a long time when it
 *   returns undefined: a change may be announced early, never missed;
 * - merge: a prefix of the arrivals is split between two profiles, folded separately, merged
 *   (either way round), and the rest observed on the merged state, checked as in the replay.
 *
 * Along the way `prune` runs at random instants, traits change at random arrivals, states make a
 * msgpackr round trip, and `observe`/`advance`/`prune` must not mutate the state they are given. A failure
 * throws fast-check's report: the scenario (definition in the query language, events in arrival
 * order) and the message naming the instant and both answers.
 *
 * Usage, from the incremental evaluator's own test:
 *
 *     it('agrees with the reference', () => checkIncrementalAgainstReference(compileDefinition));
 *
 * and, while a feature is missing, narrow the definitions: `{ definitions: definitionArb({ funnels: false }) }`.
 */

export interface HarnessOptions {
  /** Runs per property (default 200). */
  readonly numRuns?: number;
  readonly seed?: number;
  /** Report the first counterexample as found, without shrinking it (faster, for self-tests). */
  readonly endOnFailure?: boolean;
  /** The definitions to try (default `definitionArb()`: everything but account quantifiers). */
  readonly definitions?: fc.Arbitrary<DefinitionAst>;
  /** Run one property only (default both): 'replay' (one profile) or 'merge' (two, merged). */
  readonly only?: 'replay' | 'merge';
  /** How many events a profile's history has (default 0–18: enough to interact, quick to check). */
  readonly events?: { readonly min: number; readonly max: number };
}

export function checkIncrementalAgainstReference(compile: (ast: DefinitionAst) => DefinitionEvaluator, options: HarnessOptions = {}): void {
  const scenarios = scenarioArb(options.definitions ?? definitionArb(), options.events === undefined ? {} : { minEvents: options.events.min, maxEvents: options.events.max });
  const parameters: fc.Parameters<[Scenario]> = {
    numRuns: options.numRuns ?? 200,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.endOnFailure === true ? { endOnFailure: true } : {}),
    // The message names the instant and both answers; as a mere `cause` it would go unprinted.
    includeErrorInReport: true,
  };
  for (const property of ['replay', 'merge'] as const) {
    if (options.only !== undefined && options.only !== property) continue;
    fc.assert(
      fc.property(scenarios, (scenario) => replay(compile, scenario, property)),
      parameters,
    );
  }
}

/** Far enough past every generated instant and window that nothing can change after it. */
const FAR_FUTURE = 400 * DAY;
/** Instants checked between arrivals, after the last one, and inside each nextChangeAt span. */
const PROBES_BETWEEN = 2;
const PROBES_AFTER = 4;
const NEXT_CHANGE_SAMPLES = 3;

/** One profile's evaluator state and the events it has observed. */
interface Profile {
  state: EvaluatorState;
  readonly arrived: TrackedEvent[];
}

function replay(compile: (ast: DefinitionAst) => DefinitionEvaluator, scenario: Scenario, property: 'replay' | 'merge'): void {
  const withMerge = property === 'merge';
  const evaluator = compile(scenario.definition);
  const facts = factsOf(scenario.definition);
  checkDeclarations(evaluator, facts);
  const random = seededRandom(scenario.seed);
  const edges = edgeInstants(scenario, facts);
  const mergeAfter = withMerge ? scenario.mergeAfter : 0;

  let profile: Profile = { state: evaluator.initialState(), arrived: [] };
  const loser: Profile = { state: evaluator.initialState(), arrived: [] };
  let clock = (scenario.arrivals[0]?.receivedAt ?? edges[0] ?? 0) - HOUR;
  const check = (at: EpochMs, step: string): void => checkAt(evaluator, scenario, profile, at, `${property}: ${step}`, random, edges);
  check(clock, 'before any arrival');

  scenario.arrivals.forEach((event, i) => {
    const now = event.receivedAt;
    if (!withMerge || i >= mergeAfter) {
      for (const at of probesBetween(clock, now, edges, random, PROBES_BETWEEN)) {
        profile.state = maybePrune(evaluator, profile.state, at, random);
        check(at, `between arrivals ${i} and ${i + 1}`);
      }
    }
    const target = i < mergeAfter && scenario.toLoser[i] === true ? loser : profile;
    target.state = observeChecked(evaluator, target.state, event, now, random);
    target.arrived.push(event);
    target.state = maybePrune(evaluator, target.state, now, random);
    clock = now;
    if (i + 1 === mergeAfter) {
      const secondWins = random() < 0.5;
      const [winner, other] = secondWins ? [loser, profile] : [profile, loser];
      const before = structuredClone([winner.state, other.state]);
      const merged = evaluator.merge(winner.state, other.state);
      if (!isDeepStrictEqual([winner.state, other.state], before)) throw new Error(`merge at ${formatInstant(now)} mutated a state it was given`);
      profile = { state: merged, arrived: [...winner.arrived, ...other.arrived] };
      check(now, `merged after arrival ${i + 1}, ${loser.arrived.length} of them on the second profile, which ${secondWins ? 'won' : 'lost'}`);
    } else if (!withMerge || i >= mergeAfter) {
      check(now, `after arrival ${i + 1} (${event.messageId})`);
    }
  });

  for (const at of probesBetween(clock, clock + 6 * DAY, edges, random, PROBES_AFTER)) {
    profile.state = maybePrune(evaluator, profile.state, at, random);
    check(at, 'after the last arrival');
  }
}

/** `eventNames` and `traitKeys` route events and trait changes to the evaluator: nothing may be missing. */
function checkDeclarations(evaluator: DefinitionEvaluator, facts: AstFacts): void {
  for (const stream of facts.streams) {
    if (!evaluator.eventNames.has(stream.event)) throw new Error(`eventNames lacks '${stream.event}', a stream of the definition`);
  }
  for (const key of facts.traitKeys) if (!evaluator.traitKeys.has(key)) throw new Error(`traitKeys lacks '${key}', read by the definition`);
}

function checkAt(evaluator: DefinitionEvaluator, scenario: Scenario, profile: Profile, now: EpochMs, step: string, random: () => number, edges: readonly EpochMs[]): void {
  const traits = traitsAfter(scenario, profile.arrived.length);
  const lookup: TraitLookup = (key) => traits[key];
  const reference = (at: EpochMs): Json | undefined => referenceAnswer(scenario.definition, { events: profile.arrived, traits }, at);
  const where = `${step}, ${profile.arrived.length} events observed, traits ${JSON.stringify(traits)}`;

  const expected = reference(now);
  const actual = evaluator.evaluate(profile.state, lookup, now);
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`evaluate at ${formatInstant(now)} (${where}): expected ${show(expected)}, got ${show(actual)}`);
  }

  const next = evaluator.nextChangeAt(profile.state, lookup, now);
  if (next !== undefined && !(next > now)) throw new Error(`nextChangeAt at ${formatInstant(now)} (${where}) returned ${formatInstant(next)}, not after now`);
  const end = next ?? now + FAR_FUTURE;
  const samples = new Set<EpochMs>([end - 1]);
  const inside = edges.filter((e) => e > now && e < end);
  for (let i = 0; i < NEXT_CHANGE_SAMPLES; i++) {
    samples.add(inside.length > 0 && random() < 0.7 ? pick(inside, random) : now + Math.floor(random() * (end - now)));
  }
  for (const at of [...samples].sort((a, b) => a - b)) {
    const later = reference(at);
    if (!isDeepStrictEqual(later, expected)) {
      const promised = next === undefined ? 'no change ever (undefined)' : `no change before ${formatInstant(next)}`;
      throw new Error(`nextChangeAt at ${formatInstant(now)} (${where}) promised ${promised}, but the reference answers ${show(later)} at ${formatInstant(at)} instead of ${show(expected)}`);
    }
  }
}

/**
 * Observes `event`, checking that the given state is left as it was and survives msgpackr: half
 * the time through `observe`, half through `advance` (observe and prune in one pass, as the
 * actor's step does).
 */
function observeChecked(evaluator: DefinitionEvaluator, state: EvaluatorState, event: TrackedEvent, now: EpochMs, random: () => number): EvaluatorState {
  const input = random() < 0.3 ? roundTrip(state) : state;
  const before = structuredClone(input);
  const advancing = random() < 0.5;
  const after = advancing ? evaluator.advance(input, event, now) : evaluator.observe(input, event, now);
  if (!isDeepStrictEqual(input, before)) throw new Error(`${advancing ? 'advance' : 'observe'}(${event.messageId}) at ${formatInstant(now)} mutated the state it was given`);
  return after;
}

function maybePrune(evaluator: DefinitionEvaluator, state: EvaluatorState, now: EpochMs, random: () => number): EvaluatorState {
  if (random() >= 0.4) return state;
  const before = structuredClone(state);
  const after = evaluator.prune(state, now);
  if (!isDeepStrictEqual(state, before)) throw new Error(`prune at ${formatInstant(now)} mutated the state it was given`);
  return after;
}

/** The state as it comes back from storage (msgpackr): plain data survives, anything else breaks. */
function roundTrip(state: EvaluatorState): EvaluatorState {
  // msgpackr's unpack is untyped; the value is what was packed, an EvaluatorState, if it round-trips.
  return unpack(pack(state)) as EvaluatorState;
}

/**
 * Instants where answers tend to change, one millisecond either side included: every timestamp
 * and timestamp + window length, and every value that reads as a date (in properties, context,
 * traits, literals) ± each relative-date length.
 */
function edgeInstants(scenario: Scenario, facts: AstFacts): EpochMs[] {
  const bases: number[] = [];
  const dates = (value: Json | undefined): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach(dates);
    else if (typeof value === 'object') Object.values(value).forEach(dates);
    else {
      const t = readTime(value);
      if (t !== undefined) for (const d of [0, ...facts.relativeDateMs]) bases.push(t - d, t + d);
    }
  };
  for (const e of scenario.arrivals) {
    bases.push(e.timestamp, e.receivedAt);
    for (const w of facts.windowMs) bases.push(e.timestamp + w);
    dates(e.properties);
    dates(e.context);
  }
  scenario.traits.forEach(dates);
  const edges = new Set<number>();
  for (const b of bases) for (const delta of [-1, 0, 1]) edges.add(b + delta);
  return [...edges].sort((a, b) => a - b);
}

/** Up to `count` instants strictly between `from` and `to`, ascending: mostly edges, some anywhere. */
function probesBetween(from: EpochMs, to: EpochMs, edges: readonly EpochMs[], random: () => number, count: number): EpochMs[] {
  if (to - from < 2) return [];
  const inside = edges.filter((e) => e > from && e < to);
  const picks = new Set<EpochMs>();
  for (let i = 0; i < count; i++) {
    if (random() < 0.3) continue;
    picks.add(inside.length > 0 && random() < 0.75 ? pick(inside, random) : from + 1 + Math.floor(random() * (to - from - 1)));
  }
  return [...picks].sort((a, b) => a - b);
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function show(value: Json | undefined): string {
  return value === undefined ? 'undefined (absent)' : JSON.stringify(value);
}

