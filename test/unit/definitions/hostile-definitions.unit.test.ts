import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DefinitionKind, DefinitionTarget } from '../../../src/definitions/ast.ts';
import { assertNever } from '../../../src/shared/assert-never.ts';
import { definitionDependencies } from '../../../src/definitions/definition-dependencies.ts';
import { parseDefinition, type DefinitionError } from '../../../src/definitions/parse-definition.ts';

// Generous on purpose: the point is "no hang" (linear work), and CI boxes are shared and noisy.
const QUICK_MS = 1_500;

function refusedQuickly(text: string, kind: DefinitionKind = 'audience'): DefinitionError {
  const started = performance.now();
  const result = parseDefinition(text, { kind });
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(QUICK_MS);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

const comparisons = (n: number, joiner: string): string => Array.from({ length: n }, () => "trait('a') = 1").join(joiner);

describe('hostile definitions get an error, quickly, never a throw', () => {
  it('20,000 characters are accepted; one more is refused at line 1, column 1 naming the limit', () => {
    const core = "event('A').count() >= 1";
    expect(parseDefinition(core + ' '.repeat(20_000 - core.length), { kind: 'audience' }).ok).toBe(true);
    const error = refusedQuickly(core + ' '.repeat(20_001 - core.length));
    expect(error).toStrictEqual({
      message: 'line 1, column 1: the definition is 20,001 characters long; at most 20,000 are allowed',
      line: 1,
      column: 1,
    });
    expect(refusedQuickly('x'.repeat(5_000_000)).message).toBe(
      'line 1, column 1: the definition is 5,000,000 characters long; at most 20,000 are allowed',
    );
  });

  it('20 KB of comparisons is refused by the 50-primary limit, at the 51st, with the count', () => {
    const text = Array.from({ length: 1_176 }, () => "trait('a')=1").join(' AND ');
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text.length).toBeGreaterThan(19_900);
    const error = refusedQuickly(text);
    expect(error.message).toBe(
      `line 1, column ${50 * 17 + 1}: the definition has 1,176 primary expressions, more than the limit of 50 (each comparison counts); this is the 51st`,
    );
  });

  it('50 primary expressions pass, 51 do not; a computed value counts as one', () => {
    expect(parseDefinition(comparisons(50, ' OR '), { kind: 'audience' }).ok).toBe(true);
    expect(refusedQuickly(comparisons(51, ' OR ')).message).toMatch(/^line 1, column 901: the definition has 51 primary expressions, more than the limit of 50/);
    const inner = Array.from({ length: 49 }, () => "property('a') = 1").join(' OR ');
    expect(parseDefinition(`event('A').where(${inner}).count()`, { kind: 'computed_trait' }).ok).toBe(true);
    const over = Array.from({ length: 50 }, () => "property('a') = 1").join(' OR ');
    expect(refusedQuickly(`event('A').where(${over}).count()`, 'computed_trait').message).toMatch(
      /the definition has 51 primary expressions, more than the limit of 50 \(each comparison and the computed value count\)/,
    );
  });

  it('10,000 ANDs: refused by length; 1,100 within the length are refused by the primary limit', () => {
    expect(refusedQuickly(comparisons(10_001, ' AND ')).message).toMatch(/^line 1, column 1: the definition is 190,014 characters long/);
    expect(refusedQuickly(Array.from({ length: 1_100 }, () => "trait('a')=1").join(' AND ')).message).toMatch(/has 1,100 primary expressions/);
    expect(refusedQuickly(Array.from({ length: 3_300 }, () => '1').join(' AND ')).message).toBe(
      'line 1, column 1: expected a condition, found the number 1: AND joins conditions',
    );
  });

  it('1,000 nested parentheses: a depth error at the 33rd, not a stack overflow', () => {
    const deep = `${'('.repeat(1_000)}trait('a') = 1${')'.repeat(1_000)}`;
    expect(refusedQuickly(deep)).toStrictEqual({
      message: 'line 1, column 33: the definition nests too deeply: more than 32 levels of parentheses, function calls and NOT/ANY/ALL',
      line: 1,
      column: 33,
    });
    expect(refusedQuickly('('.repeat(19_999)).line).toBe(1);
    // 31 parentheses plus the call's own make 32 levels: still fine.
    expect(parseDefinition(`${'('.repeat(31)}trait('a') = 1${')'.repeat(31)}`, { kind: 'audience' }).ok).toBe(true);
  });

  it('deep NOT chains, nested calls, braces and funnels hit the same depth limit', () => {
    expect(refusedQuickly(`${'NOT '.repeat(4_000)}trait('a') = 1`).message).toMatch(/nests too deeply/);
    expect(refusedQuickly('literal('.repeat(2_000)).message).toMatch(/nests too deeply/);
    expect(refusedQuickly(`event('A').where(${'{'.repeat(5_000)}`).message).toMatch(/nests too deeply/);
    expect(refusedQuickly("event('A').where(".repeat(1_000)).message).toMatch(/nests too deeply/);
    expect(refusedQuickly(`trait('a').one_of(${'['.repeat(3_000)}`).message).toMatch(/nests too deeply/);
  });

  it('an unterminated string, at the start or after 19 KB', () => {
    expect(refusedQuickly("trait('a) = 1").message).toBe("line 1, column 7: unterminated string: add the closing '");
    const long = `${"trait('a') = 1 OR ".repeat(1_000)}trait('b') = "never closed`;
    expect(long.length).toBeLessThan(20_000);
    expect(refusedQuickly(long).message).toBe(`line 1, column ${18_014}: unterminated string: add the closing "`);
  });

  it('NUL bytes anywhere', () => {
    expect(refusedQuickly('\u0000'.repeat(1_000)).message).toBe('line 1, column 1: unexpected character U+0000');
    expect(refusedQuickly("trait('a')\u0000 = 1").message).toBe('line 1, column 11: unexpected character U+0000');
    expect(refusedQuickly("trait('a\u0000b') = 1").message).toBe(
      'line 1, column 9: control character U+0000 in a string: write it as an escape such as \\u0000',
    );
    // Written as an escape, NUL is an ordinary character of a string.
    expect(parseDefinition("trait('a\\u0000b') = 1", { kind: 'audience' }).ok).toBe(true);
  });

  it('unknown functions, including absurdly long names, are named (cut) with the alternatives', () => {
    expect(refusedQuickly(`${'a'.repeat(19_000)}()`).message).toBe(
      `line 1, column 1: unknown function '${'a'.repeat(40)}…'; expected one of event, trait, property, context, literal`,
    );
    expect(refusedQuickly("event('A').counts() >= 1").message).toBe("line 1, column 12: unknown function 'counts' after event('A'); did you mean count?");
    expect(refusedQuickly("trait('a').startswith('x')").message).toBe(
      "line 1, column 12: unknown function 'startswith' after trait('a'); did you mean starts_with?",
    );
  });

  it('wrong types', () => {
    expect(refusedQuickly("event('A').count('x') >= 1").message).toBe(
      "line 1, column 18: count takes no arguments; to count distinct values write unique(property('…')).count()",
    );
    expect(refusedQuickly("event('A').within('7 days').count() >= 1").message).toBe(
      "line 1, column 19: within takes a duration in hours or days, as in within(7 days); found the string '7 days'",
    );
    expect(refusedQuickly("trait(['a']) = 1").message).toBe("line 1, column 7: trait takes the trait key as a string, as in trait('plan'); found a [ … ] list");
    expect(refusedQuickly("event('A').within(99999999999 days).count() >= 1").message).toBe(
      'line 1, column 19: the duration 99999999999 days in within is too long (at most 100,000,000 days)',
    );
  });

  it('long runs of punctuation, odd characters and lone surrogates', () => {
    expect(refusedQuickly(`event('A')${'.'.repeat(19_000)}`).message).toBe("line 1, column 12: expected a function name after '.', found '.'");
    expect(refusedQuickly(',' .repeat(19_000)).message).toBe("line 1, column 1: expected a condition or a value, found ','");
    expect(refusedQuickly("trait('a') = 1 \ud800").message).toBe("line 1, column 16: unexpected character '\ud800'");
    expect(refusedQuickly("trait('😀') = ∆").message).toBe("line 1, column 14: unexpected character '∆'");
    expect(refusedQuickly('\u200b').message).toBe('line 1, column 1: unexpected character U+200B');
  });
});

