import type { Window } from '../definitions/ast.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, emptyAccumulator, mergeAccumulators, type Accumulator } from './accumulator.ts';
import { evaluateCondition, type EvaluationEnv } from './evaluate-condition.ts';
import { occurrenceName, readField } from './occurrence.ts';
import {
  dropThrough,
  EMPTY_LIST,
  fieldAt,
  firstAfter,
  flattenLegacyList,
  listFrom,
  mergeLists,
  messageIdAt,
  timeAt,
  withOccurrence,
  type OccurrenceList,
} from './occurrence-list.ts';
import { flattenSegmented, isSegmented, mergeWindows, windowDropThrough, windowWith, type SegmentedList } from './segmented-list.ts';
import type { RootStreamPlan, StreamPlan } from './stream-plan.ts';

/**
 * A root stream's per-profile state. `summary`: the accumulator of every due occurrence, plus the
 * future-dated ones waiting for their time. `retained`: the occurrences still able to matter, and
 * per funnel child its occurrences. A retained stream with no funnel children (most windows) is
 * its list alone: a wrapper object around it was one more object per changed state for the
 * collector to carry, and one more to reach in memory at each read. Lists are flat
 * (`occurrence-list.ts`); a funnel child's list has the child plan's layout.
 */
export type RootStreamState = SummaryState | RetainedState | OccurrenceList | SegmentedList;

/** The states of streams that are not segmented. */
type UnsegmentedState = SummaryState | RetainedState | OccurrenceList;

export type SummaryState = { readonly s: 'summary'; readonly acc: Accumulator; readonly pending: OccurrenceList };
/**
 * A retained stream with funnel children. `pass` and `fail` (both or neither) hold the parents a
 * settleable funnel has settled (`settle-funnel.ts`), in `occ`'s layout: those that passed its
 * filter for good, and those that failed it (kept in case a late child reopens them).
 */
export type RetainedState = {
  readonly s: 'retained';
  readonly occ: OccurrenceList;
  readonly kids: readonly OccurrenceList[];
  readonly pass?: OccurrenceList;
  readonly fail?: OccurrenceList;
};

/** A retained state with new parents or children, its settled parents as `from` had them. */
export function retainedState(occ: OccurrenceList, kids: readonly OccurrenceList[], from: RetainedState): RetainedState {
  // Two literal shapes, never a spread (see addOccurrence).
  return from.pass === undefined ? { s: 'retained', occ, kids } : { s: 'retained', occ, kids, pass: from.pass, fail: from.fail ?? EMPTY_LIST };
}

/** A retained stream's state without funnel children: its occurrence list. */
export function isBareList(state: RootStreamState): state is OccurrenceList {
  return Array.isArray(state);
}

/** The occurrences a retained stream keeps (its list, or its wrapper's). */
export function retainedList(state: RetainedState | OccurrenceList): OccurrenceList {
  return isBareList(state) ? state : state.occ;
}

export function initialStreamState(plan: RootStreamPlan): RootStreamState {
  if (plan.mode === 'summary') return { s: 'summary', acc: emptyAccumulator(plan.reducer), pending: EMPTY_LIST };
  return plan.children.length === 0 ? EMPTY_LIST : { s: 'retained', occ: EMPTY_LIST, kids: plan.children.map(() => EMPTY_LIST) };
}

/**
 * A stored state in today's layout; the same object when it already is. Two earlier layouts are
 * read: lists stored before they were flat (occurrences were `{t, m, v}` objects), and a retained
 * stream with no funnel children wrapped as `{s: 'retained', occ, kids: []}`. Stored states load
 * as they are, so this runs where a state is read.
 */
export function upgradeStreamState(plan: RootStreamPlan, state: RootStreamState): RootStreamState {
  if (isSegmented(state)) {
    if (plan.segmented) return state;
    const flat = flattenSegmented(state);
    return plan.children.length === 0 ? flat : { s: 'retained', occ: flat, kids: plan.children.map(() => EMPTY_LIST) };
  }
  if (isBareList(state)) return flattenLegacyList(state, plan) ?? state;
  if (state.s === 'retained' && state.pass !== undefined && plan.settleAfter === undefined) {
    // Settled under a plan that could settle: this one tests every parent at each evaluation.
    return mergeStreams(plan, { s: 'retained', occ: EMPTY_LIST, kids: state.kids.map(() => EMPTY_LIST) }, state);
  }
  if (state.s === 'summary') {
    const pending = flattenLegacyList(state.pending, plan);
    return pending === undefined ? state : { s: 'summary', acc: state.acc, pending };
  }
  const occ = flattenLegacyList(state.occ, plan);
  if (plan.children.length === 0) return occ ?? state.occ;
  let kids: OccurrenceList[] | undefined;
  for (let i = 0; i < state.kids.length; i++) {
    const child = plan.children[i];
    const flat = child === undefined ? undefined : flattenLegacyList(state.kids[i]!, child);
    if (flat !== undefined) (kids ??= state.kids.slice())[i] = flat;
  }
  if (occ === undefined && kids === undefined) return state;
  return { s: 'retained', occ: occ ?? state.occ, kids: kids ?? state.kids };
}

