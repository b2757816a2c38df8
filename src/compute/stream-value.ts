import type { ValueExpr } from '../definitions/ast.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, accumulatorResult } from './accumulator.ts';
import type { InstantSink } from './compare.ts';
import type { TraitLookup } from './definition-evaluator.ts';
import { evaluateCondition, type AggregateResult, type DecidedSettles, type EvaluationEnv } from './evaluate-condition.ts';
import { EMPTY_LIST, fieldAt, firstAfter, messageIdAt, occurrenceCount, timeAt, type OccurrenceList } from './occurrence-list.ts';
import { sharedFold } from './range-fold.ts';
import { reduceOccurrences, type KeepOccurrence } from './reduce-occurrences.ts';
import { foldSegmented, isSegmented, segmentedCount, segmentedTimeAfter, type SegmentedList } from './segmented-list.ts';
import { contributedValue, isBareList, retainedList, type RootStreamState } from './stream-state.ts';
import { type ChildStreamPlan, type RootStreamPlan, type StreamPlan } from './stream-plan.ts';

type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;

/** The funnel children of a stream that has none. */
const NO_KIDS: readonly OccurrenceList[] = [];

/**
 * A root stream's reduced value at `now`, reporting to `sink` every instant at which it could
 * change by time alone. Kept occurrences are sorted by time, so the due occurrences inside the
 * window are one index range found by binary search: static streams reduce that range directly
 * (a windowed count is a subtraction) and only its edges can move with time; streams with dynamic
 * filters or funnel children test each occurrence of the range.
 *
 * `countAtLeast` (the count a comparison needs to be true: `count() >= k`, `> k`) narrows a
 * static count's instants to those where that comparison can flip (`countFlipInstant`).
 */
export function rootStreamValue(plan: RootStreamPlan, state: RootStreamState, traits: TraitLookup, now: number, sink: InstantSink | undefined, countAtLeast?: number): Json | undefined {
  if (!isBareList(state) && state.s === 'summary') {
    let acc = state.acc;
    const { pending } = state;
    const count = occurrenceCount(pending, plan);
    for (let i = 0; i < count; i++) {
      const t = timeAt(pending, plan, i);
      if (t > now) {
        sink?.(t);
        break;
      }
      acc = accumulate(plan.reducer, acc, contributedValue(plan, pending, i), t, messageIdAt(pending, plan, i));
    }
    return accumulatorResult(plan.reducer, acc);
  }
  if (isSegmented(state)) return segmentedValue(plan, state, now, sink);
  const occ = retainedList(state);
  const count = occurrenceCount(occ, plan);
  const due = firstAfter(occ, plan, now);
  const window = plan.stream.window;
  if (countAtLeast !== undefined && plan.reducer.kind === 'count' && plan.dynamicWhere.length === 0 && window?.kind !== 'between') {
    const lo = window === undefined ? 0 : firstAfter(occ, plan, now - window.duration.ms);
    if (sink !== undefined) {
      const instant = countFlipInstant(plan, occ, lo, due, count, countAtLeast);
      if (instant !== undefined) sink(instant);
    }
    return Math.max(0, due - lo);
  }
  if (due < count) sink?.(timeAt(occ, plan, due));
  windowRange(plan, occ, due, now, sink);
  const lo = rangeLo;
  const hi = rangeHi;
  if (plan.dynamicWhere.length === 0) return reduceOccurrences(plan.reducer, occ, plan, lo, Math.max(lo, hi), plan.reducerField);
  const kids = isBareList(state) ? NO_KIDS : state.kids;
  const passed = isBareList(state) ? undefined : state.pass;
  // A settled funnel's passing parents are older than its unsettled ones and all due.
  let passLo = 0;
  let passHi = 0;
  if (passed !== undefined && passed.length > 0) {
    windowRange(plan, passed, occurrenceCount(passed, plan), now, sink);
    passLo = rangeLo;
    passHi = rangeHi;
  }
  const filter = dynamicFilter(plan, occ, kids, traits, now, sink);
  if (passHi <= passLo) return reduceOccurrences(plan.reducer, occ, plan, lo, Math.max(lo, hi), plan.reducerField, filter);
  const fold = sharedFold(plan.reducer);
  fold.addRange(passed!, plan, passLo, passHi, plan.reducerField);
  fold.addRange(occ, plan, lo, Math.max(lo, hi), plan.reducerField, filter);
  return fold.result();
}

/** What `windowRange` found (module fields, not a tuple: it runs at every evaluation). */
let rangeLo = 0;
let rangeHi = 0;

/**
 * The due occurrences of a sorted list inside the stream's window at `now` (`rangeLo..rangeHi`,
 * of the `due` first), reporting the instants its edges move: the oldest one's exit, and for
 * `between` the next one's entry.
 */
