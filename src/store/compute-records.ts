import type { EpochMs } from '../shared/ids.ts';

/**
 * What a profile record carries while its definition states are written behind: which of its
 * stored events were stepped since the states were written (`runtime/shard/compute-lag.ts`).
 * Constant in size, however many events lag.
 */
export interface ComputeLag {
  /** The profile version the written states are of: lagged events are stamped with later ones. */
  readonly since: number;
  /** How many events lag. */
  readonly count: number;
  /** The earliest timestamp among them: a replay scans the profile's events from there. */
  readonly from: EpochMs;
}
