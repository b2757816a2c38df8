import type { Condition, SourcePosition, ValueExpr, Window } from './ast.ts';
import type { Checked } from './check-arguments.ts';
import type { DefinitionError } from './definition-error.ts';
import type { SyntaxChain, SyntaxExpr } from './syntax.ts';

/** Where an expression sits, which decides what it may use. */
export interface Scope {
  /**
   * Which `where(…)` the expression is inside: none (the top level), the where of a top-level
   * stream (a stream here is a funnel step), or the where of a funnel step (no stream allowed,
   * `property(parent: …)` allowed).
   */
  readonly where: 'none' | 'stream' | 'step';
  /** The stream whose `where(…)` this is, as messages name it (`event('Product Added')`). */
  readonly streamLabel: string | undefined;
  /** Under an `ANY`/`ALL` already (they do not nest). */
  readonly underQuantifier: boolean;
  /** Why a condition is wanted here, ending messages: "an audience must end in a condition". */
  readonly needs: string;
}

/**
 * What the checker provides to the chain, stream and comparator checks: a `where` holds a
 * condition, a comparator's operand is a chain. Passed in, so those modules import no checker.
 */
export interface ChainEnv {
  condition(expr: SyntaxExpr, scope: Scope): Checked<Condition>;
  chain(expr: SyntaxChain, scope: Scope): Checked<ChainState>;
  /** Counts one primary expression (a comparison) starting at `at`. */
  recordPrimary(at: SourcePosition): void;
}

/** A stream being built call by call (`event('A').where(…).within(…)`). */
export interface StreamDraft {
  readonly event: string;
  readonly where: Condition[];
  readonly excludeSources: string[];
  window: Window | undefined;
  readonly at: SourcePosition;
  readonly label: string;
  /** The enclosing stream's label when this stream is a funnel step, else undefined. */
  readonly parentLabel: string | undefined;
}

/** The type of a chain so far. */
export type ChainState =
  | { readonly kind: 'stream'; readonly draft: StreamDraft }
  | { readonly kind: 'value'; readonly value: ValueExpr; readonly label: string }
  | { readonly kind: 'condition'; readonly condition: Condition; readonly comparatorAt: SourcePosition };

export type Failure = { readonly ok: false; readonly error: DefinitionError };
