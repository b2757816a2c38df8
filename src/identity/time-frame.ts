import type { IdentifierFrequency } from '../config/config.ts';
import type { EpochMs } from '../shared/ids.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The length of a limit's time frame. Segment names the frequencies ("5 Weekly", "5 monthly",
 * "5 annually", "1 ever", §4.4) without defining them; fixed day counts keep the rule independent
 * of calendars and time zones.
 */
const FRAME_MS: Readonly<Record<IdentifierFrequency, number>> = {
  weekly: 7 * DAY_MS,
  monthly: 30 * DAY_MS,
  annually: 365 * DAY_MS,
  ever: Number.POSITIVE_INFINITY,
};

export function frameMs(frequency: IdentifierFrequency | undefined): number {
  return frequency === undefined ? Number.POSITIVE_INFINITY : FRAME_MS[frequency];
}

/** Whether the limit has a time frame, which decides the insight name of a violation. */
export function isTimeFramed(frequency: IdentifierFrequency | undefined): boolean {
  return frequency !== undefined && frequency !== 'ever';
}

/**
 * Whether a value first added at `addedAt` counts against a limit checked at `at`. The frame is
 * `(at - frame, at]` open at its start, so a value exactly one frame old has aged out. A value
 * added after `at` (a late event) still counts: the limit must hold in the frame that ends at
 * the newest value as well.
 */
export function countsInFrame(addedAt: EpochMs, at: EpochMs, frame: number): boolean {
  return frame === Number.POSITIVE_INFINITY || addedAt > at - frame;
}
