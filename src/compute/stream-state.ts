import type { Window } from '../definitions/ast.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { Json } from '../shared/json.ts';
import { accumulate, emptyAccumulator, mergeAccumulators, type Accumulator } from './accumulator.ts';
import { evaluateCondition, type EvaluationEnv } from './evaluate-condition.ts';
import { occurrenceName, readField } from './occurrence.ts';
import { compareCodePoints } from './values.ts';
import type { RootStreamPlan, StreamPlan } from './stream-plan.ts';

/**
 * One kept occurrence: its time, its messageId (only where `first`/`last` need tie-breaks, else
 * empty) and the plan's projected fields (`null` for absent).
 */
export interface Occurrence {
  readonly t: number;
  readonly m: string;
  readonly v: readonly Json[];
}

/**
 * A root stream's per-profile state. `summary`: the accumulator of every due occurrence, plus the
 * future-dated ones waiting for their time. `retained`: the occurrences still able to matter,
 * sorted by (t, m), and per funnel child its occurrences.
 */
export type RootStreamState =
  | { readonly s: 'summary'; readonly acc: Accumulator; readonly pending: readonly Occurrence[] }
  | { readonly s: 'retained'; readonly occ: readonly Occurrence[]; readonly kids: ReadonlyArray<readonly Occurrence[]> };

export function initialStreamState(plan: RootStreamPlan): RootStreamState {
  return plan.mode === 'summary'
    ? { s: 'summary', acc: emptyAccumulator(plan.reducer), pending: [] }
    : { s: 'retained', occ: [], kids: plan.children.map(() => []) };
}

/** Folds one event into a root stream's state (as its occurrence, or a funnel child's). */
export function observeStream(plan: RootStreamPlan, state: RootStreamState, event: TrackedEvent, now: number): RootStreamState {
  const name = occurrenceName(event);
  let next = state;
  if (name === plan.stream.event && passesStaticFilters(plan, event)) next = addOccurrence(plan, next, project(plan, event), now);
  if (next.s === 'retained') {
    for (const child of plan.children) {
      if (name !== child.stream.event || !passesStaticFilters(child, event)) continue;
      const occurrence = project(child, event);
      if (occurrence.t <= deadBefore(plan.stream.window, now)) continue;
      const kids: Array<readonly Occurrence[]> = next.kids.slice();
      kids[child.childIndex] = insertSorted(kids[child.childIndex] ?? [], occurrence);
      next = { s: 'retained', occ: next.occ, kids };
    }
  }
  return next;
}

function addOccurrence(plan: RootStreamPlan, state: RootStreamState, occurrence: Occurrence, now: number): RootStreamState {
  if (state.s === 'summary') {
    // Literals, not spreads: a spread of states of several shapes (loaded ones among them) goes
    // through the generic clone path, the costliest line of an observe.
    if (occurrence.t > now) return { s: 'summary', acc: state.acc, pending: insertSorted(state.pending, occurrence) };
    return { s: 'summary', acc: accumulate(plan.reducer, state.acc, contribution(plan, occurrence)), pending: state.pending };
  }
  // An occurrence already behind the window can never count (late events).
  if (occurrence.t <= deadBefore(plan.stream.window, now)) return state;
  return { s: 'retained', occ: applyCap(plan, insertSorted(state.occ, occurrence), now), kids: state.kids };
}

/**
 * Drops what can no longer matter at `now` or later, and folds future-dated occurrences that came
 * due into the summary. Returns the same object when nothing changed.
 */
