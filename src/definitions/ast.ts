/**
 * The checked form of a definition in Segment's query language (`shared/spec/query-language.md`).
 * The parser builds it, the type checker guarantees its invariants (listed per node), and the
 * evaluators in `compute/` read it. Plain data: it round-trips through msgpackr and crosses threads.
 *
 * Sugar is gone by this point: `>= 100` is `{ op: 'at_least', operand: literal 100 }`, a bare
 * string or number is a `literal`, `==` is `equals`.
 */

/** Where a node starts in the definition's text (1-based), for error messages. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export type DefinitionKind = 'audience' | 'computed_trait';
/** `USERS` (default) or `ACCOUNTS` (account audiences may use `ANY`/`ALL`). */
export type DefinitionTarget = 'USERS' | 'ACCOUNTS';

export type TimeUnit = 'hours' | 'days';

/** A duration as written (`7 days`) and in milliseconds (units are exact: 1 day = 24 h). */
export interface Duration {
  readonly amount: number;
  readonly unit: TimeUnit;
  readonly ms: number;
}

/**
 * A whole definition. An audience's root is a `Condition`; a computed trait's root is a
 * `ValueExpr` (the checker refuses the other way round).
 */
export type DefinitionAst =
  | { readonly kind: 'audience'; readonly target: DefinitionTarget; readonly root: Condition }
  | { readonly kind: 'computed_trait'; readonly target: DefinitionTarget; readonly root: ValueExpr };

/** Something that is true or false. */
export type Condition =
  | { readonly kind: 'and'; readonly operands: readonly Condition[]; readonly at: SourcePosition }
  | { readonly kind: 'or'; readonly operands: readonly Condition[]; readonly at: SourcePosition }
  | { readonly kind: 'not'; readonly operand: Condition; readonly at: SourcePosition }
  /**
   * Account audiences only, at the top level: `ANY (c)`, `ALL (c)`, `ALL NOT c` over the users
   * linked to the account. `negated` is the `NOT` of `ALL NOT`.
   */
  | {
      readonly kind: 'quantified';
      readonly quantifier: 'any' | 'all';
      readonly negated: boolean;
      readonly operand: Condition;
      readonly at: SourcePosition;
    }
  | { readonly kind: 'comparison'; readonly subject: ValueExpr; readonly comparator: Comparator; readonly at: SourcePosition };

/** Something with a value (possibly absent). */
export type ValueExpr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly at: SourcePosition }
  /** A profile trait; audience keys and computed-trait keys are traits too. */
  | { readonly kind: 'trait'; readonly key: string; readonly at: SourcePosition }
  /**
   * A property of the occurrence being filtered or reduced (`scope: 'event'`), or of the
   * enclosing parent occurrence in a funnel (`scope: 'parent'`). `path` may be dotted
   * (`product.sku`). Only inside `where` or as a reducer's argument.
   */
  | { readonly kind: 'property'; readonly path: string; readonly scope: 'event' | 'parent'; readonly at: SourcePosition }
  /** A dotted path into the occurrence's `context`. Only inside `where` or as a reducer's argument. */
  | { readonly kind: 'context'; readonly path: string; readonly at: SourcePosition }
  /** A stream reduced to one value: `event('X')…count()`. */
  | { readonly kind: 'aggregate'; readonly stream: Stream; readonly reducer: Reducer; readonly at: SourcePosition };

/**
 * The occurrences of one event (track events by name; page calls are `Page Viewed`, screen
 * calls `Screen Viewed`), filtered. Invariants the checker guarantees:
 * - at most one `window`;
 * - a `parent` window only on a child stream (a stream inside another stream's `where`), and
 *   every child stream has one; funnels nest one level (a child has no children);
 * - `property(parent: …)` only inside a child stream's `where`.
 */
export interface Stream {
  readonly event: string;
  /** Every `.where(…)` of the chain, in order; an occurrence must pass them all. */
  readonly where: readonly Condition[];
  /** `.sources({exclude: …})`: source ids whose occurrences are dropped (all calls joined). */
  readonly excludeSources: readonly string[];
  readonly window: Window | undefined;
  readonly at: SourcePosition;
}

/**
 * - `within`: `now − ms < ts ≤ now`;
 * - `between`: `now − endMs < ts ≤ now − startMs` (`startMs < endMs`);
 * - `parent`: a funnel child's `(parent.ts, parent.ts + ms]`.
 */
export type Window =
  | { readonly kind: 'within'; readonly duration: Duration }
  | { readonly kind: 'between'; readonly start: Duration; readonly end: Duration }
  | { readonly kind: 'parent'; readonly duration: Duration };

/** The argument of a reducer: `property('p')` or `context('a.b')` of each occurrence. */
export interface FieldRef {
  readonly source: 'property' | 'context';
  readonly path: string;
}

export type Reducer =
  | { readonly kind: 'count' }
  | { readonly kind: 'sum' | 'avg'; readonly field: FieldRef }
  /** `as: 'number'` (default) compares numerically; `'string'` by code points. */
  | { readonly kind: 'min' | 'max'; readonly field: FieldRef; readonly as: 'number' | 'string' }
  /** Most frequent value seen at least `minFrequency` times; ties go to the first by code points. */
  | { readonly kind: 'mode'; readonly field: FieldRef; readonly as: 'string' | 'number' | 'array'; readonly minFrequency: number }
  | { readonly kind: 'first' | 'last'; readonly field: FieldRef }
  /** The distinct values in code-point order. */
  | { readonly kind: 'unique'; readonly field: FieldRef }
  /** `unique(p).count()`. */
  | { readonly kind: 'unique_count'; readonly field: FieldRef };

export type ValueComparatorOp = 'equals' | 'differs' | 'greater_than' | 'at_least' | 'less_than' | 'at_most';
export type TextComparatorOp = 'contains' | 'omits' | 'starts_with' | 'ends_with' | 'one_of';
export type RelativeDateOp = 'within_last' | 'within_next' | 'before_last' | 'after_next';

/**
 * The end of a comparison chain. Operands are never aggregates (the checker refuses
 * `count() > event('B').count()`): a literal, a trait, or inside `where` a property/context.
 */
export type Comparator =
  | { readonly op: ValueComparatorOp; readonly operand: ValueExpr }
  | { readonly op: 'absent' | 'exists' }
  /** `contains`/`one_of`: any of the operands; `omits`: none of them; `starts_with`/`ends_with`: any. */
  | { readonly op: TextComparatorOp; readonly operands: readonly ValueExpr[] }
  /** Strict: `before_date` holds for `t < at`, `after_date` for `t > at`. */
  | { readonly op: 'before_date' | 'after_date'; readonly at: number; readonly iso: string }
  /** Relative to now, inclusive (query-language.md, "Relative dates"). */
  | { readonly op: RelativeDateOp; readonly duration: Duration };
