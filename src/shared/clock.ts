import type { EpochMs } from './ids.ts';

/**
 * The one source of time. Domain code never reads the wall clock: it receives `now` as an input,
 * and the runtime gets it from this port. `manual` clocks only move when told to
 * (`POST /v1/admin/clock`), which makes every time-dependent behaviour testable to the millisecond.
 */
export interface Clock {
  readonly kind: 'system' | 'manual';
  now(): EpochMs;
}

export function createSystemClock(): Clock {
  return { kind: 'system', now: () => Date.now() };
}

export interface ManualClock extends Clock {
  readonly kind: 'manual';
  /** Moves the clock to `to`; refuses to move backwards (returns false). */
  set(to: EpochMs): boolean;
}

export function createManualClock(start: EpochMs): ManualClock {
  let current = start;
  return {
    kind: 'manual',
    now: () => current,
    set(to) {
      if (to < current) return false;
      current = to;
      return true;
    },
  };
}