export function pruneStream(plan: RootStreamPlan, state: RootStreamState, now: number): RootStreamState {
  if (state.s === 'summary') {
    let due = 0;
    while (due < state.pending.length && (state.pending[due]?.t ?? Infinity) <= now) due += 1;
    if (due === 0) return state;
    let acc = state.acc;
    for (const occurrence of state.pending.slice(0, due)) acc = accumulate(plan.reducer, acc, contribution(plan, occurrence));
    return { s: 'summary', acc, pending: state.pending.slice(due) };
  }
  const dead = deadBefore(plan.stream.window, now);
  const occ = applyCap(plan, dropThrough(state.occ, dead), now);
  // Allocates only when something was dropped: this runs on every evaluation.
  let kids: Array<readonly Occurrence[]> | undefined;
  for (let i = 0; i < state.kids.length; i++) {
    const list = state.kids[i]!;
    const kept = dropThrough(list, dead);
    if (kept !== list) (kids ??= state.kids.slice())[i] = kept;
  }
  if (occ === state.occ && kids === undefined) return state;
  return { s: 'retained', occ, kids: kids ?? state.kids };
}

export function mergeStreams(plan: RootStreamPlan, a: RootStreamState, b: RootStreamState): RootStreamState {
  if (a.s === 'summary' && b.s === 'summary') {
    return { s: 'summary', acc: mergeAccumulators(plan.reducer, a.acc, b.acc), pending: mergeSorted(a.pending, b.pending) };
  }
  if (a.s === 'retained' && b.s === 'retained') {
    return { s: 'retained', occ: mergeSorted(a.occ, b.occ), kids: a.kids.map((list, i) => mergeSorted(list, b.kids[i] ?? [])) };
  }
  throw new Error('cannot merge stream states of different modes');
}

/** The (t, m) ordering kept lists are sorted by. */
export function compareOccurrences(a: Occurrence, b: Occurrence): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.m === b.m ? 0 : compareCodePoints(a.m, b.m);
}

export function contribution(plan: StreamPlan, occurrence: Occurrence): { value: Json | undefined; t: number; m: string } {
  return { value: plan.reducerField === undefined ? undefined : occurrence.v[plan.reducerField], t: occurrence.t, m: occurrence.m };
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

const NO_FIELDS: readonly Json[] = [];

function project(plan: StreamPlan, event: TrackedEvent): Occurrence {
  let v = NO_FIELDS;
  if (plan.fields.length > 0) {
    const values: Json[] = new Array(plan.fields.length);
    for (let i = 0; i < plan.fields.length; i++) values[i] = readField(event, plan.fields[i]!) ?? null;
    v = values;
  }
  return { t: event.timestamp, m: plan.keepsMessageId ? event.messageId : '', v };
}

/** Keeps only the newest `cap` due occurrences (future-dated ones all stay: they are not due yet). */
function applyCap(plan: RootStreamPlan, occ: readonly Occurrence[], now: number): readonly Occurrence[] {
  if (plan.cap === undefined) return occ;
  let due = 0;
  while (due < occ.length && (occ[due]?.t ?? Infinity) <= now) due += 1;
  return due > plan.cap ? occ.slice(due - plan.cap) : occ;
}

function dropThrough(list: readonly Occurrence[], dead: number): readonly Occurrence[] {
  let first = 0;
  while (first < list.length && (list[first]?.t ?? Infinity) <= dead) first += 1;
  return first === 0 ? list : list.slice(first);
}

function insertSorted(list: readonly Occurrence[], occurrence: Occurrence): readonly Occurrence[] {
  // Most events arrive in time order: append.
  const last = list[list.length - 1];
  if (last === undefined || compareOccurrences(last, occurrence) <= 0) return appended(list, occurrence);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareOccurrences(list[mid]!, occurrence) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const inserted = list.slice();
  inserted.splice(lo, 0, occurrence);
  return inserted;
}

/**
 * The list with one more element at its end, in one allocation of the exact size. A copy loop:
 * `concat` (a generic builtin that checks every argument for spreadability) cost ~300 ns per call
 * on lists of a few occurrences, the loop ~30 ns; a slice then a push reallocates to grow.
 */
function appended<T>(list: readonly T[], element: T): T[] {
  const length = list.length;
  const out = new Array<T>(length + 1);
  for (let i = 0; i < length; i++) out[i] = list[i]!;
  out[length] = element;
  return out;
}

function mergeSorted(a: readonly Occurrence[], b: readonly Occurrence[]): readonly Occurrence[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort(compareOccurrences);
}
