import type { ValueExpr } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, accumulatorResult, emptyAccumulator } from './accumulator.ts';
import type { InstantSink } from './compare.ts';
import { evaluateCondition, type EvaluationEnv } from './evaluate-condition.ts';
import { contribution, type Occurrence, type RootStreamState } from './stream-state.ts';
import { fieldKey, type ChildStreamPlan, type RootStreamPlan, type StreamPlan } from './stream-plan.ts';
import type { TraitLookup } from './definition-evaluator.ts';

type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;

/**
 * A root stream's reduced value at `now`. For kept occurrences this walks them once: skips the
 * not-yet-due and those outside the window, runs the dynamic filters (funnel children included),
 * and folds the rest. Every instant at which the walk's answer could change goes to `sink`.
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
  const window = plan.stream.window;
  let acc = emptyAccumulator(plan.reducer);
  for (const occurrence of state.occ) {
    if (occurrence.t > now) {
      sink?.(occurrence.t);
      break;
    }
    if (window?.kind === 'within') {
      if (occurrence.t <= now - window.duration.ms) continue;
      sink?.(occurrence.t + window.duration.ms);
    } else if (window?.kind === 'between') {
      if (occurrence.t <= now - window.end.ms) continue;
      sink?.(occurrence.t + window.end.ms);
      if (occurrence.t > now - window.start.ms) {
        sink?.(occurrence.t + window.start.ms);
        continue;
      }
    }
    if (passesDynamicFilters(plan, state, occurrence, traits, now, sink)) acc = accumulate(plan.reducer, acc, contribution(plan, occurrence));
  }
  return accumulatorResult(plan.reducer, acc);
}

function passesDynamicFilters(
  plan: RootStreamPlan,
  state: Extract<RootStreamState, { s: 'retained' }>,
  parent: Occurrence,
  traits: TraitLookup,
  now: number,
  sink: InstantSink | undefined,
): boolean {
  if (plan.dynamicWhere.length === 0) return true;
  const env: EvaluationEnv = {
    now,
    sink,
    trait: traits,
    field: (source, path) => fieldOf(plan, parent, source, path),
    parentField: () => undefined,
    aggregate: (node: AggregateExpr) => {
      const child = plan.children.find((c) => c.stream === node.stream);
      if (child === undefined) throw new Error(`no plan for the funnel child event('${node.stream.event}')`);
      return childValue(plan, child, state.kids[child.childIndex] ?? [], parent, traits, now, sink);
    },
  };
  let passes = true;
  for (const condition of plan.dynamicWhere) {
    if (evaluateCondition(condition, env) !== true) {
      passes = false;
      if (sink === undefined) break;
    }
  }
  return passes;
}

/**
 * A funnel child's value for one parent occurrence: its children in `(p.t, p.t + D]` that are due
 * and pass the child's dynamic filters. Unsettled while `p.t + D` is still ahead.
 */
function childValue(
  parentPlan: RootStreamPlan,
  plan: ChildStreamPlan,
  kids: readonly Occurrence[],
  parent: Occurrence,
  traits: TraitLookup,
  now: number,
  sink: InstantSink | undefined,
): { value: Json | undefined; settled: boolean } {
  const close = parent.t + plan.windowMs;
  let acc = emptyAccumulator(plan.reducer);
  for (let i = firstAfter(kids, parent.t); i < kids.length; i += 1) {
    const kid = kids[i]!;
    if (kid.t > close) break;
    if (kid.t > now) {
      sink?.(kid.t);
      break;
    }
    if (passesChildFilters(parentPlan, plan, kid, parent, traits, now, sink)) acc = accumulate(plan.reducer, acc, contribution(plan, kid));
  }
  const settled = now >= close;
  if (!settled) sink?.(close);
  return { value: accumulatorResult(plan.reducer, acc), settled };
}

function passesChildFilters(
  parentPlan: RootStreamPlan,
  plan: ChildStreamPlan,
  kid: Occurrence,
  parent: Occurrence,
  traits: TraitLookup,
  now: number,
  sink: InstantSink | undefined,
): boolean {
  if (plan.dynamicWhere.length === 0) return true;
  const env: EvaluationEnv = {
    now,
    sink,
    trait: traits,
    field: (source, path) => fieldOf(plan, kid, source, path),
    parentField: (path) => fieldOf(parentPlan, parent, 'property', path),
    aggregate: () => {
      throw new Error('funnels nest one level');
    },
  };
  return plan.dynamicWhere.every((condition) => evaluateCondition(condition, env) === true);
}

function fieldOf(plan: StreamPlan, occurrence: Occurrence, source: 'property' | 'context', path: string): Json | undefined {
  const index = plan.fieldIndex.get(fieldKey({ source, path }));
  if (index === undefined) throw new Error(`field ${source}('${path}') was not projected`);
  return occurrence.v[index] ?? undefined;
}

/** Index of the first occurrence strictly after `t` (lists are sorted by t). */
function firstAfter(list: readonly Occurrence[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
