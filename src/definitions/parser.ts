import type { SourcePosition, ValueComparatorOp } from './ast.ts';
import { describePosition, fail, MAX_NESTING_DEPTH, type DefinitionError } from './definition-error.ts';
import { describeToken, keywordOf, quoteName } from './describe.ts';
import type { SyntaxArg, SyntaxCall, SyntaxChain, SyntaxExpr, SyntaxLiteral } from './syntax.ts';
import type { Punct, Token } from './tokenizer.ts';
import { assertNever } from '../shared/assert-never.ts';
import { ok, type Result } from '../shared/result.ts';

type Parsed<T> = Result<T, DefinitionError>;

const SUGAR: ReadonlyMap<Punct, ValueComparatorOp> = new Map([
  ['=', 'equals'],
  ['==', 'equals'],
  ['!=', 'differs'],
  ['>', 'greater_than'],
  ['>=', 'at_least'],
  ['<', 'less_than'],
  ['<=', 'at_most'],
]);

/**
 * Functions that take more than one argument: after one of their arguments a `,` is as good as
 * a `)`, and the error message should say so. Everything else takes at most one.
 */
const MULTI_ARGUMENT = new Set([
  'mode',
  'between',
  'sources',
  'contains',
  'omits',
  'starts_with',
  'ends_with',
  'one_of',
]);

/** Argument labels (`parent: 5 days`, `exclude: 'id'`); one written without its colon gets a hint. */
const LABELS = new Set(['parent', 'exclude']);

/**
 * Recursive descent over the token list, into the untyped `SyntaxExpr`.
 *
 * definition := or END
 * or         := and (OR and)*                      (iterative: 10,000 ORs cost no stack)
 * and        := unary (AND unary)*
 * unary      := NOT unary | ANY unary | ALL [NOT] unary | '(' or ')' | chain
 * chain      := term ('.' name '(' args ')')* [comparison-symbol chain-without-symbol]
 * term       := string | number | true | false | null | name '(' args ')'
 * arg        := [name ':'] ( '{' args '}' | '[' args ']' | number unit | or ['as' name] )
 *
 * Every construct that nests (NOT/ANY/ALL, parentheses, call arguments, braces, brackets) counts
 * against MAX_NESTING_DEPTH, so recursion depth is bounded whatever the input.
 */
