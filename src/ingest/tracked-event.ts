import type { EpochMs } from '../shared/ids.ts';
import type { JsonObject } from '../shared/json.ts';

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One event after validation and normalisation: the form every later stage (identity, actors,
 * storage, Profile API) sees. Times are epoch milliseconds; `timestamp` is already corrected
 * for client clock skew. Optional fields are absent (never `undefined`-valued) so the msgpackr
 * encoding stays small.
 */
export interface TrackedEvent {
  readonly type: EventType;
  readonly messageId: string;
  /** The source (write key) the event came through; see config `writeKeys`. */
  readonly sourceId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** track: the event name; page/screen: `Page Viewed` / `Screen Viewed` are derived later. */
  readonly event?: string;
  /** page/screen: the page or screen name. */
  readonly name?: string;
  readonly category?: string;
  readonly groupId?: string;
  readonly previousId?: string;
  readonly properties?: JsonObject;
  readonly traits?: JsonObject;
  readonly context?: JsonObject;
  readonly integrations?: JsonObject;
  /** When the event happened, skew-corrected. Lookback windows use this. */
  readonly timestamp: EpochMs;
  /** When the engine received it. */
  readonly receivedAt: EpochMs;
}
