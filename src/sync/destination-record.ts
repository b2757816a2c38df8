import type { EpochMs } from '../shared/ids.ts';

/** How a connection sends changes (Engage's two event-destination formats). */
export type SyncFormat = 'identify' | 'track';

/** A webhook destination's settings, defaults applied. */
export interface WebhookSettings {
  readonly url: string;
  /** Sent with every request; values are secrets too (never shown in full, never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** Send `alias {previousId, userId}` when two profiles merge. */
  readonly sendAliasOnMerge: boolean;
  /** Standard Webhooks signing secret (`whsec_` + base64); requests are signed when set. */
  readonly secret?: string;
  /** One attempt's time limit (10 s by default). */
  readonly timeoutMs: number;
}

/**
 * A destination as stored in LMDB (`destinations`, by id). Several of one type may exist in a
 * space (Engage's "accounts"). Deleting keeps a tombstone so late outbox entries find it gone.
 */
export interface DestinationRecord {
  readonly id: string;
  readonly spaceId: string;
  readonly name: string;
  readonly type: 'webhook';
  readonly settings: WebhookSettings;
  readonly enabled: boolean;
  /** Why the engine disabled it (a 410), when it did. */
  readonly disabledReason?: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly deletedAt?: EpochMs;
}

/** An audience or computed trait connected to a destination (`connections`, by [definitionId, destinationId]). */
export interface ConnectionRecord {
  readonly definitionId: string;
  readonly destinationId: string;
  readonly spaceId: string;
  readonly format: SyncFormat;
  readonly connectedAt: EpochMs;
  /** Tells connections of one pair apart: a re-connection is a first connection again (every member is sent). */
  readonly connectionId: string;
  /** Until its first sync (every current member) is queued; a restart resumes it. */
  readonly initialSyncPending?: true;
}