export function parseSyntax(tokens: readonly Token[], endToken: Token): Parsed<SyntaxExpr> {
  return new Parser(tokens, endToken).definition();
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly endToken: Token,
  ) {}

  definition(): Parsed<SyntaxExpr> {
    const expr = this.or('expected a condition or a value');
    if (!expr.ok) return expr;
    const next = this.peek();
    if (next.kind === 'end') return expr;
    if (next.kind === 'punct' && next.symbol === ')') return fail(next.at, `unexpected ')': there is no '(' for it to close`);
    return fail(next.at, `expected AND, OR or the end of the definition, found ${describeToken(next)}`);
  }

  /** `expected` words the message when the first operand is missing; later ones follow a keyword. */
  private or(expected: string): Parsed<SyntaxExpr> {
    return this.junction('OR', () => this.and(expected), () => this.and('expected a condition after OR'));
  }

  private and(expected: string): Parsed<SyntaxExpr> {
    return this.junction('AND', () => this.unary(expected), () => this.unary('expected a condition after AND'));
  }

  /** `operand (KEYWORD operand)*` as one n-ary node, in a loop (no recursion per operand). */
  private junction(keyword: 'AND' | 'OR', first: () => Parsed<SyntaxExpr>, rest: () => Parsed<SyntaxExpr>): Parsed<SyntaxExpr> {
    const head = first();
    if (!head.ok) return head;
    if (keywordOf(this.peek()) !== keyword) return head;
    const keywordAt = this.peek().at;
    const operands: SyntaxExpr[] = [head.value];
    while (keywordOf(this.peek()) === keyword) {
      this.next();
      const more = rest();
      if (!more.ok) return more;
      operands.push(more.value);
    }
    return ok({ kind: keyword === 'AND' ? 'and' : 'or', operands, at: head.value.at, keywordAt });
  }

  private unary(expected: string): Parsed<SyntaxExpr> {
    const token = this.peek();
    const keyword = keywordOf(token);
    if (keyword === 'NOT' || keyword === 'ANY' || keyword === 'ALL') return this.prefixed(keyword, token);
    if (token.kind === 'punct' && token.symbol === '(') return this.group(token);
    return this.chain(expected, true);
  }

  /** `NOT x`, `ANY x`, `ALL x`, `ALL NOT x`: x is a primary (a group or one comparison). */
  private prefixed(keyword: 'NOT' | 'ANY' | 'ALL', token: Token): Parsed<SyntaxExpr> {
    this.next();
    const negated = keyword === 'ALL' && keywordOf(this.peek()) === 'NOT';
    if (negated) this.next();
    const tooDeep = this.enter(token.at);
    if (tooDeep) return tooDeep;
    const operand = this.unary(`expected a condition after ${negated ? 'ALL NOT' : keyword}`);
    this.depth -= 1;
    if (!operand.ok) return operand;
    if (keyword === 'NOT') return ok({ kind: 'not', operand: operand.value, at: token.at });
    return ok({ kind: 'quantified', quantifier: keyword === 'ANY' ? 'any' : 'all', negated, operand: operand.value, at: token.at });
  }

  private group(open: Token): Parsed<SyntaxExpr> {
    this.next();
    const tooDeep = this.enter(open.at);
    if (tooDeep) return tooDeep;
    const inner = this.or(`expected a condition after '('`);
    this.depth -= 1;
    if (!inner.ok) return inner;
    const close = this.peek();
    if (!(close.kind === 'punct' && close.symbol === ')')) {
      return fail(close.at, `expected ')' to close the '(' at ${describePosition(open.at)}, found ${describeToken(close)}`);
    }
    this.next();
    return ok({ kind: 'group', inner: inner.value, at: open.at });
  }

  private chain(expected: string, allowSugar: boolean): Parsed<SyntaxChain> {
    const head = this.term(expected);
    if (!head.ok) return head;
    const calls: SyntaxCall[] = [];
    let end = head.value.end;
    while (this.isPunct('.')) {
      this.next();
      const name = this.peek();
      if (name.kind !== 'identifier') return fail(name.at, `expected a function name after '.', found ${describeToken(name)}`);
      this.next();
      const call = this.callArguments(name.name, name.at);
      if (!call.ok) return call;
      calls.push(call.value);
      end = call.value.end;
    }
    const symbolToken = this.peek();
    const op = symbolToken.kind === 'punct' ? SUGAR.get(symbolToken.symbol) : undefined;
    if (!allowSugar || op === undefined || symbolToken.kind !== 'punct') {
      return ok({ kind: 'chain', head: head.value, calls, sugar: undefined, at: head.value.at, end });
    }
    this.next();
    const operand = this.chain(`expected a value after '${symbolToken.symbol}'`, false);
    if (!operand.ok) return operand;
    const after = this.peek();
    if (after.kind === 'punct' && SUGAR.has(after.symbol)) {
      return fail(after.at, `comparisons cannot be chained: found '${after.symbol}' after a complete comparison (join comparisons with AND)`);
    }
    const sugar = { op, symbol: symbolToken.symbol, at: symbolToken.at, operand: operand.value };
    return ok({ kind: 'chain', head: head.value, calls, sugar, at: head.value.at, end });
  }

  private term(expected: string): Parsed<SyntaxLiteral | SyntaxCall> {
    const token = this.peek();
    switch (token.kind) {
      case 'string':
        this.next();
        return ok({ kind: 'literal', value: token.value, at: token.at, text: token.raw, end: token.end });
      case 'number':
        this.next();
        return ok({ kind: 'literal', value: token.value, at: token.at, text: token.raw, end: token.end });
      case 'identifier': {
        if (keywordOf(token) !== undefined) return fail(token.at, `${expected}, found ${describeToken(token)}`);
        const following = this.peek(1);
        if (following.kind === 'punct' && following.symbol === '(') {
          this.next();
          return this.callArguments(token.name, token.at);
        }
        if (LABELS.has(token.name) && following.kind !== 'punct') {
          return fail(following.at, `expected ':' after ${token.name}, found ${describeToken(following)}`);
        }
        const constant = constantOf(token.name);
        if (constant !== undefined) {
          this.next();
          return ok({ kind: 'literal', value: constant.value, at: token.at, text: token.name, end: token.end });
        }
        return fail(
          token.at,
          `${expected}, found the name ${quoteName(token.name)} (quote a string, as in '${token.name}', or call a function, as in ${token.name}(…))`,
        );
      }
      case 'punct':
      case 'end':
        return fail(token.at, `${expected}, found ${describeToken(token)}`);
      default:
        return assertNever(token);
    }
  }

  /** The `( … )` of a call whose name was just consumed; the next token must be `(`. */
  private callArguments(name: string, at: SourcePosition): Parsed<SyntaxCall> {
    const open = this.peek();
    if (!(open.kind === 'punct' && open.symbol === '(')) {
      return fail(open.at, `expected '(' after ${name}, found ${describeToken(open)}`);
    }
    this.next();
    const tooDeep = this.enter(open.at);
    if (tooDeep) return tooDeep;
    const args = this.argumentList(name, ')');
    this.depth -= 1;
    if (!args.ok) return args;
    return ok({ kind: 'call', name, args: args.value.args, at, end: args.value.close.end });
  }

  /** Arguments up to the closing `)`, `}` or `]` (the opening one already consumed). */
  private argumentList(owner: string, closer: ')' | '}' | ']'): Parsed<{ args: SyntaxArg[]; close: Token }> {
    const args: SyntaxArg[] = [];
    if (this.isPunct(closer)) return ok({ args, close: this.next() });
    for (;;) {
      const arg = this.argument(owner);
      if (!arg.ok) return arg;
      args.push(arg.value);
      const after = this.peek();
      if (after.kind === 'punct' && after.symbol === closer) return ok({ args, close: this.next() });
      if (after.kind === 'punct' && after.symbol === ',') {
        this.next();
        const again = this.peek();
        if (again.kind === 'punct' && again.symbol === closer) {
          return fail(again.at, `expected an argument of ${owner} after ',', found '${closer}'`);
        }
        continue;
      }
      if (closer !== ')') return fail(after.at, `expected ',' or '${closer}' in the arguments of ${owner}, found ${describeToken(after)}`);
      if (MULTI_ARGUMENT.has(owner)) return fail(after.at, `expected ',' or ')' after an argument of ${owner}, found ${describeToken(after)}`);
      return fail(after.at, `expected ')' after the arguments of ${owner}, found ${describeToken(after)}`);
    }
  }

  private argument(owner: string): Parsed<SyntaxArg> {
    const token = this.peek();
    const following = this.peek(1);
    if (token.kind === 'identifier' && following.kind === 'punct' && following.symbol === ':' && keywordOf(token) === undefined) {
      this.next();
      this.next();
      const value = this.argumentValue(owner, `expected a value after '${token.name}:'`);
      if (!value.ok) return value;
      return ok({ kind: 'labeled', label: token.name, value: value.value, at: token.at });
    }
    return this.argumentValue(owner, `expected an argument of ${owner}`);
  }

  private argumentValue(owner: string, expected: string): Parsed<SyntaxArg> {
    const token = this.peek();
    if (token.kind === 'punct' && (token.symbol === '{' || token.symbol === '[')) {
      this.next();
      const tooDeep = this.enter(token.at);
      if (tooDeep) return tooDeep;
      const closer = token.symbol === '{' ? '}' : ']';
      const inner = this.argumentList(owner, closer);
      this.depth -= 1;
      if (!inner.ok) return inner;
      return ok({ kind: token.symbol === '{' ? 'braced' : 'list', args: inner.value.args, at: token.at });
    }
    const unit = this.peek(1);
    // `7 days`: a number directly followed by a name that is not a keyword (`1 AND …`, `2 as …`).
    if (token.kind === 'number' && unit.kind === 'identifier' && keywordOf(unit) === undefined && unit.name.toLowerCase() !== 'as') {
      this.next();
      this.next();
      return ok({ kind: 'duration', amount: token.value, amountText: token.raw, unit: unit.name, at: token.at, unitAt: unit.at });
    }
    const expr = this.or(expected);
    if (!expr.ok) return expr;
    const as = this.peek();
    if (!(as.kind === 'identifier' && as.name.toLowerCase() === 'as')) return ok({ kind: 'expr', expr: expr.value, as: undefined, at: expr.value.at });
    this.next();
    const type = this.peek();
    if (type.kind !== 'identifier') return fail(type.at, `expected a type after 'as' (string, number or array), found ${describeToken(type)}`);
    this.next();
    return ok({ kind: 'expr', expr: expr.value, as: { type: type.name, at: type.at }, at: expr.value.at });
  }

  private enter(at: SourcePosition): { readonly ok: false; readonly error: DefinitionError } | undefined {
    this.depth += 1;
    if (this.depth <= MAX_NESTING_DEPTH) return undefined;
    return fail(at, `the definition nests too deeply: more than ${MAX_NESTING_DEPTH} levels of parentheses, function calls and NOT/ANY/ALL`);
  }

  private isPunct(symbol: Punct): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.symbol === symbol;
  }

  /** The token `offset` ahead; past the list it is the `end` token. */
  private peek(offset = 0): Token {
    return this.tokens[this.index + offset] ?? this.endToken;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }
}

function constantOf(name: string): { readonly value: boolean | null } | undefined {
  switch (name.toLowerCase()) {
    case 'true':
      return { value: true };
    case 'false':
      return { value: false };
    case 'null':
      return { value: null };
    default:
      return undefined;
  }
}

