import type { Comparator, DefinitionAst } from '../definitions/ast.ts';
import { applyComparator } from './compare.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { Json } from '../shared/json.ts';
import type { InstantSink } from './compare.ts';
import type { DefinitionEvaluator, EvaluatorState, TraitLookup } from './definition-evaluator.ts';
import { definitionDependencies } from '../definitions/definition-dependencies.ts';
import { countNeeded, evaluateCondition, evaluateValue, type EvaluationEnv } from './evaluate-condition.ts';
import { captureInstant, isCapturing, resetCaptures } from './instant-capture.ts';
import { occurrenceName } from './occurrence.ts';
import { planStreams, type RootStreamPlan } from './stream-plan.ts';
import { initialStreamState, mergeStreams, observeStream, pruneStream, upgradeStreamState, type RootStreamState } from './stream-state.ts';
import { rootStreamValue } from './stream-value.ts';
import { settleStream } from './settle-funnel.ts';

/** How many of an audience's candidate instants are tried for the first that flips its answer. */
const AUDIENCE_LOOKAHEAD = 4;

/**
 * Compiles a checked definition into its incremental evaluator (once per definition, not per
 * event). The state holds one entry per root stream; see `stream-plan.ts` for how each is kept.
 */
export function compileDefinition(ast: DefinitionAst): DefinitionEvaluator {
  const { roots } = planStreams(ast.root);
  const eventNames = new Set<string>();
  for (const plan of roots) {
    eventNames.add(plan.stream.event);
    for (const child of plan.children) eventNames.add(child.stream.event);
  }
  const traitKeys: ReadonlySet<string> = new Set(definitionDependencies(ast).traitKeys);
  const planOfStream = new Map(roots.map((plan) => [plan.stream, plan]));
  const initial = stateOf(roots.map(initialStreamState));
  // What `rootsOf` fills for a state of one root stream; read within one call, never kept.
  const scratch: RootStreamState[] = [];
  /** The state's streams in today's layout, in an array of their own (`merge` keeps it). */
  const streamsOf = (state: EvaluatorState): readonly RootStreamState[] => {
    const stored = rootsOf(state, []);
    return upgradedRoots(roots, stored) ?? stored;
  };

  // One environment per evaluator, reused by every evaluation (they never overlap: evaluation is
  // synchronous), so the hot path builds no closures. `current*` hold the evaluation's inputs.
  let currentStreams: readonly RootStreamState[] = [];
  let currentTraits: TraitLookup = () => undefined;
  const values: Array<Json | undefined> = new Array(roots.length);
  const computed: boolean[] = new Array(roots.length).fill(false);
  // Read by the caller before the next aggregate is asked for, so one object serves them all.
  const aggregateResult: { value: Json | undefined; settled: boolean; closeAt: number; quiet: boolean } = { value: undefined, settled: true, closeAt: Number.POSITIVE_INFINITY, quiet: true };
  const env: EvaluationEnv = {
    now: 0,
    sink: undefined,
    decided: undefined,
    trait: (key) => currentTraits(key),
    field: () => {
      throw new Error('property() outside where()');
    },
    parentField: () => {
      throw new Error('property(parent:) outside a funnel');
    },
    aggregate: (node, countAtLeast) => {
      const plan = planOfStream.get(node.stream);
      if (plan === undefined) throw new Error(`no plan for event('${node.stream.event}')`);
      if (!computed[plan.index]) {
        values[plan.index] = rootStreamValue(plan, currentStreams[plan.index]!, currentTraits, env.now, env.sink, countAtLeast);
        computed[plan.index] = true;
      }
      aggregateResult.value = values[plan.index];
      return aggregateResult;
    },
  };

  // The most common shapes skip the generic walk: a computed trait that is one stream's reduction,
  // and an audience that compares one stream's reduction with a literal.
  const single = roots.length === 1 ? roots[0] : undefined;
  const directValue = single !== undefined && ast.kind === 'computed_trait' && ast.root.kind === 'aggregate';
  const directComparison =
    single !== undefined && ast.kind === 'audience' && ast.root.kind === 'comparison' && ast.root.subject.kind === 'aggregate' && literalOperand(ast.root.comparator);
  const directOperands = directComparison && ast.root.kind === 'comparison' ? literalOperands(ast.root.comparator) : [];
  const directCountAtLeast = directComparison && ast.root.kind === 'comparison' && ast.root.subject.kind === 'aggregate' ? countNeeded(ast.root.subject.reducer, ast.root.comparator) : undefined;

  function answer(state: EvaluatorState, traits: TraitLookup, now: number, sink: InstantSink | undefined): Json | undefined {
    // Set first: the `earliest` sink filters by `env.now`, on the direct paths too.
    currentStreams = rootsOf(state, scratch);
    currentTraits = traits;
    env.now = now;
    env.sink = sink;
    if (directValue) return rootStreamValue(single!, currentStreams[0]!, traits, now, sink) ?? undefined;
    if (directComparison && ast.root.kind === 'comparison') {
      const value = rootStreamValue(single!, currentStreams[0]!, traits, now, sink, directCountAtLeast);
      return applyComparator(ast.root.comparator, value, directOperands, now, sink);
    }
    computed.fill(false);
    if (ast.kind === 'audience') return evaluateCondition(ast.root, env) === true;
    // A computed trait's null is no value (SEMANTICS.md, "Values").
    return evaluateValue(ast.root, env) ?? undefined;
  }

  let next: number | undefined;
  // Inside a junction's operand the instant goes to its capture frame (see instant-capture.ts).
  const earliest: InstantSink = (instant) => {
    if (instant <= env.now) return;
    if (isCapturing()) captureInstant(instant);
    else if (next === undefined || instant < next) next = instant;
  };

  function evaluateWithNextChange(state: EvaluatorState, traits: TraitLookup, now: number): { value: Json | undefined; nextChangeAt: number | undefined } {
    next = undefined;
    resetCaptures();
    const value = answer(state, traits, now, earliest);
    return { value, nextChangeAt: next };
  }

  /**
   * An audience's instants are where an input can move (an occurrence leaving a window, one
   * coming due), not always where its answer flips: a non-member of `count() >= 2` with one
   * occurrence loses it and stays out. Each such instant would be a timer row, a wake-up and a
   * step that changes nothing, so the candidates are tried in order (the state and the traits
   * stay as they are until then) and the first that flips the answer is named; after
   * `AUDIENCE_LOOKAHEAD` tries the next candidate is named as it is, which the contract allows.
   */
  function firstFlip(state: EvaluatorState, traits: TraitLookup, value: Json | undefined, first: number): number | undefined {
    if (ast.kind !== 'audience') return first;
    let candidate: number | undefined = first;
    for (let tried = 0; candidate !== undefined && tried < AUDIENCE_LOOKAHEAD; tried++) {
      const at: number = candidate;
      next = undefined;
      resetCaptures();
      if (answer(state, traits, at, earliest) !== value) return at;
      candidate = next;
    }
    return candidate;
  }

  const initialAnswer = traitKeys.size > 0 ? undefined : constantInitialAnswer(() => evaluateWithNextChange(initial, () => undefined, 0));

  return {
    ast,
    eventNames,
    traitKeys,
    initialAnswer,
    monotone: isMonotone(ast, roots),
    // States are immutable, so every profile can start from one shared initial state.
    initialState: () => initial,
    observe(state, event: TrackedEvent, now) {
      const name = occurrenceName(event);
      if (name === undefined || !eventNames.has(name)) return state;
      if (single !== undefined) {
        const stored = rootsOf(state, scratch)[0]!;
        const after = observeStream(single, upgradeStreamState(single, stored), event, now);
        return after === stored ? state : (after as unknown as EvaluatorState);
      }
      const stored = rootsOf(state, scratch);
      let changed = upgradedRoots(roots, stored);
      const streams = changed ?? stored;
      for (const plan of roots) {
        const before = streams[plan.index]!;
        const after = observeStream(plan, before, event, now);
        if (after !== before) (changed ??= streams.slice())[plan.index] = after;
      }
      return changed === undefined ? state : stateOf(changed);
    },
    prune(state, now) {
      if (single !== undefined) {
        const stored = rootsOf(state, scratch)[0]!;
        const after = settleStream(single, pruneStream(single, upgradeStreamState(single, stored), now), now);
        return after === stored ? state : (after as unknown as EvaluatorState);
      }
      const stored = rootsOf(state, scratch);
      let changed = upgradedRoots(roots, stored);
      const streams = changed ?? stored;
      for (const plan of roots) {
        const before = streams[plan.index]!;
        const after = settleStream(plan, pruneStream(plan, before, now), now);
        if (after !== before) (changed ??= streams.slice())[plan.index] = after;
      }
      return changed === undefined ? state : stateOf(changed);
    },
    advance(state, event, now) {
      const name = event === undefined ? undefined : occurrenceName(event);
      const observed = name !== undefined && eventNames.has(name) ? event : undefined;
      // An event of a name this definition does not read leaves its state as it was (see advanceStream).
      if (event !== undefined && observed === undefined) return state;
      if (single !== undefined) {
        const stored = rootsOf(state, scratch)[0]!;
        const after = advanceStream(single, stored, observed, now);
        return after === stored ? state : (after as unknown as EvaluatorState);
      }
      const streams = rootsOf(state, scratch);
      let changed: RootStreamState[] | undefined;
      for (const plan of roots) {
        const before = streams[plan.index]!;
        const after = advanceStream(plan, before, observed, now);
        if (after !== before) (changed ??= streams.slice())[plan.index] = after;
      }
      return changed === undefined ? state : stateOf(changed);
    },
    upgrade(state) {
      const upgraded = upgradedRoots(roots, rootsOf(state, scratch));
      return upgraded === undefined ? state : stateOf(upgraded);
    },
    evaluate: (state, traits, now) => answer(state, traits, now, undefined),
    nextChangeAt(state, traits, now) {
      const { value, nextChangeAt } = evaluateWithNextChange(state, traits, now);
      return nextChangeAt === undefined ? undefined : firstFlip(state, traits, value, nextChangeAt);
    },
    firstFlip,
    evaluateWithNextChange,
    merge(winner, loser) {
      const a = streamsOf(winner);
      const b = streamsOf(loser);
      return stateOf(roots.map((plan) => mergeStreams(plan, a[plan.index]!, b[plan.index]!)));
    },
  };
}