// Valid definitions to mutate: each feature of the language appears in at least one.
const CORPUS: readonly { readonly text: string; readonly kind: DefinitionKind; readonly target?: DefinitionTarget }[] = [
  { text: "event('Shoes Bought').where( property('price') >= 100 ).within(7 days).count() >= 1", kind: 'audience' },
  {
    text: "event('Shoes Bought').where( property('price') >= trait('avg_spend') AND event('Shoes Returned').within(parent: 5 days).count() >= 1 ).within(30 days).count() >= 1",
    kind: 'audience',
  },
  { text: "NOT ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 )", kind: 'audience' },
  { text: "ALL ( event('Shoes Bought').count() >= 1 AND trait('total_spend') > 200 )", kind: 'audience', target: 'ACCOUNTS' },
  { text: "ALL NOT event('Shoes Bought').count() >= 1", kind: 'audience', target: 'ACCOUNTS' },
  { text: "ANY event('Shoes Bought').count() >= 1", kind: 'audience', target: 'ACCOUNTS' },
  { text: "event('Shoes Bought').within(30 days).avg(property('spend'))", kind: 'computed_trait' },
  { text: "event('Shoes Bought').where( property('price') > 100 AND property('brand') = 'My Brand' ).min(property('spend'))", kind: 'computed_trait' },
  { text: "event('Shoes Bought').within(30 days).mode(property('spend') as number, 2)", kind: 'computed_trait' },
  {
    text: "event('Product Added').where( event('Order Completed').where(property('sku') = property(parent: 'sku')).within(parent: 1 days).count() = 0 ).within(7 days).count() >= 1",
    kind: 'audience',
  },
  { text: "event('A').sources({exclude: 'x', 'y'}).between(1 days, 3 days).unique(context('page.url')).count()", kind: 'computed_trait' },
  { text: "trait('d').before_date('2023-12-07T18:50:00Z') OR trait(\"e\").within_last(12 hours) OR trait('f').one_of(['a', 2, true])", kind: 'audience' },
];

