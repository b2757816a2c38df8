import type { Comparator, Condition, DefinitionAst, Stream, ValueExpr } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { EpochMs } from '../../../src/shared/ids.ts';
import type { Json } from '../../../src/shared/json.ts';
import { type TimeSeen, holds, operandsOf } from './comparators.ts';
import { compareOccurrences, isOccurrenceOf, readContext, readProperty } from './event-fields.ts';
import { reduce } from './reducers.ts';
import { type Value, presentOrUndefined } from './values.ts';

/**
 * The reference evaluator: the answer of a definition for a profile at `now`, recomputed from the
 * profile's whole event list by the letter of src/compute/SEMANTICS.md. It is the yardstick the
 * incremental evaluators are held to, so it is written to be obviously right, not fast: every
 * stream is filtered from scratch, every funnel parent is settled from scratch, nothing is cached.
 */

export interface ReferenceProfile {
  /** Every event that has arrived, in any order (distinct messageIds). */
  readonly events: readonly TrackedEvent[];
  readonly traits: Readonly<Record<string, Json>>;
}

/** An audience's membership (boolean) or a computed trait's value (undefined when absent). */
export function referenceAnswer(ast: DefinitionAst, profile: ReferenceProfile, now: EpochMs): Json | undefined {
  return referenceAnswerSeeing(ast, profile, now, undefined);
}

/**
 * `referenceAnswer`, also reporting to `seen` every time read by a relative-date comparison on the
 * way (the instants around which the answer may flip with no new event).
 */
export function referenceAnswerSeeing(ast: DefinitionAst, profile: ReferenceProfile, now: EpochMs, seen: TimeSeen | undefined): Json | undefined {
  const at: Evaluation = { events: profile.events, traits: profile.traits, now, seen };
  if (ast.kind === 'computed_trait') return valueOf(at, ast.root, {});
  const answer = truthOf(at, ast.root, {});
  // Unknown comes only from funnel children, which live inside a parent stream's `where`.
  if (answer === 'unknown') throw new Error('reference evaluator: an audience root evaluated to unknown (a funnel child outside a where?)');
  return answer;
}

interface Evaluation {
  readonly events: readonly TrackedEvent[];
  readonly traits: Readonly<Record<string, Json>>;
  readonly now: EpochMs;
  readonly seen: TimeSeen | undefined;
}

/**
 * What `property(…)` reads: the occurrence being filtered (`event`) and, inside a funnel child's
 * `where`, its parent occurrence. Empty at the top level of a definition.
 */
interface Scope {
  readonly event?: TrackedEvent;
  readonly parent?: TrackedEvent;
}

/** Kleene truth: funnel child comparisons that have not settled yet are unknown. */
type Truth = boolean | 'unknown';

function truthOf(at: Evaluation, condition: Condition, scope: Scope): Truth {
  switch (condition.kind) {
    case 'and':
      return and(condition.operands.map((c) => truthOf(at, c, scope)));
    case 'or':
      return or(condition.operands.map((c) => truthOf(at, c, scope)));
    case 'not': {
      const inner = truthOf(at, condition.operand, scope);
      return inner === 'unknown' ? 'unknown' : !inner;
    }
    case 'quantified':
      throw new Error(`reference evaluator: account quantifiers (${condition.quantifier.toUpperCase()}) are out of scope`);
    case 'comparison': {
      const { subject, comparator } = condition;
      if (subject.kind === 'aggregate' && subject.stream.window?.kind === 'parent') return funnelChildTruth(at, subject, comparator, scope);
      return compare(at, valueOf(at, subject, scope), comparator, scope);
    }
  }
}

// Every operand is evaluated (no short cut), so that `seen` hears every time that could matter.
function and(truths: readonly Truth[]): Truth {
  if (truths.includes(false)) return false;
  return truths.includes('unknown') ? 'unknown' : true;
}

function or(truths: readonly Truth[]): Truth {
  if (truths.includes(true)) return true;
  return truths.includes('unknown') ? 'unknown' : false;
}