/**
 * A stream's state after `advance`: the occurrence observed, then pruned. A stream the event
 * reached but left as it was (its filters dropped the occurrence, or in a definition of several
 * streams the event is another stream's) is not pruned: what is dead in it changes no answer
 * (windows are searched from their start), the step then skips it, and pruning it meant reading
 * lists no other work of the step touched, far apart in memory. Its dead occurrences go at its
 * next change, or its next step with no event (a timer, a backfill, a merge).
 */
function advanceStream(plan: RootStreamPlan, stored: RootStreamState, event: TrackedEvent | undefined, now: number): RootStreamState {
  if (event === undefined) return settleStream(plan, pruneStream(plan, stored, now), now);
  const observed = observeStream(plan, stored, event, now);
  return observed === stored ? stored : settleStream(plan, pruneStream(plan, observed, now), now);
}

/**
 * With no trait read, the initial state's answer depends on the instant alone, and with no next
 * change (at the earliest instant, 0) it never moves: one answer for every profile, ever. An
 * evaluator that cannot answer it (a bug) gets none here, so its failure surfaces in the step
 * that evaluates it, where the runtime keeps LMDB the truth, not in compiling the whole set.
 */
function constantInitialAnswer(atZero: () => { value: Json | undefined; nextChangeAt: number | undefined }): DefinitionEvaluator['initialAnswer'] {
  let answer: { value: Json | undefined; nextChangeAt: number | undefined };
  try {
    answer = atZero();
  } catch {
    return undefined;
  }
  return answer.nextChangeAt === undefined ? { value: answer.value, nextChangeAt: undefined } : undefined;
}

