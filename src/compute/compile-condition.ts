import type { Comparator, Condition, Reducer, ValueExpr } from '../definitions/ast.ts';
import { assertNever } from '../shared/assert-never.ts';
import type { Json } from '../shared/json.ts';
import { applyComparator, type InstantSink } from './compare.ts';
import { beginCapture, endCapture } from './instant-capture.ts';

export type AggregateExpr = Extract<ValueExpr, { kind: 'aggregate' }>;

/**
 * Three-valued truth: a funnel child's comparison is `unknown` until it settles
 * (SEMANTICS.md, "Funnels"), and unknown propagates by Kleene logic.
 */
export type Truth = boolean | 'unknown';

/**
 * What a compiled condition reads where it is evaluated. `now` and `sink` are plain fields the
 * evaluator sets before each evaluation (getters returned a boxed number on every read).
 */
export interface EvaluationEnv {
  now: number;
  /** Receives every instant at which a time-dependent part may change its answer. */
  sink: InstantSink | undefined;
  trait(key: string): Json | undefined;
  /** A field of the occurrence being filtered (`property('p')`, `context('p')`). */
  field(source: 'property' | 'context', path: string): Json | undefined;
  /** `property(parent: 'p')`: a field of the funnel's parent occurrence. */
  parentField(path: string): Json | undefined;
}

export type CompiledCondition = (env: EvaluationEnv) => Truth;
export type CompiledValue = (env: EvaluationEnv) => Json | undefined;

/** A stream's reduced value; `settled: false` only for a funnel child whose window is still open. */
export type AggregateReader = (env: EvaluationEnv) => { readonly value: Json | undefined; readonly settled: boolean };

/** Binds each stream of the condition to the reader of its value (done once, at compile time). */
export type BindAggregate = (node: AggregateExpr) => AggregateReader;

/**
 * Compiles a condition into a closure tree, once per definition: an evaluation then calls
 * straight through it, with no walk over the syntax tree, no dispatch on node kinds and no
 * lookup of a stream's state by its node.
 */
export function compileCondition(condition: Condition, bindAggregate: BindAggregate): CompiledCondition {
  switch (condition.kind) {
    case 'and':
    case 'or': {
      const operands = condition.operands.map((operand) => compileCondition(operand, bindAggregate));
      const isOr = condition.kind === 'or';
      return (env) => (env.sink === undefined ? untimedJunction(operands, env, isOr) : timedJunction(operands, env, isOr));
    }
    case 'not': {
      const operand = compileCondition(condition.operand, bindAggregate);
      return (env) => {
        const truth = operand(env);
        return truth === 'unknown' ? truth : !truth;
      };
    }
    case 'quantified':
      return () => {
        throw new Error('ANY/ALL are evaluated over an account’s users, not on one profile');
      };
    case 'comparison':
      return compileComparison(condition.subject, condition.comparator, bindAggregate);
    default:
      return assertNever(condition);
  }
}

export function compileValue(expr: ValueExpr, bindAggregate: BindAggregate): CompiledValue {
  switch (expr.kind) {
    case 'literal': {
      const { value } = expr;
      return () => value;
    }
    case 'trait': {
      const { key } = expr;
      return (env) => env.trait(key);
    }
    case 'property': {
      const { path } = expr;
      return expr.scope === 'parent' ? (env) => env.parentField(path) : (env) => env.field('property', path);
    }
    case 'context': {
      const { path } = expr;
      return (env) => env.field('context', path);
    }
    case 'aggregate': {
      const read = bindAggregate(expr);
      return (env) => read(env).value;
    }
    default:
      return assertNever(expr);
  }
}