function compare(at: Evaluation, subject: Value, comparator: Comparator, scope: Scope): boolean {
  const operands = operandsOf(comparator).map((o) => valueOf(at, o, scope));
  return holds(comparator, subject, operands, at.now, at.seen);
}

function valueOf(at: Evaluation, expr: ValueExpr, scope: Scope): Value {
  switch (expr.kind) {
    case 'literal':
      return presentOrUndefined(expr.value);
    case 'trait':
      return presentOrUndefined(at.traits[expr.key]);
    case 'property':
      return readProperty(occurrenceIn(scope, expr.scope, `property('${expr.path}')`), expr.path);
    case 'context':
      return readContext(occurrenceIn(scope, 'event', `context('${expr.path}')`), expr.path);
    case 'aggregate':
      return reduce(expr.reducer, occurrencesOf(at, expr.stream, scope));
  }
}

function occurrenceIn(scope: Scope, which: 'event' | 'parent', what: string): TrackedEvent {
  const event = which === 'event' ? scope.event : scope.parent;
  if (event === undefined) throw new Error(`reference evaluator: ${what} read outside ${which === 'event' ? 'a where or reducer' : "a funnel child's where"}`);
  return event;
}

/**
 * The occurrences of `stream` that count at `now`, in occurrence order. For a funnel child,
 * `scope.event` is the parent occurrence whose `where` is being evaluated.
 */
function occurrencesOf(at: Evaluation, stream: Stream, scope: Scope): TrackedEvent[] {
  const parent = stream.window?.kind === 'parent' ? occurrenceIn(scope, 'event', `event('${stream.event}').within(parent: …)`) : undefined;
  return at.events
    .filter((e) => isOccurrenceOf(e, stream.event))
    .filter((e) => e.timestamp <= at.now)
    .filter((e) => !stream.excludeSources.includes(e.sourceId))
    .filter((e) => inWindow(stream, e.timestamp, at.now, parent))
    .filter((e) => and(stream.where.map((w) => truthOf(at, w, parent === undefined ? { event: e } : { event: e, parent }))) === true)
    .sort(compareOccurrences);
}

function inWindow(stream: Stream, ts: EpochMs, now: EpochMs, parent: TrackedEvent | undefined): boolean {
  const window = stream.window;
  if (window === undefined) return true;
  switch (window.kind) {
    case 'within':
      return now - window.duration.ms < ts && ts <= now;
    case 'between':
      return now - window.end.ms < ts && ts <= now - window.start.ms;
    case 'parent':
      if (parent === undefined) throw new Error('reference evaluator: a parent window without a parent');
      return parent.timestamp < ts && ts <= parent.timestamp + window.duration.ms;
  }
}

/**
 * A comparison on a funnel child's aggregate, for the parent occurrence `scope.event`
 * (SEMANTICS.md, "Funnels"): settled once the child window has closed; before that, true only if
 * more children can only keep it true, and unknown otherwise.
 */
function funnelChildTruth(at: Evaluation, subject: Extract<ValueExpr, { kind: 'aggregate' }>, comparator: Comparator, scope: Scope): Truth {
  const parent = occurrenceIn(scope, 'event', `event('${subject.stream.event}').within(parent: …)`);
  const window = subject.stream.window;
  if (window?.kind !== 'parent') throw new Error('reference evaluator: a funnel child without a parent window');
  const value = valueOf(at, subject, scope);
  const truth = compare(at, value, comparator, scope);
  if (at.now >= parent.timestamp + window.duration.ms) return truth;
  return truth && staysTrue(subject.reducer.kind, comparator, value) ? true : 'unknown';
}

/** The comparisons more children can only keep true: a count or unique count against a literal number. */
function staysTrue(reducer: string, comparator: Comparator, value: Value): boolean {
  if (reducer !== 'count' && reducer !== 'unique_count') return false;
  if (!('operand' in comparator) || comparator.operand.kind !== 'literal') return false;
  const limit = comparator.operand.value;
  if (typeof limit !== 'number' || typeof value !== 'number') return false;
  if (comparator.op === 'at_least' || comparator.op === 'greater_than') return true;
  return comparator.op === 'differs' && value > limit;
}
