import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { DefinitionStateEntry } from '../actors/compute-states.ts';
import type { DefinitionRecord } from '../definitions/definition-record.ts';
import type { StoredProfile } from './profile-record.ts';
import type { TraitEntry } from '../actors/profile-state.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs } from '../shared/ids.ts';
import type { StoredGraphProfile } from './identity-records.ts';
import type { GraphUpdateRecord } from './graph-update-record.ts';
import type { InsightRecord } from './insight-record.ts';
import type { ConnectionKey } from './sync-keys.ts';
import type { AuditEntry, AuditKey, OutboxEntry, OutboxKey, SyncKey, SyncRecord } from './sync-records.ts';
import type { ConnectionRecord, DestinationRecord } from '../sync/destination-record.ts';

/** Key of a stored event: a profile's history is one range scan, ordered by event time. */
export type EventKey = [profileId: string, timestamp: EpochMs, messageId: string];
/** Key of a durable timer: ordered by due time so "everything due by now" is one range scan. */
export type TimerKey = [dueAt: EpochMs, profileId: string, timerKey: string];
export type DedupKey = [spaceId: string, messageId: string];
/** The dedup marks in arrival order: "every mark older than the window" is one range scan. */
export type DedupExpiryKey = [receivedAt: EpochMs, spaceId: string, messageId: string];
export type IdentityKey = [spaceId: string, type: string, value: string];
/** Newest-first listing of a space's insights is one reverse range scan. */
export type InsightKey = [spaceId: string, at: EpochMs, seq: number];
export type SuppressionKey = [spaceId: string, userId: string];
/** One row of the merge log, newest-first listing is one reverse range scan per space. */
export type GraphUpdateKey = [spaceId: string, at: EpochMs, messageId: string, segmentId: string];
/** One definition's state on one profile: a profile's states are one range scan. */
export type ComputeKey = [profileId: string, definitionId: string];
/** One definition answer (audience membership, computed value) of one profile: a profile's answers are one range scan. */
export type AnswerKey = [profileId: string, key: string];
/** A shard's share of an audience's size (its members' count change); the size is their sum. */
export type DefinitionSizeKey = [definitionId: string, shardIndex: number];
/** An audience's size at an instant (the console's chart): `[audienceId, at]`. */
export type SizeSampleKey = [audienceId: string, at: EpochMs];


/**
 * An event as stored. One stepped while its profile's definition states lag carries the
 * profile version its step made, so a replay finds it (and its order) among the profile's events.
 */
export type StoredEvent = TrackedEvent & { readonly profileVersion?: number };

/**
 * The LMDB environment and its named databases. Every thread (main and each shard worker) opens
 * its own handle on the same files; LMDB serialises writers and gives readers snapshots.
 *
 * Ownership (single writer per database, by convention):
 * - main thread: `meta`, `insights`, `suppressions`, `definitions`; it also DECIDES every change to `identity` and `graphProfiles` (the
 *   identity graph's single writer), but those changes are committed by the shard that owns the
 *   profile, in the same transaction as the event that caused them (see identity-records.ts).
 * - the shard that owns a profile: its `profiles`, `events`, `timers`, `graph-updates` rows and the `dedup` entries of
 *   its events (written in the same transaction as the events, so a messageId is marked seen
 *   exactly when its event is durable), each with its `dedup-expiry` entry, its `compute` states, its `answers`
 *   and its own `definition-sizes` rows. The dedup sweep, which main paces and a shard runs one
 *   chunk at a time, is the only other writer of `dedup` and `dedup-expiry`. It also PUTS the
 *   `outbox` entries its changes cause (with them, in one transaction).
 * - main thread, for sync: `destinations`, `connections`, `syncs`, `audit`, and it REMOVES (or
 *   rewrites, with their delivery state) `outbox` entries as the sync actor delivers them.
 */
