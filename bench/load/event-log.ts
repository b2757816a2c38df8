import type { Json } from '../../src/shared/json.ts';

/**
 * One event of the bench's workload as the peer sees it: who sent it (the generator's ground
 * truth about people, which identity resolution must reproduce) and the Segment call as sent.
 * The log is a JSON Lines file, one `LoggedEvent` per line, in the order the events were sent.
 */
export interface LoggedEvent {
  /** The person the event belongs to (`p000123`): a profile in Troupe once identities merge. */
  readonly person: string;
  /** The call, exactly as the load generator posted it (no `sentAt`: `timestamp` is taken as given). */
  readonly call: {
    readonly type: 'track' | 'identify' | 'page' | 'group';
    readonly userId?: string;
    readonly anonymousId?: string;
    readonly event?: string;
    readonly name?: string;
    readonly groupId?: string;
    readonly properties?: Readonly<Record<string, Json>>;
    readonly traits?: Readonly<Record<string, Json>>;
    readonly messageId: string;
    /** ISO-8601 with milliseconds; may be in the past (late) or ahead of the clock (future-dated). */
    readonly timestamp: string;
  };
  /** The engine clock's time when the event was sent (its `receivedAt`), epoch ms. */
  readonly sentAt: number;
}

/** How a person is looked up in the Profile API at the end: by userId when they have one. */
export interface PersonLookup {
  readonly person: string;
  /** `user_id:…` or `anonymous_id:…`. */
  readonly lookup: string;
}
