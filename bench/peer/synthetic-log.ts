import type { Json } from '../../src/shared/json.ts';
import { BENCH_EVENT_NAMES } from '../definitions-fixture.ts';
import type { LoggedEvent } from '../load/event-log.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';
export { seededRandom };

/**
 * A seeded random event log in the bench's format, for the peer's differential test (small) and
 * its timing (a million events). It is made to hit the semantics' corners, not to look real:
 * timestamps on an hour grid (so window edges are hit exactly) with some a millisecond off,
 * late and future-dated events, events that arrive after the instants tested, anonymous persons,
 * ties in time (broken by messageId), duplicated messageIds, and property values of the wrong
 * type now and then (`total: '150'`, `currency: 840`, `null`, missing).
 */
export interface SyntheticLogOptions {
  readonly seed: number;
  readonly persons: number;
  readonly events: number;
  /** `sentAt` runs evenly from `start` to `start + spanMs`. */
  readonly start: number;
  readonly spanMs: number;
}

const HOUR = 3_600_000;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'usd', 'JPY'] as const;
const PLANS = ['pro', 'free', 'enterprise'] as const;


export function syntheticLog(options: SyntheticLogOptions): LoggedEvent[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number): boolean => random() < p;
  // A third of the persons never send a userId; half of those give an email in an identify.
  const kinds = Array.from({ length: options.persons }, () => (chance(0.67) ? 'user' : chance(0.5) ? 'email' : 'anonymous'));
  const events: LoggedEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const p = Math.floor(random() * options.persons);
    const person = `p${String(p).padStart(6, '0')}`;
    const kind = kinds[p]!;
    const sentAt = options.start + Math.floor((i / options.events) * options.spanMs);
    const ids = kind === 'user' && chance(0.8) ? { userId: `u${p}`, anonymousId: `a${p}` } : { anonymousId: `a${p}` };
    const timestamp = new Date(timestampFor(sentAt, random)).toISOString();
    // Now and then a duplicate of an earlier messageId (a retry): ingestion keeps the first.
    const messageId = i > 0 && chance(0.005) ? `m${Math.floor(random() * i)}` : `m${i}`;
    const roll = random();
    if (roll < 0.1) {
      const traits: Record<string, Json> = { plan: chance(0.1) ? null : pick(PLANS) };
      if (kind === 'email' && chance(0.5)) traits['email'] = `${person}@example.com`;
      events.push({ person, call: { type: 'identify', ...ids, traits, messageId, timestamp }, sentAt });
    } else if (roll < 0.15) {
      events.push({ person, call: { type: 'page', ...ids, name: 'Home', properties: properties(random), messageId, timestamp }, sentAt });
    } else if (roll < 0.16) {
      events.push({ person, call: { type: 'group', ...ids, groupId: 'g1', traits: { email: 'team@example.com' }, messageId, timestamp }, sentAt });
    } else {
      events.push({ person, call: { type: 'track', ...ids, event: pick(BENCH_EVENT_NAMES), properties: properties(random), messageId, timestamp }, sentAt });
    }
  }
  return events;
}

/** Mostly on time; some late (up to 40 days), some future-dated (up to 3 days); some off the hour grid by 1 ms. */
function timestampFor(sentAt: number, random: () => number): number {
  const onGrid = Math.floor(sentAt / HOUR) * HOUR;
  const roll = random();
  const base = roll < 0.15 ? onGrid - Math.floor(random() * 40 * 24) * HOUR : roll < 0.2 ? onGrid + Math.ceil(random() * 3 * 24) * HOUR : onGrid;
  const jitter = random();
  return base + (jitter < 0.05 ? 1 : jitter < 0.1 ? -1 : 0);
}

function properties(random: () => number): Record<string, Json> {
  const result: Record<string, Json> = {};
  const t = random();
  if (t < 0.75) result['total'] = Math.floor(random() * 300);
  else if (t < 0.82) result['total'] = Math.floor(random() * 30000) / 100;
  else if (t < 0.86) result['total'] = '150';
  else if (t < 0.9) result['total'] = null;
  const c = random();
  if (c < 0.85) result['currency'] = CURRENCIES[Math.floor(random() * CURRENCIES.length)]!;
  else if (c < 0.9) result['currency'] = 840;
  return result;
}