/** `AND` (or, with `isOr`, `OR`) when only the answer is wanted (no sink): stops at the first deciding operand. */
function untimedJunction(operands: readonly CompiledCondition[], env: EvaluationEnv, isOr: boolean): Truth {
  let result: Truth = !isOr;
  for (let i = 0; i < operands.length; i++) {
    const truth = operands[i]!(env);
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
function timedJunction(operands: readonly CompiledCondition[], env: EvaluationEnv, isOr: boolean): Truth {
  // The operand value that decides the junction: false for AND, true for OR.
  const deciding = isOr;
  let result: Truth = !deciding;
  let earliest = Number.POSITIVE_INFINITY;
  let latestDeciding = Number.NEGATIVE_INFINITY;
  let decidingCount = 0;
  for (let i = 0; i < operands.length; i++) {
    beginCapture();
    const truth = operands[i]!(env);
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

type Operands = ReadonlyArray<Json | undefined>;

function compileComparison(subject: ValueExpr, comparator: Comparator, bindAggregate: BindAggregate): CompiledCondition {
  const operands = compileOperands(comparator, bindAggregate);
  const compare = compileComparator(comparator);
  if (subject.kind !== 'aggregate') {
    const value = compileValue(subject, bindAggregate);
    // The subject first: evaluating it can recurse into other comparisons (a stream's filters).
    return (env) => {
      const subjectValue = value(env);
      return compare(subjectValue, operands(env), env);
    };
  }
  const read = bindAggregate(subject);
  const { reducer } = subject;
  return (env) => {
    const aggregate = read(env);
    // Read before the operands are evaluated: the reader's result object may be reused.
    const { value, settled } = aggregate;
    const truth = compare(value, operands(env), env);
    if (settled) return truth;
    return truth && staysTrue(reducer, comparator, value) ? true : 'unknown';
  };
}

/** The comparator's operands, evaluated; one fixed array when they are all literals. */
function compileOperands(comparator: Comparator, bindAggregate: BindAggregate): (env: EvaluationEnv) => Operands {
  const exprs = 'operand' in comparator ? [comparator.operand] : 'operands' in comparator ? comparator.operands : [];
  if (exprs.every((expr) => expr.kind === 'literal')) {
    const fixed: Operands = exprs.map((expr) => (expr.kind === 'literal' ? expr.value : undefined));
    return () => fixed;
  }
  const values = exprs.map((expr) => compileValue(expr, bindAggregate));
  if (values.length === 1) {
    // Filled and read before the next comparison can run (the comparator does not recurse).
    const one: Array<Json | undefined> = [undefined];
    const only = values[0]!;
    return (env) => {
      one[0] = only(env);
      return one;
    };
  }
  return (env) => values.map((value) => value(env));
}

type CompiledComparator = (subject: Json | undefined, operands: Operands, env: EvaluationEnv) => boolean;

/**
 * The comparator as a closure: ordering comparators against a number, the commonest comparison
 * (`count() >= 2`, `sum(…) > 100`), compare numbers directly; every other case, and any subject
 * that is not a number, goes through `applyComparator`, which states the semantics.
 */
function compileComparator(comparator: Comparator): CompiledComparator {
  const generic: CompiledComparator = (subject, operands, env) => applyComparator(comparator, subject, operands, env.now, env.sink);
  const numeric = 'operand' in comparator && comparator.operand.kind === 'literal' && typeof comparator.operand.value === 'number' ? comparator.operand.value : undefined;
  if (numeric === undefined) return generic;
  const k = numeric;
  switch (comparator.op) {
    case 'equals':
      return (subject, operands, env) => (typeof subject === 'number' ? subject === k : generic(subject, operands, env));
    case 'differs':
      return (subject, operands, env) => (typeof subject === 'number' ? subject !== k : generic(subject, operands, env));
    case 'greater_than':
      return (subject, operands, env) => (typeof subject === 'number' ? subject > k : generic(subject, operands, env));
    case 'at_least':
      return (subject, operands, env) => (typeof subject === 'number' ? subject >= k : generic(subject, operands, env));
    case 'less_than':
      return (subject, operands, env) => (typeof subject === 'number' ? subject < k : generic(subject, operands, env));
    case 'at_most':
      return (subject, operands, env) => (typeof subject === 'number' ? subject <= k : generic(subject, operands, env));
    default:
      return generic;
  }
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