function windowRange(plan: RootStreamPlan, occ: OccurrenceList, due: number, now: number, sink: InstantSink | undefined): void {
  const window = plan.stream.window;
  rangeLo = 0;
  rangeHi = due;
  if (window?.kind === 'within') {
    rangeLo = firstAfter(occ, plan, now - window.duration.ms);
    if (rangeLo < due) sink?.(timeAt(occ, plan, rangeLo) + window.duration.ms);
  } else if (window?.kind === 'between') {
    rangeLo = firstAfter(occ, plan, now - window.end.ms);
    rangeHi = firstAfter(occ, plan, now - window.start.ms);
    if (rangeLo < rangeHi) sink?.(timeAt(occ, plan, rangeLo) + window.end.ms);
    if (rangeHi < due) sink?.(timeAt(occ, plan, rangeHi) + window.start.ms);
  }
}

/**
 * A segmented stream's value (a window, static filters, no cap: `segmented-list.ts`), reporting
 * the same instants as a flat list's: the next occurrence coming due, the oldest in the window
 * leaving it, and for `between` the newest before its start entering it. (A count compared with a
 * literal is capped, so never segmented: `countFlipInstant` is not needed here.)
 */
function segmentedValue(plan: RootStreamPlan, list: SegmentedList, now: number, sink: InstantSink | undefined): Json | undefined {
  const window = plan.stream.window;
  if (window === undefined || window.kind === 'parent') throw new Error(`segmented stream event('${plan.stream.event}') has no window`);
  const from = now - (window.kind === 'within' ? window.duration.ms : window.end.ms);
  const to = window.kind === 'within' ? now : now - window.start.ms;
  const exitAfter = window.kind === 'within' ? window.duration.ms : window.end.ms;
  const comingDue = segmentedTimeAfter(plan, list, now);
  if (sink !== undefined) {
    if (comingDue !== undefined) sink(comingDue);
    const oldest = segmentedTimeAfter(plan, list, from);
    if (oldest !== undefined && oldest <= to) sink(oldest + exitAfter);
    if (window.kind === 'between') {
      const entering = segmentedTimeAfter(plan, list, to);
      if (entering !== undefined && entering <= now) sink(entering + window.start.ms);
    }
  }
  if (plan.reducer.kind === 'count') return segmentedCount(plan, list, from, to);
  const fold = sharedFold(plan.reducer);
  foldSegmented(plan, list, from, to, fold);
  return fold.result();
}

/**
 * The first instant a static count of due occurrences `lo..due` (of `count` kept) can cross
 * `need`. Occurrences leaving the window only lower it, ones coming due only raise it. So while
 * it is at least `need` it can first fall short when the occurrence at `lo + (n - need)` leaves
 * (the earlier exits leave it at `need` or above); below `need`, only when the next one comes
 * due. A plain count reports every exit and every arrival, most of which cannot flip such a
 * comparison: a non-member of `count() >= 3` named each of its occurrences' exits, and each
 * evaluation spent look-aheads finding that none flipped it.
 */
function countFlipInstant(plan: RootStreamPlan, occ: OccurrenceList, lo: number, due: number, count: number, need: number): number | undefined {
  if (need <= 0) return undefined;
  const n = due - lo;
  if (n >= need) {
    const window = plan.stream.window;
    return window?.kind === 'within' ? timeAt(occ, plan, lo + (n - need)) + window.duration.ms : undefined;
  }
  return due < count ? timeAt(occ, plan, due) : undefined;
}

/**
 * The dynamic part of a stream's `where`, one occurrence at a time. Built once per plan and
 * reused by every evaluation (evaluation is synchronous and never re-entrant for one plan): the
 * walk swaps the occurrence under test in, so no closure is made per occurrence or per call.
 */
interface FilterRuntime {
  readonly plan: RootStreamPlan;
  /** The kept occurrences of the state under evaluation, and per funnel child its occurrences. */
  occ: OccurrenceList;
  kids: readonly OccurrenceList[];
  traits: TraitLookup;
  /** Index in the state's list of the occurrence under test. */
  current: number;
  readonly keep: KeepOccurrence;
  readonly env: EvaluationEnv;
  readonly child: ChildRuntime;
  /** The decided funnel comparisons of the parent under test (see `DecidedSettles`). */
  readonly decided: DecidedSettles;
}

interface ChildRuntime {
  plan: ChildStreamPlan | undefined;
  /** The parent occurrence's index in the root list, the child's in the child list. */
  parent: number;
  kids: OccurrenceList;
  kid: number;
  readonly env: EvaluationEnv;
  readonly keep: KeepOccurrence;
  /** What `childValue` answers, read by its caller before the next parent is tested. */
  readonly result: { value: Json | undefined; settled: boolean; closeAt: number; quiet: boolean };
}

const runtimes = new WeakMap<RootStreamPlan, FilterRuntime>();

