import type { Comparator, Condition, Reducer, ValueExpr } from '../definitions/ast.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { Json } from '../shared/json.ts';
import { applyComparator, type InstantSink } from './compare.ts';
import { beginCapture, endCapture } from './instant-capture.ts';

type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;

/**
 * Three-valued truth: a funnel child's comparison is `unknown` until it settles
 * (SEMANTICS.md, "Funnels"), and unknown propagates by Kleene logic.
 */
export type Truth = boolean | 'unknown';

/** A funnel child's reduced value for one parent, and whether and when its window closes. */
export interface AggregateResult {
  readonly value: Json | undefined;
  /** False only for a funnel child whose window is still open. */
  readonly settled: boolean;
  /** When an unsettled child's window closes (the parent's time + D). */
  readonly closeAt: number;
  /** No child joins between now and the close (none in the window is still future-dated). */
  readonly quiet: boolean;
}

/**
 * Comparisons on unsettled funnel children whose settled value is already known: no child joins
 * before the close, so there the comparison settles to what it reads now. It stays `unknown`
 * until then (the settle rule), and its close changes the parent's filter only if the settled
 * value passes the filter differently than `unknown` does now (a child came and `= 0` is false
 * for good: false and unknown both fail the filter, unless under a `NOT`). So such a comparison
 * reports its close to the parent's filter, not to the sink, and the filter decides
 * (`stream-value.ts`).
 */
export interface DecidedSettles {
  /** The earliest close of a decided comparison met in this evaluation. */
  earliest: number;
  /** When set, decided comparisons answer as they will once settled. */
  settled: boolean;
}

/**
 * What a condition can read where it is evaluated. `now` and `sink` are plain fields the
 * evaluator sets before each evaluation (getters returned a boxed number on every read).
 */
export interface EvaluationEnv {
  now: number;
  /** Receives every instant at which a time-dependent part may change its answer. */
  sink: InstantSink | undefined;
  /** Set while a funnel parent's filter is evaluated with a sink (see `DecidedSettles`). */
  decided: DecidedSettles | undefined;
  trait(key: string): Json | undefined;
  /** A field of the occurrence being filtered (`property('p')`, `context('p')`). */
  field(source: 'property' | 'context', path: string): Json | undefined;
  /** `property(parent: 'p')`: a field of the funnel's parent occurrence. */
  parentField(path: string): Json | undefined;
  /**
   * A stream's reduced value; `settled: false` only for a funnel child whose window is still open.
   * `countAtLeast`: see `countNeeded` (only the instants it narrows, never the value).
   */
  aggregate(node: AggregateExpr, countAtLeast?: number): AggregateResult;
}

export function evaluateCondition(condition: Condition, env: EvaluationEnv): Truth {
  switch (condition.kind) {
    case 'and':
      return env.sink === undefined ? untimedJunction(condition.operands, env, false) : timedJunction(condition.operands, env, false);
    case 'or':
      return env.sink === undefined ? untimedJunction(condition.operands, env, true) : timedJunction(condition.operands, env, true);
    case 'not': {
      const truth = evaluateCondition(condition.operand, env);
      return truth === 'unknown' ? truth : !truth;
    }
    case 'quantified':
      throw new Error('ANY/ALL are evaluated over an account’s users, not on one profile');
    case 'comparison':
      return evaluateComparison(condition.subject, condition.comparator, env);
    default:
      return assertNever(condition);
  }
}

/** `AND` (or, with `isOr`, `OR`) when only the answer is wanted (no sink): stops at the first deciding operand. */
function untimedJunction(operands: readonly Condition[], env: EvaluationEnv, isOr: boolean): Truth {
  let result: Truth = !isOr;
  for (const operand of operands) {
    const truth = evaluateCondition(operand, env);
    if (truth === isOr) return isOr;
    if (truth === 'unknown') result = 'unknown';
  }
  return result;
}

/**
 * `AND` (or, with `isOr`, `OR`) reporting only the instants at which its own answer can change,
 * from each operand's earliest instant (`Infinity`: it cannot change by time alone).
 * - An `AND` that is false stays false until every false operand has changed: the latest of
 *   their earliest instants, and never if one of them cannot change (the rest are then not
 *   even evaluated). Otherwise any operand's change can change it: the earliest instant.
 * - `OR` is the mirror image, with true for false.
 * Reporting every operand's instants instead woke a timer, and cost the audience's look-ahead
 * four evaluations, at each instant a decided junction ignores (`trait('plan') = 'pro' AND …` on
 * a profile whose plan is another: its window edges).
 */
