import type { EventType } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId } from '../shared/ids.ts';

/**
 * One row of the merge log, as Segment's `id_graph_updates` table: a profile's creation
 * (`segmentId === canonicalSegmentId`) or a merge (`segmentId` folded into `canonicalSegmentId`),
 * with the event that caused it.
 */
export interface GraphUpdateRecord {
  readonly segmentId: ProfileId;
  readonly canonicalSegmentId: ProfileId;
  readonly triggeringEventType: EventType;
  readonly triggeringMessageId: string;
  readonly at: EpochMs;
}
