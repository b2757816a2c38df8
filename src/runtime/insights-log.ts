import type { Logger } from 'pino';
import type { Violation } from '../identity/resolution.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs, SpaceId } from '../shared/ids.ts';
import type { EngineStore, InsightKey } from '../store/engine-store.ts';
import type { InsightRecord } from '../store/insight-record.ts';

export interface InsightPage {
  readonly insights: readonly InsightRecord[];
  /** The key to continue from, or undefined on the last page. */
  readonly next: InsightKey | undefined;
}

export interface InsightsLog {
  record(spaceId: SpaceId, event: Pick<TrackedEvent, 'messageId' | 'type' | 'sourceId'>, violations: readonly Violation[], at: EpochMs): void;
  /** Newest first, starting at `from` (inclusive) when given. */
  list(spaceId: SpaceId, limit: number, from?: InsightKey): InsightPage;
}

/**
 * Identity insights, kept in LMDB by the main thread. They are diagnostics: written without
 * holding up the event's acknowledgement (a crash may lose the last few, never an event).
 */
export function createInsightsLog(store: EngineStore, log: Logger): InsightsLog {
  // Several violations can share a millisecond; the sequence keeps keys unique and ordered.
  let seq = 0;
  return {
    record(spaceId, event, violations, at) {
      for (const violation of violations) {
        const record: InsightRecord = {
          at,
          type: violation.type,
          message: violation.message,
          messageId: event.messageId,
          eventType: event.type,
          sourceId: event.sourceId,
          ...(violation.identifier === undefined ? {} : { identifier: violation.identifier }),
          ...(violation.profileId === undefined ? {} : { profileId: violation.profileId }),
        };
        store.insights.put([spaceId, at, seq++], record).catch((error: unknown) => log.warn({ err: error }, 'could not store an insight'));
      }
    },
    list(spaceId, limit, from) {
      const insights: InsightRecord[] = [];
      let next: InsightKey | undefined;
      const range = store.insights.getRange({ start: from ?? [spaceId, Number.MAX_SAFE_INTEGER], end: [spaceId, -1], reverse: true, limit: limit + 1 });
      for (const { key, value } of range) {
        if (insights.length === limit) {
          next = key;
          break;
        }
        insights.push(value);
      }
      return { insights, next };
    },
  };
}