function timedJunction(operands: readonly Condition[], env: EvaluationEnv, isOr: boolean): Truth {
  // The operand value that decides the junction: false for AND, true for OR.
  const deciding = isOr;
  let result: Truth = !deciding;
  let earliest = Number.POSITIVE_INFINITY;
  let latestDeciding = Number.NEGATIVE_INFINITY;
  let decidingCount = 0;
  for (const operand of operands) {
    beginCapture();
    const truth = evaluateCondition(operand, env);
    const at = endCapture();
    if (at < earliest) earliest = at;
    if (truth === deciding) {
      // Decided, and no instant can undo this operand: nothing else matters.
      if (at === Number.POSITIVE_INFINITY) return deciding;
      decidingCount += 1;
      if (at > latestDeciding) latestDeciding = at;
      result = deciding;
    } else if (truth === 'unknown' && result !== deciding) result = 'unknown';
  }
  const instant = decidingCount > 0 ? latestDeciding : earliest;
  if (instant !== Number.POSITIVE_INFINITY) env.sink?.(instant);
  return result;
}

export function evaluateValue(expr: ValueExpr, env: EvaluationEnv): Json | undefined {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'trait':
      return env.trait(expr.key);
    case 'property':
      return expr.scope === 'parent' ? env.parentField(expr.path) : env.field('property', expr.path);
    case 'context':
      return env.field('context', expr.path);
    case 'aggregate': {
      // Outside a comparison's subject (an operand), an unsettled child's close is reported as is.
      const result = env.aggregate(expr);
      if (!result.settled) env.sink?.(result.closeAt);
      return result.value;
    }
    default:
      return assertNever(expr);
  }
}

/**
 * The operand list of single-operand comparators, reused: filled after the operand is evaluated
 * (which may recurse) and read by `applyComparator` (which does not), so no array per comparison.
 */
const single: Array<Json | undefined> = [undefined];
const none: ReadonlyArray<Json | undefined> = [];

function evaluateComparison(subject: ValueExpr, comparator: Comparator, env: EvaluationEnv): Truth {
  // The subject first: evaluating it can recurse into other comparisons (a stream's filters).
  const aggregate = subject.kind === 'aggregate' ? env.aggregate(subject, countNeeded(subject.reducer, comparator)) : undefined;
  const value = aggregate === undefined ? evaluateValue(subject, env) : aggregate.value;
  let operands: ReadonlyArray<Json | undefined> = none;
  if ('operand' in comparator) {
    const operand = evaluateValue(comparator.operand, env);
    single[0] = operand;
    operands = single;
  } else if ('operands' in comparator) operands = comparator.operands.map((o) => evaluateValue(o, env));
  const truth = applyComparator(comparator, value, operands, env.now, env.sink);
  if (aggregate === undefined || aggregate.settled) return truth;
  // True for good: it reads the same at its close, which is not reported.
  if (truth && staysTrue((subject as AggregateExpr).reducer, comparator, value)) return true;
  const { decided } = env;
  if (decided !== undefined && aggregate.quiet) {
    if (decided.settled) return truth;
    if (aggregate.closeAt < decided.earliest) decided.earliest = aggregate.closeAt;
    return 'unknown';
  }
  env.sink?.(aggregate.closeAt);
  return 'unknown';
}

/**
 * The count a `count() >= k` or `count() > k` comparison (k a literal) needs to be true, so that
 * the stream reports only the instants where the comparison can flip; undefined for any other.
 */
export function countNeeded(reducer: Reducer, comparator: Comparator): number | undefined {
  if (reducer.kind !== 'count' || !('operand' in comparator) || comparator.operand.kind !== 'literal') return undefined;
  const k = comparator.operand.value;
  if (typeof k !== 'number' || !Number.isFinite(k)) return undefined;
  if (comparator.op === 'at_least') return Math.ceil(k);
  return comparator.op === 'greater_than' ? Math.floor(k) + 1 : undefined;
}

/**
 * Whether more funnel children can only keep this true comparison true: a count against a
 * literal with `at_least`/`greater_than`, or `differs` once the count is past the literal.
 */
function staysTrue(reducer: Reducer, comparator: Comparator, value: Json | undefined): boolean {
  if (reducer.kind !== 'count' && reducer.kind !== 'unique_count') return false;
  if (!('operand' in comparator) || comparator.operand.kind !== 'literal' || typeof comparator.operand.value !== 'number') return false;
  const k = comparator.operand.value;
  if (comparator.op === 'at_least' || comparator.op === 'greater_than') return true;
  return comparator.op === 'differs' && typeof value === 'number' && value > k;
}
