import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../../bench/load/event-log.ts';
import { openPeer, type PeerDefinitionInput } from '../../../bench/peer/duckdb-peer.ts';
import { referenceAnswers } from '../../../bench/peer/reference-answers.ts';
import type { Comparator, Condition, DefinitionAst, Stream, ValueExpr } from '../../../src/definitions/ast.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json } from '../../../src/shared/json.ts';
import { definitionArb } from '../../support/reference/definition-arbitraries.ts';
import { historyArb, traitsArb } from '../../support/reference/history-arbitraries.ts';
import { renderDefinition } from '../../support/reference/render-definition.ts';
import { T0 } from '../../support/reference/vocabulary.ts';

// The peer against the reference evaluator beyond the bench's 70 definitions: the property
// tests' generated definitions (every reducer and comparator, junctions, funnels of every settle
// case, traits, literals of every type, context reads) over their generated histories, which hit
// window edges to the millisecond. Sampled with fixed seeds: one peer load answers them all.

const HOUR = 3_600_000;

const DATE_COMPARATORS = new Set<Comparator['op']>(['before_date', 'after_date', 'within_last', 'within_next', 'before_last', 'after_next']);

/** What the peer refuses (date comparators; sources, which the log does not record). */
function supported(ast: DefinitionAst): boolean {
  const condition = (c: Condition): boolean => {
    if (c.kind === 'and' || c.kind === 'or') return c.operands.every(condition);
    if (c.kind === 'not' || c.kind === 'quantified') return condition(c.operand);
    if (DATE_COMPARATORS.has(c.comparator.op)) return false;
    const operands = 'operand' in c.comparator ? [c.comparator.operand] : 'operands' in c.comparator ? c.comparator.operands : [];
    return value(c.subject) && operands.every(value);
  };
  const stream = (s: Stream): boolean => s.excludeSources.length === 0 && s.where.every(condition);
  const value = (v: ValueExpr): boolean => v.kind !== 'aggregate' || stream(v.stream);
  return ast.kind === 'audience' ? condition(ast.root) : value(ast.root);
}

/** A generated history as one person's logged calls (the log keeps no source and no context). */
function loggedCalls(person: string, known: boolean, history: readonly TrackedEvent[], traits: Record<string, Json>): LoggedEvent[] {
  const ids = known ? { userId: `u_${person}` } : { anonymousId: `a_${person}` };
  const start = T0 - 100 * HOUR;
  const calls: LoggedEvent[] = [{ person, call: { type: 'identify', ...ids, traits, messageId: `${person}-traits`, timestamp: new Date(start).toISOString() }, sentAt: start }];
  for (const e of history) {
    if (e.type !== 'track' && e.type !== 'page' && e.type !== 'identify') throw new Error(`unexpected ${e.type} in a generated history`);
    calls.push({
      person,
      call: {
        type: e.type,
        ...ids,
        ...(e.event === undefined ? {} : { event: e.event }),
        ...(e.name === undefined ? {} : { name: e.name }),
        ...(e.properties === undefined ? {} : { properties: e.properties }),
        messageId: `${person}-${e.messageId}`,
        timestamp: new Date(e.timestamp).toISOString(),
      },
      sentAt: e.receivedAt,
    });
  }
  return calls;
}

function sameAnswer(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

describe('DuckDB peer against the reference evaluator on generated definitions', () => {
  it('agrees on every person, definition and instant', async () => {
    const asts = fc.sample(definitionArb(), { seed: 8, numRuns: 160 }).filter(supported);
    const definitions: PeerDefinitionInput[] = asts.map((ast, i) => ({ key: `d${i}`, kind: ast.kind, ast, includeAnonymousUsers: i % 5 === 0 }));
    const histories = fc.sample(historyArb({ maxEvents: 25 }), { seed: 8, numRuns: 12 });
    const traits = fc.sample(traitsArb, { seed: 9, numRuns: 12 });
    // Every fourth person is anonymous; the log is in arrival order.
    const events = histories.flatMap((history, p) => loggedCalls(`p${p}`, p % 4 !== 3, history, traits[p] ?? {})).sort((a, b) => a.sentAt - b.sentAt);

    const peer = await openPeer(events, definitions);
    const mismatches: string[] = [];
    try {
      for (const hours of [0, 24, 47, 72, 130]) {
        const at = T0 + hours * HOUR;
        const { answers } = await peer.recompute(at);
        for (const [person, expected] of referenceAnswers({ events, definitions, at })) {
          const actual = answers.get(person) ?? {};
          definitions.forEach((d, i) => {
            if (!sameAnswer(actual[d.key], expected[d.key])) {
              mismatches.push(`T0+${hours}h ${person} ${renderDefinition(asts[i]!)}: peer ${JSON.stringify(actual[d.key])}, reference ${JSON.stringify(expected[d.key])}`);
            }
          });
        }
      }
    } finally {
      peer.close();
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // About a third of the generated definitions use a date comparator or sources; the rest run.
    expect(definitions.length).toBeGreaterThan(80);
  }, 60_000);
});
