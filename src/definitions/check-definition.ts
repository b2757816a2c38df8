import type { Condition, DefinitionAst, DefinitionKind, DefinitionTarget, SourcePosition, ValueExpr } from './ast.ts';
import type { Checked } from './check-arguments.ts';
import { checkChain, labelOf, type ChainEnv, type ChainState, type Scope } from './check-chain.ts';
import { fail, formatCount, MAX_PRIMARY_EXPRESSIONS } from './definition-error.ts';
import type { SyntaxChain, SyntaxExpr } from './syntax.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok } from '../shared/result.ts';

/**
 * The type checker: turns the parser's `SyntaxExpr` into the `DefinitionAst`, enforcing every
 * rule the AST's consumers rely on (roots, placement of `property()`, funnels, windows,
 * comparator operands, the 50-primary limit). The first problem in checking order is the error.
 */
export function checkDefinition(syntax: SyntaxExpr, kind: DefinitionKind, target: DefinitionTarget): Checked<DefinitionAst> {
  const checker = new Checker(target);
  switch (kind) {
    case 'audience': {
      const scope: Scope = { where: 'none', streamLabel: undefined, underQuantifier: false, needs: 'an audience must end in a condition' };
      const root = checker.condition(syntax, scope);
      if (!root.ok) return root;
      const limit = checker.checkLimit(kind);
      if (!limit.ok) return limit;
      return ok({ kind, target, root: root.value });
    }
    case 'computed_trait': {
      const root = checker.rootValue(syntax);
      if (!root.ok) return root;
      // The computed value is a primary expression too (Segment counts it).
      checker.recordPrimary(root.value.at);
      const limit = checker.checkLimit(kind);
      if (!limit.ok) return limit;
      return ok({ kind, target, root: root.value });
    }
    default:
      return assertNever(kind);
  }
}

class Checker implements ChainEnv {
  private readonly primaries: SourcePosition[] = [];

  constructor(private readonly target: DefinitionTarget) {}

  chain(expr: SyntaxChain, scope: Scope): Checked<ChainState> {
    return checkChain(expr, scope, this);
  }

  recordPrimary(at: SourcePosition): void {
    this.primaries.push(at);
  }

  /** Fails at the 51st primary expression in text order, giving the total. */
  checkLimit(kind: DefinitionKind): Checked<undefined> {
    const count = this.primaries.length;
    if (count <= MAX_PRIMARY_EXPRESSIONS) return ok(undefined);
    // Comparisons are recorded as they close (inner ones first); the message points in text order.
    const ordered = [...this.primaries].sort((a, b) => a.line - b.line || a.column - b.column);
    const at = ordered[MAX_PRIMARY_EXPRESSIONS] ?? ordered[0] ?? { line: 1, column: 1 };
    const counted = kind === 'audience' ? 'each comparison counts' : 'each comparison and the computed value count';
    return fail(at, `the definition has ${formatCount(count)} primary expressions, more than the limit of ${MAX_PRIMARY_EXPRESSIONS} (${counted}); this is the ${MAX_PRIMARY_EXPRESSIONS + 1}st`);
  }

  condition(expr: SyntaxExpr, scope: Scope): Checked<Condition> {
    switch (expr.kind) {
      case 'group':
        return this.condition(expr.inner, scope);
      case 'and':
      case 'or': {
        const keyword = expr.kind === 'and' ? 'AND' : 'OR';
        const inner: Scope = { ...scope, needs: `${keyword} joins conditions` };
        const operands: Condition[] = [];
        // A loop, not recursion, over the operands: 1,000 ANDs cost no stack.
        for (const operand of expr.operands) {
          const checked = this.condition(operand, inner);
          if (!checked.ok) return checked;
          operands.push(checked.value);
        }
        return ok({ kind: expr.kind, operands, at: expr.at });
      }
      case 'not': {
        const operand = this.condition(expr.operand, { ...scope, needs: 'NOT takes a condition' });
        if (!operand.ok) return operand;
        return ok({ kind: 'not', operand: operand.value, at: expr.at });
      }
      case 'quantified':
        return this.quantified(expr, scope);
      case 'chain': {
        const state = checkChain(expr, scope, this);
        if (!state.ok) return state;
        const typed = state.value;
        switch (typed.kind) {
          case 'condition':
            return ok(typed.condition);
          case 'value':
            if (typed.value.kind === 'literal') return fail(expr.at, `expected a condition, found ${typed.label}: ${scope.needs}`);
            return fail(expr.end, `expected a comparison after ${typed.label}, such as >= 1 or .exists(): ${scope.needs}`);
          case 'stream':
            return fail(expr.end, `${typed.draft.label} is a stream of events, not a condition: reduce and compare it, as in ${typed.draft.label}.count() >= 1`);
          default:
            return assertNever(typed);
        }
      }
      default:
        return assertNever(expr);
    }
  }

  /**
   * `ANY`/`ALL` quantify over the users of an account: only in ACCOUNTS audiences, only in the
   * top-level junctions (a `where` is about one event, not about users), and not nested.
   */
  private quantified(expr: Extract<SyntaxExpr, { kind: 'quantified' }>, scope: Scope): Checked<Condition> {
    const keyword = expr.quantifier === 'any' ? 'ANY' : 'ALL';
    if (this.target !== 'ACCOUNTS') {
      return fail(expr.at, `${keyword} is only for ACCOUNTS definitions (it quantifies over the users of an account); this definition's type is USERS`);
    }
    if (scope.where !== 'none') return fail(expr.at, `${keyword} is only allowed at the top level of an ACCOUNTS audience, not inside where(…)`);
    if (scope.underQuantifier) return fail(expr.at, `${keyword} cannot be nested inside another ANY or ALL`);
    const operand = this.condition(expr.operand, { ...scope, underQuantifier: true, needs: `${keyword} takes a condition` });
    if (!operand.ok) return operand;
    return ok({ kind: 'quantified', quantifier: expr.quantifier, negated: expr.negated, operand: operand.value, at: expr.at });
  }

  /** A computed trait's root: one value (an aggregate, a trait, a literal), not a condition. */
  rootValue(expr: SyntaxExpr): Checked<ValueExpr> {
    const wanted = "a computed trait must end in a value, such as event('Order Completed').count()";
    switch (expr.kind) {
      case 'group':
        return this.rootValue(expr.inner);
      case 'and':
      case 'or':
        return fail(expr.keywordAt, `${wanted}; ${expr.kind === 'and' ? 'AND' : 'OR'} joins conditions`);
      case 'not':
        return fail(expr.at, `${wanted}; NOT negates a condition`);
      case 'quantified':
        return fail(expr.at, `${wanted}; ${expr.quantifier === 'any' ? 'ANY' : 'ALL'} is only for ACCOUNTS audiences`);
      case 'chain': {
        const scope: Scope = { where: 'none', streamLabel: undefined, underQuantifier: false, needs: wanted };
        const state = checkChain(expr, scope, this);
        if (!state.ok) return state;
        const typed = state.value;
        switch (typed.kind) {
          case 'value':
            return ok(typed.value);
          case 'condition':
            return fail(typed.comparatorAt, `${wanted}, not a condition: remove the comparison that starts here`);
          case 'stream':
            return fail(expr.end, `${labelOf(typed)} is a stream of events: a computed trait must reduce it to a value, as in ${labelOf(typed)}.count()`);
          default:
            return assertNever(typed);
        }
      }
      default:
        return assertNever(expr);
    }
  }
}