function isMonotone(ast: DefinitionAst, roots: readonly RootStreamPlan[]): boolean {
  if (ast.kind !== 'audience' || ast.root.kind !== 'comparison' || roots.length !== 1) return false;
  const { comparator, subject } = ast.root;
  const plan = roots[0]!;
  if (subject.kind !== 'aggregate' || plan.reducer.kind !== 'count' || plan.dynamicWhere.length > 0) return false;
  if (comparator.op !== 'at_least' && comparator.op !== 'greater_than') return false;
  return comparator.operand.kind === 'literal' && typeof comparator.operand.value === 'number';
}

function literalOperand(comparator: Comparator): boolean {
  if ('operand' in comparator) return comparator.operand.kind === 'literal';
  if ('operands' in comparator) return comparator.operands.every((operand) => operand.kind === 'literal');
  return true;
}

/** The operands of a comparator whose operands are all literals. */
function literalOperands(comparator: Comparator): ReadonlyArray<Json | undefined> {
  if ('operand' in comparator) return comparator.operand.kind === 'literal' ? [comparator.operand.value] : [undefined];
  if ('operands' in comparator) return comparator.operands.map((operand) => (operand.kind === 'literal' ? operand.value : undefined));
  return [];
}

/**
 * The one place the opaque `EvaluatorState` of the port is read as this module's own layout: a
 * definition of one root stream (most of them) keeps that stream's state as it is; one of several
 * keeps `{version: 1, streams}`, the layout every state had before (so states stored then still
 * read). The wrapper and its array were two more objects to allocate, retain and collect per
 * changed state. A single stream's state is put in `into`, which the caller must not keep. (A
 * stream's state may be a bare list, `stream-state.ts`: an array stands in for the record type.)
 */
function rootsOf(state: EvaluatorState, into: RootStreamState[]): readonly RootStreamState[] {
  // A stream state is a list (a retained stream without funnel children) or carries `s`.
  if (Array.isArray(state) || state['s'] !== undefined) {
    into[0] = state as unknown as RootStreamState;
    return into;
  }
  return state['streams'] as readonly RootStreamState[];
}

/**
 * The streams' states with lists stored before they were flat brought to today's layout (see
 * `upgradeStreamState`); undefined when every one already is.
 */
function upgradedRoots(roots: readonly RootStreamPlan[], streams: readonly RootStreamState[]): RootStreamState[] | undefined {
  let upgraded: RootStreamState[] | undefined;
  for (const plan of roots) {
    const state = streams[plan.index]!;
    const current = upgradeStreamState(plan, state);
    if (current !== state) (upgraded ??= streams.slice())[plan.index] = current;
  }
  return upgraded;
}

function stateOf(streams: readonly RootStreamState[]): EvaluatorState {
  if (streams.length === 1) return streams[0] as unknown as EvaluatorState;
  return { version: 1, streams };
}