export function dynamicFilter(plan: RootStreamPlan, occ: OccurrenceList, kids: readonly OccurrenceList[], traits: TraitLookup, now: number, sink: InstantSink | undefined): KeepOccurrence {
  let runtime = runtimes.get(plan);
  if (runtime === undefined) {
    runtime = createFilterRuntime(plan);
    runtimes.set(plan, runtime);
  }
  runtime.occ = occ;
  runtime.kids = kids;
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
    decided: undefined,
    trait: (key) => runtime.traits(key),
    field: (source, path) => fieldOf(plan, runtime.occ, runtime.current, source, path),
    parentField: () => undefined,
    aggregate: (node: AggregateExpr) => {
      const child = childOf.get(node.stream);
      if (child === undefined) throw new Error(`no plan for the funnel child event('${node.stream.event}')`);
      return childValue(runtime, child, runtime.kids[child.childIndex] ?? EMPTY_LIST, runtime.current);
    },
  };
  const runtime: FilterRuntime = {
    plan,
    occ: EMPTY_LIST,
    kids: NO_KIDS,
    traits: () => undefined,
    current: 0,
    keep: (index) => {
      runtime.current = index;
      const { sink } = env;
      const { decided } = runtime;
      decided.earliest = Number.POSITIVE_INFINITY;
      env.decided = sink === undefined || plan.children.length === 0 ? undefined : decided;
      let passes = true;
      for (const condition of plan.dynamicWhere) {
        if (evaluateCondition(condition, env) !== true) {
          passes = false;
          // Without a sink the answer is known; with one, later conditions still report instants.
          if (sink === undefined) break;
        }
      }
      if (decided.earliest !== Number.POSITIVE_INFINITY) reportDecidedClose(runtime, passes, sink!);
      env.decided = undefined;
      return passes;
    },
    env,
    child: createChildRuntime(plan, () => runtime),
    decided: { earliest: Number.POSITIVE_INFINITY, settled: false },
  };
  return runtime;
}

/**
 * The parent under test met funnel comparisons whose settled value is known but which read
 * unknown until their windows close (`DecidedSettles`). Their closes are reported only if the
 * parent's filter, with them settled, passes differently than now. Kleene logic is monotone (an
 * unknown becoming known never turns a known result around), so if the settled filter passes as
 * now, so does every instant in between: nothing changes there. Reporting them anyway cost each
 * evaluation of a funnel whose child came (the cart-abandonment audience after an order) a
 * look-ahead that found nothing, until the close.
 */
function reportDecidedClose(runtime: FilterRuntime, passes: boolean, sink: InstantSink): void {
  const { env, decided, child } = runtime;
  // Settled without reporting: these evaluations only compare the pass.
  env.sink = undefined;
  child.env.sink = undefined;
  decided.settled = true;
  let settledPasses = true;
  for (const condition of runtime.plan.dynamicWhere) {
    if (evaluateCondition(condition, env) !== true) {
      settledPasses = false;
      break;
    }
  }
  decided.settled = false;
  env.sink = sink;
  child.env.sink = sink;
  if (settledPasses !== passes) sink(decided.earliest);
}

function createChildRuntime(parentPlan: RootStreamPlan, parentRuntime: () => FilterRuntime): ChildRuntime {
  const child: ChildRuntime = {
    plan: undefined,
    parent: 0,
    kids: EMPTY_LIST,
    kid: 0,
    env: {
      now: 0,
      sink: undefined,
      decided: undefined,
      trait: (key) => parentRuntime().traits(key),
      field: (source, path) => fieldOf(child.plan!, child.kids, child.kid, source, path),
      parentField: (path) => fieldOf(parentPlan, parentRuntime().occ, child.parent, 'property', path),
      aggregate: () => {
        throw new Error('funnels nest one level');
      },
    },
    keep: (index) => {
      child.kid = index;
      for (const condition of child.plan!.dynamicWhere) if (evaluateCondition(condition, child.env) !== true) return false;
      return true;
    },
    result: { value: undefined, settled: false, closeAt: Number.POSITIVE_INFINITY, quiet: true },
  };
  return child;
}

/**
 * A funnel child's value for one parent occurrence: its children in `(p.t, p.t + D]` that are due
 * and pass the child's dynamic filters. Unsettled while `p.t + D` is still ahead; the comparison
 * reading it reports the close, if it can change there (`evaluateComparison`).
 */
function childValue(runtime: FilterRuntime, plan: ChildStreamPlan, kids: OccurrenceList, parent: number): AggregateResult {
  const { child } = runtime;
  const { now, sink } = runtime.env;
  child.plan = plan;
  child.parent = parent;
  child.kids = kids;
  const parentTime = timeAt(runtime.occ, runtime.plan, parent);
  const close = parentTime + plan.windowMs;
  const lo = firstAfter(kids, plan, parentTime);
  const end = firstAfter(kids, plan, Math.min(close, now));
  const beyond = firstAfter(kids, plan, close);
  // A child inside the window but not yet due joins when its time comes.
  if (end < beyond) sink?.(timeAt(kids, plan, end));
  const settled = now >= close;
  const value = reduceOccurrences(plan.reducer, kids, plan, lo, Math.max(lo, end), plan.reducerField, plan.dynamicWhere.length === 0 ? undefined : child.keep);
  child.result.value = value;
  child.result.settled = settled;
  child.result.closeAt = close;
  child.result.quiet = end === beyond;
  return child.result;
}

function fieldOf(plan: StreamPlan, list: OccurrenceList, occurrence: number, source: 'property' | 'context', path: string): Json | undefined {
  const field = plan.fieldIndex[source].get(path);
  if (field === undefined) throw new Error(`field ${source}('${path}') was not projected`);
  return fieldAt(list, plan, occurrence, field) ?? undefined;
}
