import type { ValueExpr } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, accumulatorResult } from './accumulator.ts';
import type { InstantSink } from './compare.ts';
import type { TraitLookup } from './definition-evaluator.ts';
import { evaluateCondition, type EvaluationEnv } from './evaluate-condition.ts';
import { firstAfter, reduceOccurrences } from './reduce-occurrences.ts';
import { contribution, type Occurrence, type RootStreamState } from './stream-state.ts';
import { fieldKey, type ChildStreamPlan, type RootStreamPlan, type StreamPlan } from './stream-plan.ts';

type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;
type RetainedState = Extract<RootStreamState, { s: 'retained' }>;

/**
 * A root stream's reduced value at `now`, reporting to `sink` every instant at which it could
 * change by time alone. Kept occurrences are sorted by time, so the due occurrences inside the
 * window are one index range found by binary search: static streams reduce that range directly
 * (a windowed count is a subtraction) and only its edges can move with time; streams with dynamic
 * filters or funnel children test each occurrence of the range.
 */
export function rootStreamValue(plan: RootStreamPlan, state: RootStreamState, traits: TraitLookup, now: number, sink: InstantSink | undefined): Json | undefined {
  if (state.s === 'summary') {
    let acc = state.acc;
    for (const occurrence of state.pending) {
      if (occurrence.t > now) {
        sink?.(occurrence.t);
        break;
      }
      acc = accumulate(plan.reducer, acc, contribution(plan, occurrence));
    }
    return accumulatorResult(plan.reducer, acc);
  }
  const { occ } = state;
  const due = firstAfter(occ, now);
  if (due < occ.length) sink?.(occ[due]!.t);
  const window = plan.stream.window;
  let lo = 0;
  let hi = due;
  if (window?.kind === 'within') {
    lo = firstAfter(occ, now - window.duration.ms);
    if (lo < hi) sink?.(occ[lo]!.t + window.duration.ms);
  } else if (window?.kind === 'between') {
    lo = firstAfter(occ, now - window.end.ms);
    hi = firstAfter(occ, now - window.start.ms);
    if (lo < hi) sink?.(occ[lo]!.t + window.end.ms);
    if (hi < due) sink?.(occ[hi]!.t + window.start.ms);
  }
  if (plan.dynamicWhere.length === 0) return reduceOccurrences(plan.reducer, occ, lo, Math.max(lo, hi), plan.reducerField);
  const filter = dynamicFilter(plan, state, traits, now, sink);
  return reduceOccurrences(plan.reducer, occ, lo, Math.max(lo, hi), plan.reducerField, filter);
}

/**
 * The dynamic part of a stream's `where`, one occurrence at a time. Built once per plan and
 * reused by every evaluation (evaluation is synchronous and never re-entrant for one plan): the
 * walk swaps the occurrence under test in, so no closure is made per occurrence or per call.
 */
interface FilterRuntime {
  state: RetainedState | undefined;
  traits: TraitLookup;
  current: Occurrence | undefined;
  readonly keep: (occurrence: Occurrence) => boolean;
  readonly env: EvaluationEnv;
  readonly child: ChildRuntime;
}

interface ChildRuntime {
  plan: ChildStreamPlan | undefined;
  parent: Occurrence | undefined;
  kid: Occurrence | undefined;
  readonly env: EvaluationEnv;
  readonly keep: (occurrence: Occurrence) => boolean;
  /** What `childValue` answers, read by its caller before the next parent is tested. */
  readonly result: { value: Json | undefined; settled: boolean };
}

const runtimes = new WeakMap<RootStreamPlan, FilterRuntime>();

