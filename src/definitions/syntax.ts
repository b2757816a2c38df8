import type { SourcePosition, ValueComparatorOp } from './ast.ts';

/**
 * The parser's output: the definition's shape as written, before types. The parser knows the
 * grammar (junctions, chains, argument forms) but not what each function accepts; the checker
 * (`check-definition.ts`) turns this into the `DefinitionAst`, refusing what does not type.
 * Keeping the two apart lets the checker name the valid functions at each point of a chain.
 */
export type SyntaxExpr =
  | {
      readonly kind: 'and' | 'or';
      readonly operands: readonly SyntaxExpr[];
      /** Where the first operand starts (its `(` if parenthesized). */
      readonly at: SourcePosition;
      /** The first `AND`/`OR` keyword, for messages about the junction itself. */
      readonly keywordAt: SourcePosition;
    }
  | { readonly kind: 'not'; readonly operand: SyntaxExpr; readonly at: SourcePosition }
  | {
      readonly kind: 'quantified';
      readonly quantifier: 'any' | 'all';
      /** `ALL NOT x`: the NOT written right after the quantifier. */
      readonly negated: boolean;
      readonly operand: SyntaxExpr;
      readonly at: SourcePosition;
    }
  /** `( … )`; kept so positions of junctions can start at the parenthesis. */
  | { readonly kind: 'group'; readonly inner: SyntaxExpr; readonly at: SourcePosition }
  | SyntaxChain;

/** `head.call(…).call(…)`, optionally followed by a sugar comparison `>= operand`. */
export interface SyntaxChain {
  readonly kind: 'chain';
  readonly head: SyntaxLiteral | SyntaxCall;
  readonly calls: readonly SyntaxCall[];
  readonly sugar: SyntaxSugar | undefined;
  readonly at: SourcePosition;
  /** Just past the last token of the chain before any sugar (where a missing call would go). */
  readonly end: SourcePosition;
}

/** A bare string, number, `true`, `false` or `null`. */
export interface SyntaxLiteral {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
  readonly at: SourcePosition;
  /** As written, for messages. */
  readonly text: string;
  readonly end: SourcePosition;
}

export interface SyntaxCall {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly SyntaxArg[];
  /** The function name's position. */
  readonly at: SourcePosition;
  /** Just past the closing `)`. */
  readonly end: SourcePosition;
}

/** `= x`, `!= x`, `> x`, …: a comparator written as a symbol. */
export interface SyntaxSugar {
  readonly op: ValueComparatorOp;
  readonly symbol: string;
  readonly at: SourcePosition;
  readonly operand: SyntaxChain;
}

/** One argument of a call; the forms cover every function of the language. */
export type SyntaxArg =
  /** An expression, optionally typed: `property('p') as string`. */
  | {
      readonly kind: 'expr';
      readonly expr: SyntaxExpr;
      readonly as: { readonly type: string; readonly at: SourcePosition } | undefined;
      readonly at: SourcePosition;
    }
  /** `7 days`: a number followed by a name. */
  | {
      readonly kind: 'duration';
      readonly amount: number;
      readonly amountText: string;
      readonly unit: string;
      readonly at: SourcePosition;
      readonly unitAt: SourcePosition;
    }
  /** `parent: …`, `exclude: …`. */
  | { readonly kind: 'labeled'; readonly label: string; readonly value: SyntaxArg; readonly at: SourcePosition }
  /** `{ … }` (Segment's docs write `where({cond})`, `sources({exclude: …})`). */
  | { readonly kind: 'braced'; readonly args: readonly SyntaxArg[]; readonly at: SourcePosition }
  /** `[ … ]`. */
  | { readonly kind: 'list'; readonly args: readonly SyntaxArg[]; readonly at: SourcePosition };
