import type { EpochMs } from '../../shared/ids.ts';

/** Times leave the engine as ISO-8601 UTC strings with milliseconds, as Segment's APIs show them. */
export function isoTime(at: EpochMs): string {
  return new Date(at).toISOString();
}