const FRAGMENTS = [
  '(', ')', '{', '}', '[', ']', ',', '.', ':', "'", '"', '\\', '=', '==', '!=', '>=', '<', ' ', '\n', '\u0000', 'AND ', ' OR ', 'NOT ', 'ANY ', 'ALL NOT ',
  "event('X')", "trait('t')", "property('p')", 'property(parent: ', "context('c')", 'literal(', '.count()', '.where(', '.within(7 days)',
  'within(parent: 1 days)', '.between(2 days, 1 days)', '.unique(', '.mode(', ' as string', '.exists()', '.contains(', "before_date('2023-02-30')",
  '0', '-1', '1.5', '1e999', 'true', 'null', 'days', 'hours', 'weeks', '😀', '\ud800',
];

type Mutation = { readonly kind: 'delete' | 'insert' | 'replace' | 'duplicate'; readonly at: number; readonly length: number; readonly fragment: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  fragment: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 4 })),
});

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.fragment + text.slice(at);
    case 'replace':
      return text.slice(0, at) + m.fragment + text.slice(at + m.length);
    case 'duplicate':
      return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    default:
      return assertNever(m.kind);
  }
}

/** The result is a value: an AST of the requested kind, or an error positioned inside the text. */
function expectWellFormed(text: string, kind: DefinitionKind, target: DefinitionTarget | undefined): void {
  const result = parseDefinition(text, target === undefined ? { kind } : { kind, target });
  if (result.ok) {
    expect(result.value.kind).toBe(kind);
    expect(result.value.target).toBe(target ?? 'USERS');
    // Plain data (it crosses threads), and its dependencies can be read.
    expect(structuredClone(result.value)).toStrictEqual(result.value);
    definitionDependencies(result.value);
    return;
  }
  const { message, line, column } = result.error;
  expect(message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
  expect(message.length).toBeLessThan(600);
  const lines = text.split(/\r\n|\r|\n/);
  expect(line).toBeGreaterThanOrEqual(1);
  expect(line).toBeLessThanOrEqual(lines.length);
  expect(column).toBeGreaterThanOrEqual(1);
  expect(column).toBeLessThanOrEqual(Array.from(lines[line - 1] ?? '').length + 1);
}

describe('parseDefinition never throws (fast-check)', () => {
  it('on arbitrary strings, for both kinds and targets', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom<DefinitionKind>('audience', 'computed_trait'),
        fc.constantFrom<DefinitionTarget | undefined>(undefined, 'USERS', 'ACCOUNTS'),
        (text, kind, target) => {
          expectWellFormed(text, kind, target);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on strings made of the language’s own tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }), fc.constantFrom<DefinitionKind>('audience', 'computed_trait'), (parts, kind) => {
        expectWellFormed(parts.join(''), kind, 'ACCOUNTS');
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated valid definitions', () => {
    for (const { text, kind, target } of CORPUS) expect(parseDefinition(text, target === undefined ? { kind } : { kind, target }).ok).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(...CORPUS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (entry, mutations) => {
        const text = mutations.reduce(mutate, entry.text);
        expectWellFormed(text, entry.kind, entry.target);
      }),
      { numRuns: 1_000 },
    );
  });
});