export interface EngineStore {
  readonly root: RootDatabase;
  readonly profiles: Database<StoredProfile, string>;
  readonly events: Database<StoredEvent, EventKey>;
  readonly timers: Database<true, TimerKey>;
  readonly dedup: Database<EpochMs, DedupKey>;
  /** One entry per dedup mark, written with it; the sweep removes both once out of the window. */
  readonly dedupExpiry: Database<true, DedupExpiryKey>;
  readonly identity: Database<string, IdentityKey>;
  readonly graphProfiles: Database<StoredGraphProfile, string>;
  readonly insights: Database<InsightRecord, InsightKey>;
  /** The merge log (Segment's `id_graph_updates`): profile creations and merges, by the owning shard. */
  readonly graphUpdates: Database<GraphUpdateRecord, GraphUpdateKey>;
  /** userIds suppressed through the API (config ones are not stored). Value: when. */
  readonly suppressions: Database<EpochMs, SuppressionKey>;
  readonly meta: Database<unknown, string>;
  /** Audiences and computed traits (tombstones included), by id; written by main. */
  readonly definitions: Database<DefinitionRecord, string>;
  /** Per-profile definition states, apart from the profile record; written by the owning shard. */
  readonly compute: Database<DefinitionStateEntry, ComputeKey>;
  /** Definition answers per profile, apart from the profile record; written by the owning shard when they change. */
  readonly answers: Database<TraitEntry, AnswerKey>;
  /** Per-shard audience member counts; each shard writes its own, with the states that moved them. */
  readonly definitionSizes: Database<number, DefinitionSizeKey>;
  /** Audience sizes over time, sampled by main (`runtime/size-sampler.ts`), a bounded number per audience. */
  readonly sizeSamples: Database<number, SizeSampleKey>;
  /** Destinations (tombstones included), by id; written by main. */
  readonly destinations: Database<DestinationRecord, string>;
  /** Which definition is connected to which destination, in which format; written by main. */
  readonly connections: Database<ConnectionRecord, ConnectionKey>;
  /** Messages waiting for their destination (see `sync-records.ts`). */
  readonly outbox: Database<OutboxEntry, OutboxKey>;
  /** Recent messages per definition, with their delivery status. */
  readonly syncs: Database<SyncRecord, SyncKey>;
  /** Failed delivery attempts per space. */
  readonly audit: Database<AuditEntry, AuditKey>;
  close(): Promise<void>;
}

export function openEngineStore(dataDir: string): EngineStore {
  mkdirSync(dataDir, { recursive: true });
  const root = open({
    path: join(dataDir, 'troupe.mdb'),
    // Shards append events concurrently; a generous map avoids resize pauses. Sparse on disk.
    mapSize: 64 * 1024 ** 3,
    // Named databases: 21 today; room to grow without a migration (LMDB's default is 12).
    maxDbs: 32,
    // Records: msgpackr encodes repeated object shapes once per database, not once per value.
    sharedStructuresKey: Symbol.for('structures'),
  });
  const profiles = root.openDB<StoredProfile, string>({ name: 'profiles', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const events = root.openDB<StoredEvent, EventKey>({ name: 'events', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const timers = root.openDB<true, TimerKey>({ name: 'timers', encoding: 'msgpack' });
  const dedup = root.openDB<EpochMs, DedupKey>({ name: 'dedup', encoding: 'msgpack' });
  const dedupExpiry = root.openDB<true, DedupExpiryKey>({ name: 'dedup-expiry', encoding: 'msgpack' });
  const identity = root.openDB<string, IdentityKey>({ name: 'identity', encoding: 'msgpack' });
  const graphProfiles = root.openDB<StoredGraphProfile, string>({ name: 'graph-profiles', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const insights = root.openDB<InsightRecord, InsightKey>({ name: 'insights', encoding: 'msgpack' });
  const graphUpdates = root.openDB<GraphUpdateRecord, GraphUpdateKey>({ name: 'graph-updates', encoding: 'msgpack' });
  const suppressions = root.openDB<EpochMs, SuppressionKey>({ name: 'suppressions', encoding: 'msgpack' });
  const meta = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
  const definitions = root.openDB<DefinitionRecord, string>({ name: 'definitions', encoding: 'msgpack' });
  const compute = root.openDB<DefinitionStateEntry, ComputeKey>({ name: 'compute', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const answers = root.openDB<TraitEntry, AnswerKey>({ name: 'answers', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const definitionSizes = root.openDB<number, DefinitionSizeKey>({ name: 'definition-sizes', encoding: 'msgpack' });
  const sizeSamples = root.openDB<number, SizeSampleKey>({ name: 'size-samples', encoding: 'msgpack' });
  const destinations = root.openDB<DestinationRecord, string>({ name: 'destinations', encoding: 'msgpack' });
  const connections = root.openDB<ConnectionRecord, ConnectionKey>({ name: 'connections', encoding: 'msgpack' });
  const outbox = root.openDB<OutboxEntry, OutboxKey>({ name: 'outbox', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const syncs = root.openDB<SyncRecord, SyncKey>({ name: 'syncs', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  const audit = root.openDB<AuditEntry, AuditKey>({ name: 'audit', encoding: 'msgpack', sharedStructuresKey: Symbol.for('structures') });
  return {
    root,
    destinations,
    connections,
    outbox,
    syncs,
    audit,
    profiles,
    events,
    timers,
    dedup,
    dedupExpiry,
    identity,
    graphProfiles,
    insights,
    graphUpdates,
    suppressions,
    meta,
    definitions,
    compute,
    definitionSizes,
    sizeSamples,
    answers,
    close: () => root.close(),
  };
}