/** Folds one event into a root stream's state (as its occurrence, or a funnel child's). */
export function observeStream(plan: RootStreamPlan, state: RootStreamState, event: TrackedEvent, now: number): RootStreamState {
  const name = occurrenceName(event);
  if (plan.segmented && (isSegmented(state) || isBareList(state))) {
    if (name !== plan.stream.event || !passesStaticFilters(plan, event)) return state;
    // An occurrence already behind the window can never count (late events).
    return event.timestamp <= deadBefore(plan.stream.window, now) ? state : windowWith(plan, state, event);
  }
  if (isSegmented(state)) throw new Error(`event('${plan.stream.event}') is not kept in segments`);
  let next: UnsegmentedState = state;
  if (name === plan.stream.event && passesStaticFilters(plan, event)) next = addOccurrence(plan, next, event, now);
  if (!isBareList(next) && next.s === 'retained') {
    for (const child of plan.children) {
      if (name !== child.stream.event || !passesStaticFilters(child, event)) continue;
      if (event.timestamp <= deadBefore(plan.stream.window, now)) continue;
      const kids: OccurrenceList[] = next.kids.slice();
      kids[child.childIndex] = withOccurrence(kids[child.childIndex] ?? EMPTY_LIST, child, event);
      next = reopenSettled(plan, retainedState(next.occ, kids, next), event.timestamp - child.windowMs, event.timestamp);
    }
  }
  return next;
}

function addOccurrence(plan: RootStreamPlan, state: UnsegmentedState, event: TrackedEvent, now: number): UnsegmentedState {
  // Literals, not spreads: a spread of states of several shapes (loaded ones among them) goes
  // through the generic clone path, the costliest line of an observe.
  if (!isBareList(state) && state.s === 'summary') {
    if (event.timestamp > now) return { s: 'summary', acc: state.acc, pending: withOccurrence(state.pending, plan, event) };
    const value = plan.reducerField === undefined ? undefined : (readField(event, plan.fields[plan.reducerField]!) ?? null);
    const acc = accumulate(plan.reducer, state.acc, value, event.timestamp, plan.keepsMessageId ? event.messageId : '');
    return acc === state.acc ? state : { s: 'summary', acc, pending: state.pending };
  }
  // An occurrence already behind the window can never count (late events).
  if (event.timestamp <= deadBefore(plan.stream.window, now)) return state;
  const occ = applyCap(plan, withOccurrence(retainedList(state), plan, event), now);
  return isBareList(state) ? occ : retainedState(occ, state.kids, state);
}

/**
 * Drops what can no longer matter at `now` or later, and folds future-dated occurrences that came
 * due into the summary. Returns the same object when nothing changed.
 */
export function pruneStream(plan: RootStreamPlan, state: RootStreamState, now: number): RootStreamState {
  if (isSegmented(state)) return windowDropThrough(plan, state, deadBefore(plan.stream.window, now));
  if (isBareList(state)) return applyCap(plan, dropThrough(state, plan, deadBefore(plan.stream.window, now)), now);
  if (state.s === 'summary') {
    const { pending } = state;
    if (pending.length === 0 || timeAt(pending, plan, 0) > now) return state;
    const due = firstAfter(pending, plan, now);
    let acc = state.acc;
    for (let i = 0; i < due; i++) acc = accumulate(plan.reducer, acc, contributedValue(plan, pending, i), timeAt(pending, plan, i), messageIdAt(pending, plan, i));
    return { s: 'summary', acc, pending: listFrom(pending, plan, due) };
  }
  const dead = deadBefore(plan.stream.window, now);
  const occ = applyCap(plan, dropThrough(state.occ, plan, dead), now);
  // Allocates only when something was dropped: this runs on every evaluation.
  let kids: OccurrenceList[] | undefined;
  for (let i = 0; i < state.kids.length; i++) {
    const list = state.kids[i]!;
    const kept = dropThrough(list, plan.children[i]!, dead);
    if (kept !== list) (kids ??= state.kids.slice())[i] = kept;
  }
  if (state.pass !== undefined) {
    const pass = dropThrough(state.pass, plan, dead);
    const fail = dropThrough(state.fail ?? EMPTY_LIST, plan, dead);
    if (occ === state.occ && kids === undefined && pass === state.pass && fail === state.fail) return state;
    return { s: 'retained', occ, kids: kids ?? state.kids, pass, fail };
  }
  if (occ === state.occ && kids === undefined) return state;
  return { s: 'retained', occ, kids: kids ?? state.kids };
}

