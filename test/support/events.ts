import type { TrackedEvent } from '../../src/ingest/tracked-event.ts';

/** A normalised event with sensible defaults, for tests below the HTTP layer. */
export function trackedEvent(overrides: Partial<TrackedEvent> & Pick<TrackedEvent, 'messageId'>): TrackedEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    sourceId: 'src_test',
    timestamp: Date.UTC(2026, 0, 1),
    receivedAt: Date.UTC(2026, 0, 1),
    ...overrides,
  };
}
