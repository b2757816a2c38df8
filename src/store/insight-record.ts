import type { Identifier } from '../identity/identifier.ts';
import type { ViolationType } from '../identity/resolution.ts';
import type { EventType } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId } from '../shared/ids.ts';

/** One identity resolution violation as stored for `GET …/insights` (Segment's Profiles Insights). */
export interface InsightRecord {
  readonly at: EpochMs;
  readonly type: ViolationType;
  readonly message: string;
  readonly messageId: string;
  readonly eventType: EventType;
  readonly sourceId: string;
  readonly identifier?: Identifier;
  readonly profileId?: ProfileId;
}
