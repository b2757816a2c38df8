import { describe, expect, it } from 'vitest';
import type { DefinitionEvaluator } from '../../../src/compute/definition-evaluator.ts';
import type { Condition, DefinitionAst, Stream, ValueExpr, Window } from '../../../src/definitions/ast.ts';
import { HOUR } from '../../support/reference/ast-builders.ts';
import { checkIncrementalAgainstReference } from '../../support/reference/incremental-harness.ts';
import { compileReferenceBacked } from '../../support/reference/reference-backed-evaluator.ts';

// The harness is only worth something if it passes a correct evaluator and fails broken ones:
// the correct one is the reference itself behind the DefinitionEvaluator interface, and each
// broken variant gets one thing wrong that an incremental evaluator could plausibly get wrong.

const RUNS = { numRuns: 200 };
// A broken variant must be caught; stopping at the first counterexample keeps this fast.
const UNTIL_CAUGHT = { numRuns: 400, endOnFailure: true };
// fast-check's report, with the harness's own message (instant, both answers) after the scenario.
const COUNTEREXAMPLE = /Counterexample[\s\S]*definition: [\s\S]*arrivals[\s\S]*Got error: /;
// A slow run on a busy machine must not read as a failure.
const TIMEOUT = 60_000;

/** The evaluator of `ast` that computes as if the definition were `rewrite(ast)`. */
function computingAs(rewrite: (ast: DefinitionAst) => DefinitionAst): (ast: DefinitionAst) => DefinitionEvaluator {
  return (ast) => ({ ...compileReferenceBacked(rewrite(ast)), ast });
}

/** `ast` with every stream window replaced (undefined drops it). */
function rewriteWindows(ast: DefinitionAst, change: (w: Window) => Window | undefined): DefinitionAst {
  const stream = (s: Stream): Stream => ({ ...s, where: s.where.map(condition), window: s.window === undefined ? undefined : change(s.window) });
  const value = (v: ValueExpr): ValueExpr => (v.kind === 'aggregate' ? { ...v, stream: stream(v.stream) } : v);
  const condition = (c: Condition): Condition => {
    if (c.kind === 'and' || c.kind === 'or') return { ...c, operands: c.operands.map(condition) };
    if (c.kind === 'not' || c.kind === 'quantified') return { ...c, operand: condition(c.operand) };
    return { ...c, subject: value(c.subject) };
  };
  return ast.kind === 'audience' ? { ...ast, root: condition(ast.root) } : { ...ast, root: value(ast.root) };
}

function withEvaluator(change: (good: DefinitionEvaluator) => Partial<DefinitionEvaluator>): (ast: DefinitionAst) => DefinitionEvaluator {
  return (ast) => {
    const good = compileReferenceBacked(ast);
    return { ...good, ...change(good) };
  };
}

describe('incremental harness', () => {
  it(
    'passes the reference-backed evaluator',
    () => {
      checkIncrementalAgainstReference(compileReferenceBacked, RUNS);
    },
    TIMEOUT,
  );

  describe('fails, with a counterexample, an evaluator that', () => {
    const caught = (compile: (ast: DefinitionAst) => DefinitionEvaluator, message: RegExp = /./, only?: 'merge'): void => {
      let report = '';
      try {
        checkIncrementalAgainstReference(compile, only === undefined ? UNTIL_CAUGHT : { ...UNTIL_CAUGHT, only });
      } catch (error) {
        report = error instanceof Error ? error.message : String(error);
      }
      expect(report).toMatch(COUNTEREXAMPLE);
      expect(report).toMatch(message);
    };

    it('ignores lookback windows', () => caught(computingAs((ast) => rewriteWindows(ast, (w) => (w.kind === 'parent' ? w : undefined)))), TIMEOUT);

    it(
      'keeps an occurrence in its window one millisecond too long',
      () => caught(computingAs((ast) => rewriteWindows(ast, (w) => (w.kind === 'within' ? { ...w, duration: { ...w.duration, ms: w.duration.ms + 1 } } : w)))),
      TIMEOUT,
    );

    it('counts a future-dated event from its arrival', () => caught(withEvaluator((good) => ({ observe: (state, event, now) => good.observe(state, { ...event, timestamp: Math.min(event.timestamp, now) }, now) }))), TIMEOUT);

    it('drops events that arrive more than an hour late', () => caught(withEvaluator((good) => ({ observe: (state, event, now) => (event.timestamp < now - HOUR ? state : good.observe(state, event, now)) }))), TIMEOUT);

    it('never schedules a wake-up (nextChangeAt always undefined)', () => caught(withEvaluator(() => ({ nextChangeAt: () => undefined })), /nextChangeAt at .* promised no change ever/), TIMEOUT);

    it(
      'schedules its wake-up one millisecond late',
      () =>
        caught(
          withEvaluator((good) => ({
            nextChangeAt: (state, traits, now) => {
              const next = good.nextChangeAt(state, traits, now);
              return next === undefined ? undefined : next + 1;
            },
          })),
          /nextChangeAt at .* promised no change before/,
        ),
      TIMEOUT,
    );

    it('keeps only the winner on a merge', () => caught(withEvaluator(() => ({ merge: (winner) => winner })), /\(merge: /, 'merge'), TIMEOUT);

    it(
      'mutates the state it is given',
      () =>
        caught(
          withEvaluator((good) => ({
            observe: (state, event, now) => {
              const next = good.observe(state, event, now);
              Object.assign(state, { touched: true });
              return next;
            },
          })),
          /mutated the state/,
        ),
      TIMEOUT,
    );
  });
});
