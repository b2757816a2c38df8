import fc from 'fast-check';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import type { Json, JsonObject } from '../../../src/shared/json.ts';
import { HOUR } from './ast-builders.ts';
import { NUMBERS, PAGE_NAMES, SOURCES, STRINGS, T0, isoAt } from './vocabulary.ts';

/**
 * Profile histories: events over a few days, on an hour grid with occasional millisecond nudges
 * (so that they land exactly on, just before and just after window edges), each with its arrival
 * instant. Most arrive at their timestamp; some arrive late (after later-timestamped events) and
 * some are future-dated (timestamp after arrival). The arrival model is exact: `receivedAt` is the
 * instant the harness hands the event to `observe`.
 */

const HISTORY_HOURS = 96;

// Absent (no key) and null are both "absent" to the evaluator, but reach it by different paths.
function optional<T extends Json>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: arb });
}

const isoArb = fc
  .tuple(fc.integer({ min: -48, max: HISTORY_HOURS + 48 }), fc.constantFrom<'z' | 'date' | 'zoneless' | 'offset'>('z', 'z', 'date', 'zoneless', 'offset'))
  .map(([h, form]) => isoAt(h, form));

const propertiesArb: fc.Arbitrary<JsonObject> = fc
  .record({
    // Now and then a value of the "wrong" type: 1 and '1' must stay different values.
    n: optional(fc.oneof({ weight: 8, arbitrary: fc.constantFrom<Json>(...NUMBERS) }, { weight: 1, arbitrary: fc.constantFrom<Json>('1', true) })),
    s: optional(fc.oneof({ weight: 8, arbitrary: fc.constantFrom<Json>(...STRINGS) }, { weight: 1, arbitrary: fc.constantFrom<Json>(1, ['a']) })),
    d: optional(fc.oneof({ weight: 8, arbitrary: isoArb.map((s): Json => s) }, { weight: 1, arbitrary: fc.constantFrom<Json>('soon', T0) })),
    o: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom<Json>({ x: 1 }, { x: 'a' }, [1]) }),
  })
  .map((p) => {
    const properties: JsonObject = {};
    for (const [key, value] of Object.entries(p)) if (value !== undefined) properties[key] = value;
    return properties;
  });

/** Time offsets from the hour grid: mostly none, sometimes one millisecond either way, rarely any. */
const nudgeArb = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: HOUR - 1 }) });

/** Arrival minus timestamp: on time, late, or future-dated (negative). */
const delayArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 48 }), nudgeArb).map(([h, n]) => h * HOUR + n) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 48 }), nudgeArb).map(([h, n]) => -(h * HOUR + n)) },
);

const eventSpecArb = fc.record({
  kind: fc.oneof(
    { weight: 4, arbitrary: fc.constant('A') },
    { weight: 4, arbitrary: fc.constant('B') },
    { weight: 1, arbitrary: fc.constant('C') },
    { weight: 2, arbitrary: fc.constant('page' as const) },
    { weight: 1, arbitrary: fc.constant('identify' as const) },
  ),
  hour: fc.integer({ min: 0, max: HISTORY_HOURS }),
  nudge: nudgeArb,
  delay: delayArb,
  sourceId: fc.constantFrom(...SOURCES),
  properties: propertiesArb,
  pageName: fc.option(fc.constantFrom(...PAGE_NAMES), { nil: undefined }),
  contextK: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
});

type EventSpec = typeof eventSpecArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(spec: EventSpec, index: number): TrackedEvent {
  const timestamp = T0 + spec.hour * HOUR + spec.nudge;
  const base = {
    // Unique, and in code-point order unrelated to time ('m10' < 'm2'): first/last ties get exercised.
    messageId: `m${index}`,
    sourceId: spec.sourceId,
    userId: 'u1',
    timestamp,
    receivedAt: timestamp + spec.delay,
    properties: spec.properties,
    ...(spec.contextK === undefined ? {} : { context: { k: spec.contextK } }),
  };
  if (spec.kind === 'page') return { ...base, type: 'page', ...(spec.pageName === undefined ? {} : { name: spec.pageName }) };
  // An identify that names an event is never an occurrence of it.
  if (spec.kind === 'identify') return { ...base, type: 'identify', event: 'A' };
  return { ...base, type: 'track', event: spec.kind };
}

/** One profile's events, in generation order (arrival order is by `receivedAt`). */
export function historyArb(options: { minEvents?: number; maxEvents?: number } = {}): fc.Arbitrary<TrackedEvent[]> {
  // 'medium': fast-check's default size keeps arrays at a handful of items, too few to interact;
  // 'max' when a length is asked for (medium alone stops near a hundred).
  const size = options.minEvents === undefined ? 'medium' : 'max';
  return fc.array(eventSpecArb, { minLength: options.minEvents ?? 0, maxLength: options.maxEvents ?? 18, size }).map((specs) => specs.map(toEvent));
}

/** The profile's traits: `t1`, `t2` missing, null, or a number, string, date or boolean. */
export const traitsArb: fc.Arbitrary<Record<string, Json>> = fc
  .record({
    t1: optional(fc.oneof(fc.constantFrom<Json>(...NUMBERS), fc.constantFrom<Json>(...STRINGS), isoArb.map((s): Json => s), fc.boolean())),
    t2: optional(fc.oneof(fc.constantFrom<Json>(...NUMBERS), fc.constantFrom<Json>(...STRINGS), isoArb.map((s): Json => s))),
  })
  .map((t) => {
    const traits: Record<string, Json> = {};
    for (const [key, value] of Object.entries(t)) if (value !== undefined) traits[key] = value;
    return traits;
  });