function dynamicFilter(plan: RootStreamPlan, state: RetainedState, traits: TraitLookup, now: number, sink: InstantSink | undefined): (occurrence: Occurrence) => boolean {
  let runtime = runtimes.get(plan);
  if (runtime === undefined) {
    runtime = createFilterRuntime(plan);
    runtimes.set(plan, runtime);
  }
  runtime.state = state;
  runtime.traits = traits;
  // The clock and the sink live in the two environments the filter evaluates in, nowhere else.
  runtime.env.now = now;
  runtime.env.sink = sink;
  runtime.child.env.now = now;
  runtime.child.env.sink = sink;
  return runtime.keep;
}

function createFilterRuntime(plan: RootStreamPlan): FilterRuntime {
  const childOf = new Map(plan.children.map((child) => [child.stream, child]));
  const env: EvaluationEnv = {
    now: 0,
    sink: undefined,
    trait: (key) => runtime.traits(key),
    field: (source, path) => fieldOf(plan, runtime.current!, source, path),
    parentField: () => undefined,
    aggregate: (node: AggregateExpr) => {
      const child = childOf.get(node.stream);
      if (child === undefined) throw new Error(`no plan for the funnel child event('${node.stream.event}')`);
      return childValue(runtime, child, runtime.state?.kids[child.childIndex] ?? [], runtime.current!);
    },
  };
  const runtime: FilterRuntime = {
    state: undefined,
    traits: () => undefined,
    current: undefined,
    keep: (occurrence) => {
      runtime.current = occurrence;
      let passes = true;
      for (const condition of plan.dynamicWhere) {
        if (evaluateCondition(condition, env) !== true) {
          passes = false;
          // Without a sink the answer is known; with one, later conditions still report instants.
          if (env.sink === undefined) break;
        }
      }
      return passes;
    },
    env,
    child: createChildRuntime(plan, () => runtime),
  };
  return runtime;
}

function createChildRuntime(parentPlan: RootStreamPlan, parentRuntime: () => FilterRuntime): ChildRuntime {
  const child: ChildRuntime = {
    plan: undefined,
    parent: undefined,
    kid: undefined,
    env: {
      now: 0,
      sink: undefined,
      trait: (key) => parentRuntime().traits(key),
      field: (source, path) => fieldOf(child.plan!, child.kid!, source, path),
      parentField: (path) => fieldOf(parentPlan, child.parent!, 'property', path),
      aggregate: () => {
        throw new Error('funnels nest one level');
      },
    },
    keep: (occurrence) => {
      child.kid = occurrence;
      for (const condition of child.plan!.dynamicWhere) if (evaluateCondition(condition, child.env) !== true) return false;
      return true;
    },
    result: { value: undefined, settled: false },
  };
  return child;
}

/**
 * A funnel child's value for one parent occurrence: its children in `(p.t, p.t + D]` that are due
 * and pass the child's dynamic filters. Unsettled while `p.t + D` is still ahead.
 */
function childValue(runtime: FilterRuntime, plan: ChildStreamPlan, kids: readonly Occurrence[], parent: Occurrence): { value: Json | undefined; settled: boolean } {
  const { child } = runtime;
  const { now, sink } = runtime.env;
  child.plan = plan;
  child.parent = parent;
  const close = parent.t + plan.windowMs;
  const lo = firstAfter(kids, parent.t);
  const end = firstAfter(kids, Math.min(close, now));
  const beyond = firstAfter(kids, close);
  // A child inside the window but not yet due joins when its time comes.
  if (end < beyond) sink?.(kids[end]!.t);
  const settled = now >= close;
  if (!settled) sink?.(close);
  const value = reduceOccurrences(plan.reducer, kids, lo, Math.max(lo, end), plan.reducerField, plan.dynamicWhere.length === 0 ? undefined : child.keep);
  child.result.value = value;
  child.result.settled = settled;
  return child.result;
}

function fieldOf(plan: StreamPlan, occurrence: Occurrence, source: 'property' | 'context', path: string): Json | undefined {
  const index = plan.fieldIndex.get(fieldKey({ source, path }));
  if (index === undefined) throw new Error(`field ${source}('${path}') was not projected`);
  return occurrence.v[index] ?? undefined;
}
