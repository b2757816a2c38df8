import { describe, expect, it } from 'vitest';
import type { DefinitionKind, DefinitionTarget } from '../../../src/definitions/ast.ts';
import { parseDefinition } from '../../../src/definitions/parse-definition.ts';

interface Row {
  readonly text: string;
  readonly message: string;
  readonly kind: DefinitionKind;
  readonly target: DefinitionTarget | undefined;
}

function row(text: string, message: string, kind: DefinitionKind = 'audience', target?: DefinitionTarget): Row {
  return { text, message, kind, target };
}

/**
 * Invalid definitions and the exact message each gets. The messages are the product: a person
 * reading one should know where to look (line, column) and what to write instead.
 */
const INVALID: readonly Row[] = [
  // Syntax: tokens, junctions, parentheses, argument lists.
  row("", "line 1, column 1: the definition is empty; write a condition, such as event('Order Completed').count() >= 1"),
  row("  \n ", "line 1, column 1: the definition is empty; write a value, such as event('Order Completed').count()", 'computed_trait'),
  row("event('Shoes').within(7 days.count() >= 1", "line 1, column 29: expected ')' after the arguments of within, found '.'"),
  row("event('A').count() >= 1 trait('x') = 1", "line 1, column 25: expected AND, OR or the end of the definition, found the name 'trait'"),
  row("event('A').count() >= 1)", "line 1, column 24: unexpected ')': there is no '(' for it to close"),
  row("(event('A').count() >= 1", "line 1, column 25: expected ')' to close the '(' at line 1, column 1, found the end of the definition"),
  row("event('A).count() >= 1", "line 1, column 7: unterminated string: add the closing '"),
  row("trait('a') = 'x\\q'", "line 1, column 16: unknown escape \\q in a string (write \\\\ for a backslash)"),
  row("trait('a') = 1 && trait('b') = 2", "line 1, column 16: unexpected character '&': write AND to join conditions"),
  row("trait('a') = 1 || trait('b') = 2", "line 1, column 16: unexpected character '|': write OR to join conditions"),
  row("!(trait('a') = 1)", "line 1, column 1: unexpected character '!': write NOT ( … ) to negate, or != to compare"),
  row("trait('a') = \u0000", "line 1, column 14: unexpected character U+0000"),
  row("trait('a') = 1 #", "line 1, column 16: unexpected character '#'"),
  row("trait('a') = 1 AND", "line 1, column 19: expected a condition after AND, found the end of the definition"),
  row("event('A').count() >= 1 AND AND", "line 1, column 29: expected a condition after AND, found AND"),
  row("NOT", "line 1, column 4: expected a condition after NOT, found the end of the definition"),
  row("trait('a') = 1 = 2", "line 1, column 16: comparisons cannot be chained: found '=' after a complete comparison (join comparisons with AND)"),
  row("trait('a') = price", "line 1, column 14: expected a value after '=', found the name 'price' (quote a string, as in 'price', or call a function, as in price(…))"),
  row("event('A').within(parent 1 days).count() >= 1", "line 1, column 26: expected ':' after parent, found the number 1"),
  row("event('A'),count()", "line 1, column 11: expected AND, OR or the end of the definition, found ','", 'computed_trait'),
  row("trait('a').equals(1,)", "line 1, column 21: expected an argument of equals after ',', found ')'"),
  row("event('A').mode(property('p') 2)", "line 1, column 31: expected ',' or ')' after an argument of mode, found the number 2", 'computed_trait'),
  row("event('A').", "line 1, column 12: expected a function name after '.', found the end of the definition", 'computed_trait'),
  row("trait('a') = 1e999", "line 1, column 14: the number 1e999 is too large"),
  // Unknown functions: close alternatives, or the functions valid at that point.
  row("event('A').cout() >= 1", "line 1, column 12: unknown function 'cout' after event('A'); did you mean count?"),
  row("event('A').frobnicate() >= 1", "line 1, column 12: unknown function 'frobnicate' after event('A'); expected one of where, sources, within, between, count, sum, avg, min, max, mode, first, last, unique"),
  row("evnt('A').count() >= 1", "line 1, column 1: unknown function 'evnt'; did you mean event?"),
  row("Event('A').count() >= 1", "line 1, column 1: unknown function 'Event'; did you mean event?"),
  row("trait('a').none_of('x')", "line 1, column 12: unknown function 'none_of' after trait('a'); did you mean one_of?"),
  row("trait('a').is('x')", "line 1, column 12: unknown function 'is' after trait('a'); expected one of equals, differs, greater_than, at_least, less_than, at_most, absent, exists, contains, omits, starts_with, ends_with, one_of, before_date, after_date, within_last, within_next, before_last, after_next"),
  row("event('A').unique(property('x')).size() > 1", "line 1, column 34: unknown function 'size' after unique(…); expected count"),
  // Roots: audiences end in a condition, computed traits in a value.
  row("event('A').count()", "line 1, column 19: expected a comparison after count(), such as >= 1 or .exists(): an audience must end in a condition"),
  row("event('A').within(7 days)", "line 1, column 26: event('A') is a stream of events, not a condition: reduce and compare it, as in event('A').count() >= 1"),
  row("trait('a')", "line 1, column 11: expected a comparison after trait('a'), such as >= 1 or .exists(): an audience must end in a condition"),
  row("literal(5)", "line 1, column 1: expected a condition, found literal(5): an audience must end in a condition"),
  row("event('A').count() >= 1", "line 1, column 20: a computed trait must end in a value, such as event('Order Completed').count(), not a condition: remove the comparison that starts here", 'computed_trait'),
  row("event('A')", "line 1, column 11: event('A') is a stream of events: a computed trait must reduce it to a value, as in event('A').count()", 'computed_trait'),
  row("event('A').count() >= 1 AND trait('a') = 1", "line 1, column 25: a computed trait must end in a value, such as event('Order Completed').count(); AND joins conditions", 'computed_trait'),
  row("NOT event('A').count()", "line 1, column 1: a computed trait must end in a value, such as event('Order Completed').count(); NOT negates a condition", 'computed_trait'),
  row("property('price')", "line 1, column 1: property(…) reads a field of an event, so it is only allowed inside where(…) or as a reducer's argument, as in event('Order Completed').where(property('total') > 100)", 'computed_trait'),
  // Chains: what may follow what.
  row("event('A') >= 1", "line 1, column 12: '>=' compares a value, but event('A') is a stream of events: reduce it first, as in event('A').count() >= 1"),
  row("event('A').equals(1)", "line 1, column 12: equals compares a value, but event('A') is a stream of events: reduce it first, as in event('A').count().equals(…)"),
  row("event('A').count().exists().equals(true)", "line 1, column 29: nothing can follow a comparison: found .equals(…); join conditions with AND or OR"),
  row("event('A').count().within(7 days)", "line 1, column 20: within cannot follow count(), which already reduced the stream to one value: put within(…) before count()", 'computed_trait'),
  row("trait('a').within(7 days)", "line 1, column 12: within applies to a stream of events, but trait('a') is a single value"),
  row("event('A').trait('x')", "line 1, column 12: trait(…) starts an expression and cannot follow '.'"),
  row("count() >= 1", "line 1, column 1: count must follow a stream of events, as in event('Order Completed').count()"),
  row("equals(1)", "line 1, column 1: equals must follow a value, as in trait('plan').equals('pro')"),
  row("event('A').unique(property('x')) >= 1", "line 1, column 34: '>=' cannot compare the list that unique(…) gives; only .count() can follow it, as in unique(…).count() >= 1"),
  row("event('A').unique(property('x')).first(property('y'))", "line 1, column 34: first cannot follow unique(…): unique(…) gives a list, and only .count() can follow it", 'computed_trait'),
  row("5 = trait('a')", "line 1, column 1: the number 5 cannot be the subject of a comparison: put the value to test on the left and the literal on the right, as in trait('plan') = 'pro'"),
  // Placement: property()/context() inside where, funnels, windows, ANY/ALL.
  row("property('price') > 100", "line 1, column 1: property(…) reads a field of an event, so it is only allowed inside where(…) or as a reducer's argument, as in event('Order Completed').where(property('total') > 100)"),
  row("context('page.url') = 'x'", "line 1, column 1: context(…) reads a field of an event, so it is only allowed inside where(…) or as a reducer's argument, as in event('Order Completed').where(context('page.url') = 'https://example.com')"),
  row("trait('a') = property('x')", "line 1, column 14: property(…) reads a field of an event, so it is only allowed inside where(…) or as a reducer's argument, as in event('Order Completed').where(property('total') > 100)"),
  row("event('A').where(property(parent: 'sku') = 'x').count() >= 1", "line 1, column 18: property(parent: …) reads the parent event of a funnel step, so it is only allowed inside the where(…) of a stream that is itself inside another stream's where(…)"),
  row("event('A').where(event('B').count() >= 1).count() >= 1", "line 1, column 18: event('B') is inside the where(…) of event('A'), so it is a funnel step and needs .within(parent: N days) before its reducer (how long after event('A') it may happen)"),
  row("event('A').within(parent: 1 days).count() >= 1", "line 1, column 12: within(parent: …) is only for a funnel step (a stream inside another stream's where(…)); for a window back from now write within(N days)"),
  row("event('A').where(event('B').within(7 days).count() >= 1).count() >= 1", "line 1, column 29: event('B') is a funnel step of event('A'), so its window is within(parent: N days), measured from event('A')"),
  row("event('A').where(event('B').where(event('C').within(parent: 1 days).count() >= 1).within(parent: 1 days).count() >= 1).count() >= 1", "line 1, column 35: funnels nest one level: a stream cannot be a step of event('B'), which is itself a funnel step"),
  row("event('A').within(7 days).within(3 days).count() >= 1", "line 1, column 27: event('A') already has a time window; a stream takes at most one"),
  row("event('A').between(1 days, 3 days).within(7 days).count() >= 1", "line 1, column 36: event('A') already has a time window; a stream takes at most one"),
  row("event('A').where(event('B').within(parent: 1 days).within(parent: 2 days).count() >= 1).count() >= 1", "line 1, column 52: event('B') already has a time window; a stream takes at most one"),
  row("event('A').where(event('B').within(parent: 1 days).sum(property(parent: 'x')) > 1).count() >= 1", "line 1, column 56: sum reads the events of its own stream; property(parent: …) is only for comparisons inside a funnel step's where(…)"),
  row("ANY event('A').count() >= 1", "line 1, column 1: ANY is only for ACCOUNTS definitions (it quantifies over the users of an account); this definition's type is USERS"),
  row("ALL (trait('a') = 1)", "line 1, column 1: ALL is only for ACCOUNTS definitions (it quantifies over the users of an account); this definition's type is USERS", 'audience', 'USERS'),
  row("ANY (ALL event('A').count() >= 1)", "line 1, column 6: ALL cannot be nested inside another ANY or ALL", 'audience', 'ACCOUNTS'),
  row("event('A').where(ANY trait('a') = 1).count() >= 1", "line 1, column 18: ANY is only allowed at the top level of an ACCOUNTS audience, not inside where(…)", 'audience', 'ACCOUNTS'),
  row("ANY (event('A').count())", "line 1, column 1: a computed trait must end in a value, such as event('Order Completed').count(); ANY is only for ACCOUNTS audiences", 'computed_trait', 'ACCOUNTS'),
  // Comparator operands.
  row("event('A').count() >= event('B').count()", "line 1, column 23: the right side of '>=' cannot be an aggregate such as event('B').count(): compare against a literal or trait(…)"),
  row("trait('a') = trait('b').exists()", "line 1, column 14: the right side of '=' must be a literal or trait(…), not a condition"),
  row("trait('a') = null", "line 1, column 14: the right side of '=' cannot be null: a missing value never compares; test it with absent() or exists()"),
  row("trait('a') > true", "line 1, column 14: the right side of '>' must be a number or a string to order by, found true"),
  row("trait('a').contains(null)", "line 1, column 21: an argument of contains cannot be null: a missing value never compares; test it with absent() or exists()"),
  row("trait('a').contains()", "line 1, column 12: contains needs at least one value, as in contains('shoes', 'shirts')"),
  row("trait('a').one_of()", "line 1, column 12: one_of needs at least one value, as in one_of('shoes', 'shirts')"),
  row("trait('a').equals(1, 2)", "line 1, column 19: equals takes one argument, a value, as in equals('pro'); found 2 arguments"),
  row("trait('a').exists(1)", "line 1, column 19: exists takes no arguments, as in exists(); found 1 argument"),
  row("trait('a').before_date('yesterday')", "line 1, column 24: before_date takes an ISO-8601 date or time as a string, as in before_date('2023-12-07T18:50:00Z'); found the string 'yesterday'"),
  row("trait('a').before_date(20231207)", "line 1, column 24: before_date takes an ISO-8601 date or time as a string, as in before_date('2023-12-07T18:50:00Z'); found the number 20231207"),
  row("trait('a').before_date('2023-12-07T18:50:00')", "line 1, column 24: before_date needs the time zone of '2023-12-07T18:50:00': add Z for UTC or an offset such as +02:00"),
  row("trait('a').after_date('2023-02-30')", "line 1, column 23: '2023-02-30' is not a real date and time (check the month, day, hour and minute)"),
  row("trait('a').within_last(7)", "line 1, column 24: within_last takes a duration in hours or days, as in within_last(7 days); add a unit after 7 (hours or days)"),
  // Argument types.
  row("trait(5) = 1", "line 1, column 7: trait takes the trait key as a string, as in trait('plan'); found the number 5"),
  row("trait('') = 1", "line 1, column 7: trait needs a non-empty string, as in trait('plan')"),
  row("event(trait('x')).count() >= 1", "line 1, column 7: event takes the event name as a string, as in event('Order Completed'); found trait('x')"),
  row("event('A').count('x') >= 1", "line 1, column 18: count takes no arguments; to count distinct values write unique(property('…')).count()"),
  row("event('A').within('7 days').count() >= 1", "line 1, column 19: within takes a duration in hours or days, as in within(7 days); found the string '7 days'"),
  row("event('A').within(7).count() >= 1", "line 1, column 19: within takes a duration in hours or days, as in within(7 days); add a unit after 7 (hours or days)"),
  row("event('A').within(7 weeks).count() >= 1", "line 1, column 21: unknown time unit 'weeks' in within: use hour, hours, day or days"),
  row("event('A').within(0 days).count() >= 1", "line 1, column 19: within takes a positive whole number of hours or days, found 0 days"),
  row("event('A').within(1.5 days).count() >= 1", "line 1, column 19: within takes a positive whole number of hours or days, found 1.5 days"),
  row("event('A').within(-3 days).count() >= 1", "line 1, column 19: within takes a positive whole number of hours or days, found -3 days"),
  row("event('A').within(foo: 1 days).count() >= 1", "line 1, column 19: within takes no label 'foo:'; a funnel step's window is written within(parent: 1 days)"),
  row("event('A').between(7 days, 3 days).count() >= 1", "line 1, column 20: between takes its nearer edge first: 7 days must be less than 3 days"),
  row("event('A').between(7 days).count() >= 1", "line 1, column 20: between takes two durations, as in between(7 days, 30 days); found 1 argument"),
  row("event('A').mode(property('p'), 0)", "line 1, column 32: mode takes a minimum frequency that is a positive whole number, found 0", 'computed_trait'),
  row("event('A').mode(property('p'))", "line 1, column 31: mode needs a minimum frequency as its second argument, as in mode(property('plan'), 2)", 'computed_trait'),
  row("event('A').mode(property('p'), '2')", "line 1, column 32: mode takes a minimum frequency that is a positive whole number, as in mode(property('plan'), 2); found the string '2'", 'computed_trait'),
  row("event('A').mode(property('p') as text, 2)", "line 1, column 34: mode takes 'as string', 'as number' or 'as array', found 'as text'", 'computed_trait'),
  row("event('A').sum()", "line 1, column 12: sum takes one property, as in sum(property('price')); found none", 'computed_trait'),
  row("event('A').sum(trait('x'))", "line 1, column 16: sum takes a property of the event, as property('…') or context('…'), as in sum(property('price')); found trait('x')", 'computed_trait'),
  row("event('A').sum(5)", "line 1, column 16: sum takes a property of the event, as property('…') or context('…'), as in sum(property('price')); found the number 5", 'computed_trait'),
  row("event('A').sum(property(parent: 'x'))", "line 1, column 16: sum reads the events of its own stream; property(parent: …) is only for comparisons inside a funnel step's where(…)", 'computed_trait'),
  row("event('A').sum(property('x') as string)", "line 1, column 33: 'as string' only follows the argument of min, max or mode", 'computed_trait'),
  row("event('A').min(property('x') as array)", "line 1, column 33: min takes 'as number' or 'as string', found 'as array'", 'computed_trait'),
  row("event('A').sources({include: 'x'}).count()", "line 1, column 21: sources takes exclude: and the source ids to drop, as in sources({exclude: 'source-id'}); found 'include:'", 'computed_trait'),
  row("event('A').sources({exclude: 5}).count()", "line 1, column 30: sources takes source ids as strings, as in sources({exclude: 'source-id'}); found the number 5", 'computed_trait'),
  row("event('A').sources({exclude: []}).count()", "line 1, column 21: sources needs at least one source id after exclude:, as in sources({exclude: 'source-id'})", 'computed_trait'),
  row("event('A').where().count() >= 1", "line 1, column 12: where takes one condition, as in where(property('price') > 100); found none"),
  row("event('A').where(trait('a') = 1, trait('b') = 2).count() >= 1", "line 1, column 18: where takes one condition, as in where(property('price') > 100); found 2 arguments (join several conditions with AND)"),
  row("event('A').where(trait('a')).count() >= 1", "line 1, column 28: expected a comparison after trait('a'), such as >= 1 or .exists(): where(…) takes a condition"),
  row("event('A').where(property('a..b') = 1).count() >= 1", "line 1, column 27: property('a..b') has an empty part in its path: separate the parts with single dots, as in property('page.url')"),
  row("literal(trait('a'))", "line 1, column 9: literal takes a string, a number, true, false or null, as in literal(100); found trait('a')", 'computed_trait'),
  // Multi-line definitions: lines and columns.
  row("event('A').where(trait('a') = 1).count() >= 1\nAND trait('b') =", "line 2, column 17: expected a value after '=', found the end of the definition"),
  row("event('A')\n  .where(property('price') >= 100)\n  .within(7 dayz)\n  .count() >= 1", "line 3, column 13: unknown time unit 'dayz' in within: use hour, hours, day or days"),
  row("event('A')\n  .where(\n    property('price') >= 100\n    AND event('B').count() >= 1\n  )\n  .count() >= 1", "line 4, column 9: event('B') is inside the where(…) of event('A'), so it is a funnel step and needs .within(parent: N days) before its reducer (how long after event('A') it may happen)"),
  row("event('Product Added')\n  .where(event('Order Completed')\n    .within(parent: 1 days)\n    .count() = 0)\n  .within(7 days)\n  .count()", "line 6, column 11: expected a comparison after count(), such as >= 1 or .exists(): an audience must end in a condition"),
  row("trait('a') = 1 OR\ntrait('b') = 'two\n'", "line 2, column 14: unterminated string: add the closing ' before the end of the line"),
  row("NOT (\n  trait('a') = 1\n  AND trait('b') = 2\n", "line 4, column 1: expected ')' to close the '(' at line 1, column 5, found the end of the definition"),
  row("event('A')\n\t.within(30 days)\n\t.sum(property('price'))\n\t.exists()", "line 4, column 3: a computed trait must end in a value, such as event('Order Completed').count(), not a condition: remove the comparison that starts here", 'computed_trait'),
];

describe('invalid definitions: exact messages with line and column', () => {
  it('the table is large enough to matter (at least 40 rows, several multi-line)', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(40);
    expect(INVALID.filter((r) => r.text.includes('\n')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(INVALID.map((r) => [r.text.length > 70 ? `${r.text.slice(0, 70)}…` : r.text, r] as const))('%s', (_name, r) => {
    const result = parseDefinition(r.text, r.target === undefined ? { kind: r.kind } : { kind: r.kind, target: r.target });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(r.message);
    // The structured position is the one the message names.
    expect(result.error.message.startsWith(`line ${result.error.line}, column ${result.error.column}: `)).toBe(true);
  });
});
