import { BENCH_EVENT_NAMES } from '../definitions-fixture.ts';
import type { LoggedEvent } from './event-log.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';

/**
 * The load bench's synthetic workload, deterministic from its seed: people with a heavy-tailed
 * activity (a Zipf law: a few are very busy, most send a handful of events), page, track,
 * identify and group calls with realistic properties, people who start anonymous and identify
 * later, people on two devices whose profiles merge when one call carries both ids, and some late
 * and some future-dated events. It knows which person each event belongs to: the peer groups by
 * that, and the correctness diff checks that identity resolution found the same people.
 */
export interface WorkloadOptions {
  readonly seed: number;
  readonly profiles: number;
  readonly events: number;
  /** Events per request. */
  readonly batchSize: number;
  /** The engine clock when the first batch is sent. */
  readonly start: number;
  /** How far the clock moves per batch (event time the workload covers: batches × step). */
  readonly stepMs: number;
}

export interface WorkloadBatch {
  /** The engine clock when this batch is sent (the manual clock is moved there first). */
  readonly at: number;
  readonly events: readonly LoggedEvent[];
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'] as const;
const PLANS = ['free', 'pro', 'team'] as const;
const PAGES = ['/', '/pricing', '/docs', '/blog', '/checkout'] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;


/** How a person shows up: known from the start, anonymous until an identify, or on two devices that merge. */
type Persona = 'known' | 'identifies-later' | 'two-devices';

interface Person {
  readonly id: string;
  readonly persona: Persona;
  readonly email: string | undefined;
  /** Events sent so far (the persona's story advances with them). */
  sent: number;
  identified: boolean;
}

/**
 * Yields the workload batch by batch (nothing is held beyond one batch: a 10 M-event workload is
 * written to disk as it is made).
 */
export function* generateWorkload(options: WorkloadOptions): Generator<WorkloadBatch> {
  const random = seededRandom(options.seed);
  const people = makePeople(options.profiles, random);
  // Exponent 0.6: heavy-tailed (the busiest person sends ~0.2% of a 1 M-person workload, the
  // median a few events), not a bot (at 1.1 one person sent 15% of everything).
  const cumulative = zipfCumulative(options.profiles, 0.6);
  const pick = (): Person => {
    // Most events go to the heavy head; every person gets at least their first event below.
    const x = random() * cumulative[cumulative.length - 1]!;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < x) low = mid + 1;
      else high = mid;
    }
    return people[low]!;
  };
  let made = 0;
  let batchIndex = 0;
  // Every person appears at least once (the first pass walks them in order), so `profiles` is reached.
  let firstPass = 0;
  while (made < options.events) {
    const at = options.start + batchIndex * options.stepMs;
    const size = Math.min(options.batchSize, options.events - made);
    const events: LoggedEvent[] = [];
    for (let i = 0; i < size; i++) {
      const person = firstPass < people.length && (random() < 0.5 || options.events - made - i <= people.length - firstPass) ? people[firstPass++]! : pick();
      events.push(nextEvent(person, at, `${options.seed}-${made + i}`, random));
    }
    made += size;
    batchIndex += 1;
    yield { at, events };
  }
}

function makePeople(count: number, random: () => number): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const persona: Persona = roll < 0.6 ? 'known' : roll < 0.9 ? 'identifies-later' : 'two-devices';
    const id = `p${String(i).padStart(7, '0')}`;
    people.push({ id, persona, email: random() < 0.5 ? `${id}@example.com` : undefined, sent: 0, identified: persona === 'known' });
  }
  return people;
}

function zipfCumulative(count: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += 1 / (i + 1) ** exponent;
    cumulative[i] = total;
  }
  return cumulative;
}

function nextEvent(person: Person, at: number, messageId: string, random: () => number): LoggedEvent {
  person.sent += 1;
  const userId = `u-${person.id}`;
  const anonymousId = `a-${person.id}`;
  const otherDevice = `b-${person.id}`;
  // The ids this call carries, by persona and story: an anonymous person identifies on their
  // 4th event; a two-device person uses device A anonymously and device B logged in, and joins
  // them (a merge) on their 6th event.
  let ids: { userId?: string; anonymousId?: string };
  let forceIdentify = false;
  switch (person.persona) {
    case 'known':
      ids = random() < 0.5 ? { userId, anonymousId } : { userId };
      break;
    case 'identifies-later':
      if (!person.identified && person.sent >= 4) {
        person.identified = true;
        forceIdentify = true;
      }
      ids = person.identified ? { userId, anonymousId } : { anonymousId };
      break;
    case 'two-devices':
      if (!person.identified && person.sent >= 6) {
        person.identified = true;
        forceIdentify = true;
        ids = { userId, anonymousId: otherDevice };
      } else if (person.identified) {
        ids = random() < 0.5 ? { userId, anonymousId: otherDevice } : { userId };
      } else {
        ids = person.sent % 2 === 0 ? { userId } : { anonymousId: otherDevice };
      }
      break;
  }
  const timestamp = eventTime(at, random);
  const roll = forceIdentify ? 0 : random();
  let call: LoggedEvent['call'];
  if (roll < 0.1) {
    const traits: Record<string, string> = { plan: PLANS[Math.floor(random() * PLANS.length)]! };
    if (person.email !== undefined && (ids.userId !== undefined || random() < 0.2)) traits['email'] = person.email;
    call = { type: 'identify', ...ids, traits, messageId, timestamp };
  } else if (roll < 0.16) {
    call = { type: 'page', ...ids, name: 'Page', properties: { path: PAGES[Math.floor(random() * PAGES.length)]! }, messageId, timestamp };
  } else if (roll < 0.18) {
    call = { type: 'group', ...ids, groupId: `g-${Math.floor(random() * 1000)}`, traits: { name: 'Acme' }, messageId, timestamp };
  } else {
    // Event names skewed towards browsing: the first names are the common ones.
    const name = BENCH_EVENT_NAMES[Math.min(BENCH_EVENT_NAMES.length - 1, Math.floor(random() ** 1.5 * BENCH_EVENT_NAMES.length))]!;
    call = {
      type: 'track',
      ...ids,
      event: name,
      properties: { total: Math.round(random() * 30_000) / 100, currency: CURRENCIES[Math.floor(random() ** 2 * CURRENCIES.length)]!, items: 1 + Math.floor(random() * 4) },
      messageId,
      timestamp,
    };
  }
  return { person: person.id, call, sentAt: at };
}

/** Mostly "just now"; 4% late by hours to weeks; 1% future-dated by up to a day. */
function eventTime(at: number, random: () => number): string {
  const roll = random();
  let time: number;
  if (roll < 0.95) time = at - Math.floor(random() * 5_000);
  else if (roll < 0.99) time = at - Math.floor(HOUR + random() * 20 * DAY);
  else time = at + Math.floor(random() * DAY);
  return new Date(time).toISOString();
}