/**
 * Moves the settled parents with `from <= t < to` back among the unsettled: a child at `to` (late,
 * or a merge's) joined their windows, so their settled answers may no longer hold. They settle
 * again at the next prune.
 */
function reopenSettled(plan: RootStreamPlan, state: RetainedState, from: number, to: number): RetainedState {
  const { pass, fail } = state;
  if (pass === undefined || fail === undefined) return state;
  const reopened = (list: OccurrenceList): [OccurrenceList, OccurrenceList] => {
    // Times are whole milliseconds: `t >= x` is `t > x - 1`.
    const lo = firstAfter(list, plan, from - 1);
    const hi = firstAfter(list, plan, to - 1);
    if (lo >= hi) return [list, EMPTY_LIST];
    const { stride } = plan;
    return [[...list.slice(0, lo * stride), ...list.slice(hi * stride)], list.slice(lo * stride, hi * stride)];
  };
  const [keptPass, backPass] = reopened(pass);
  const [keptFail, backFail] = reopened(fail);
  if (backPass.length === 0 && backFail.length === 0) return state;
  const occ = mergeLists(mergeLists(state.occ, backPass, plan), backFail, plan);
  return { s: 'retained', occ, kids: state.kids, pass: keptPass, fail: keptFail };
}

export function mergeStreams(plan: RootStreamPlan, a: RootStreamState, b: RootStreamState): RootStreamState {
  if (plan.segmented && (isSegmented(a) || isBareList(a)) && (isSegmented(b) || isBareList(b))) return mergeWindows(plan, a, b);
  if (isSegmented(a) || isSegmented(b)) throw new Error('cannot merge stream states of different layouts');
  if (isBareList(a) && isBareList(b)) return mergeLists(a, b, plan);
  if (isBareList(a) || isBareList(b)) throw new Error('cannot merge stream states of different layouts');
  if (a.s === 'summary' && b.s === 'summary') {
    return { s: 'summary', acc: mergeAccumulators(plan.reducer, a.acc, b.acc), pending: mergeLists(a.pending, b.pending, plan) };
  }
  if (a.s === 'retained' && b.s === 'retained') {
    // Each side's children may join the other's settled parents' windows: all settle again.
    const parents = (state: RetainedState): OccurrenceList => mergeLists(mergeLists(state.occ, state.pass ?? EMPTY_LIST, plan), state.fail ?? EMPTY_LIST, plan);
    return { s: 'retained', occ: mergeLists(parents(a), parents(b), plan), kids: a.kids.map((list, i) => mergeLists(list, b.kids[i] ?? EMPTY_LIST, plan.children[i]!)) };
  }
  throw new Error('cannot merge stream states of different modes');
}

/** What the kept occurrence at `index` contributes to the reducer: its field's value (undefined for `count`). */
export function contributedValue(plan: StreamPlan, list: OccurrenceList, index: number): Json | undefined {
  return plan.reducerField === undefined ? undefined : fieldAt(list, plan, index, plan.reducerField);
}

/**
 * Occurrences at or before this instant are behind the window for good (the clock only moves
 * forward); -Infinity when the stream has no window.
 */
export function deadBefore(window: Window | undefined, now: number): number {
  if (window === undefined || window.kind === 'parent') return -Infinity;
  return now - (window.kind === 'within' ? window.duration.ms : window.end.ms);
}

/**
 * The event a static filter is reading. One environment serves every static filter (they run
 * synchronously and read nothing but the event), so no object is built per event.
 */
let filtered: TrackedEvent | undefined;
const staticEnv: EvaluationEnv = {
  now: 0,
  sink: undefined,
  decided: undefined,
  trait: unreachable,
  field: (source, path) => readField(filtered!, { source, path }),
  parentField: unreachable,
  aggregate: unreachable,
};

function passesStaticFilters(plan: StreamPlan, event: TrackedEvent): boolean {
  if (plan.stream.excludeSources.length > 0 && plan.stream.excludeSources.includes(event.sourceId)) return false;
  if (plan.staticWhere.length === 0) return true;
  filtered = event;
  for (const condition of plan.staticWhere) if (evaluateCondition(condition, staticEnv) !== true) return false;
  return true;
}

function unreachable(): never {
  throw new Error('a static filter read something other than its own occurrence');
}

/** Keeps only the newest `cap` due occurrences (future-dated ones all stay: they are not due yet). */
function applyCap(plan: RootStreamPlan, occ: OccurrenceList, now: number): OccurrenceList {
  if (plan.cap === undefined || occ.length <= plan.cap * plan.stride) return occ;
  const due = firstAfter(occ, plan, now);
  return due > plan.cap ? listFrom(occ, plan, due - plan.cap) : occ;
}
