import type { Logger } from 'pino';
import type { Violation } from '../identity/resolution.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs, SpaceId } from '../shared/ids.ts';
import type { EngineStore, InsightKey } from '../store/engine-store.ts';
import type { InsightRecord } from '../store/insight-record.ts';
import { newestFirst, type NewestFirstPage } from './newest-first.ts';


export interface InsightsLog {
  /** Resolves once the insights are committed and readable (failures are logged, not thrown). */
  record(spaceId: SpaceId, event: Pick<TrackedEvent, 'messageId' | 'type' | 'sourceId'>, violations: readonly Violation[], at: EpochMs): Promise<void>;
  /** Newest first, starting at `from` (inclusive) when given. */
  list(spaceId: SpaceId, limit: number, from?: InsightKey): NewestFirstPage<InsightKey, InsightRecord>;
}

/**
 * Identity insights, kept in LMDB by the main thread. The request that caused them waits for
 * their commit, so an insight is listed as soon as its event is acknowledged; a failure to store
 * one is logged and never fails the event.
 */
export function createInsightsLog(store: EngineStore, log: Logger): InsightsLog {
  // Several violations can share a millisecond (always, on a manual clock that is not moved).
  // The sequence keeps keys unique and in order. It starts from the wall clock in microseconds, so
  // a later run's keys sort after (and never overwrite) an earlier run's, even at the same `at`.
  let seq = Date.now() * 1000;
  return {
    async record(spaceId, event, violations, at) {
      const writes: Array<Promise<unknown>> = [];
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
        writes.push(store.insights.put([spaceId, at, seq++], record));
      }
      try {
        await Promise.all(writes);
        store.root.resetReadTxn();
      } catch (error) {
        log.warn({ err: error }, 'could not store an insight');
      }
    },
    list: (spaceId, limit, from) => newestFirst(store.insights, spaceId, limit, from),
  };
}
