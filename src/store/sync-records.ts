import type { DeliverySnapshot } from '../sync/delivery.machine.ts';
import type { EpochMs } from '../shared/ids.ts';

/**
 * Key of an outbox entry: per destination, then per shard, in the order the shard committed
 * them. A profile belongs to one shard, so within `[destinationId, shardIndex]` its entries are
 * in the order its changes happened: the sync actor keeps per-profile order from key order alone.
 */
export type OutboxKey = [destinationId: string, shardIndex: number, seq: number];

/**
 * One message waiting for a destination. The owning shard writes it in the transaction of the
 * change that caused it, so a change is durable exactly when its message is; the sync actor
 * removes it only once delivered or failed for good.
 */
export interface OutboxEntry {
  /** Deterministic (`sync/sync-message.ts`) and stable across retries: the receiver's dedup key. */
  readonly messageId: string;
  readonly spaceId: string;
  readonly destinationId: string;
  /** The audience or computed trait that changed; absent for an alias on merge. */
  readonly definitionId?: string;
  /** The connection this message was made for: after a disconnect (and any re-connect) it is not sent. */
  readonly connectionId?: string;
  /** Which profile it is about: its messages to one destination go out one at a time, in order. */
  readonly profileId: string;
  readonly createdAt: EpochMs;
  /**
   * The Segment-spec message as sent: JSON text, encoded once by the shard. (As a msgpack object
   * its nested, per-definition shapes decoded at ~10–50 µs an entry; a string is a copy.)
   */
  readonly body: string;
  /** The delivery machine's persisted snapshot once an attempt failed; absent while untried. */
  readonly delivery?: DeliverySnapshot;
}

/** One message of a definition's recent syncs (`GET …/syncs`), updated as its delivery moves. */
export type SyncKey = [definitionId: string, at: EpochMs, seq: number];

export interface SyncRecord {
  readonly at: EpochMs;
  readonly destinationId: string;
  readonly messageId: string;
  readonly status: 'delivered' | 'retrying' | 'failed';
  readonly attempts: number;
  readonly lastError: string | null;
}

/** The audit trail of a space, newest first (`GET /v1/spaces/{space}/audit`). */
export type AuditKey = [spaceId: string, at: EpochMs, seq: number];

/** One failed delivery attempt (contract: "Audit and syncs"). */
export interface AuditEntry {
  readonly at: EpochMs;
  readonly destinationId: string;
  readonly audienceId?: string;
  readonly computedTraitId?: string;
  /** The audience's or trait's key; null for an alias. */
  readonly key: string | null;
  readonly messageId: string;
  /** From 1. */
  readonly attempt: number;
  /** The HTTP status, or null when no response came (network error, timeout). */
  readonly status: number | null;
  readonly error: string;
  /** The attempt that made the failure final. */
  readonly hard: boolean;
}
