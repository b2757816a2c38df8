import type { ActorEffect, ActorMessage, SyncEffect } from '../../actors/actor-message.ts';
import { alignComputeStates, computeEntries, loadedComputeStates, movedAnswers, type ComputeStates, type DefinitionStateEntry } from '../../actors/compute-states.ts';
import type { ComputeLag } from '../../store/compute-records.ts';
import { computeWrites, extendLag, isStateOnlyChange, LAG_LIMIT, replayLag } from './compute-lag.ts';
import { answerWrites, storedRecord } from './answer-rows.ts';
import { loadStoredProfile } from '../../store/profile-record.ts';
import type { ProfileState, TraitEntry } from '../../actors/profile-state.ts';
import { stepProfile } from '../../actors/step-profile.ts';
import { definitionOfTimerKey, definitionTimerKey } from '../../actors/recompute-definitions.ts';
import { definitionTimerRow, DEFINITIONS_TIMER_KEY, dueDefinitions, earliestDue, earliestDueAfter } from './definition-timer-row.ts';
import type { EventType, TrackedEvent } from '../../ingest/tracked-event.ts';
import type { EpochMs, ProfileId } from '../../shared/ids.ts';
import type { EngineStore, EventKey, GraphUpdateKey, StoredEvent, TimerKey } from '../../store/engine-store.ts';
import type { GraphUpdateRecord } from '../../store/graph-update-record.ts';
import { NO_IDENTITY_WRITES, type IdentityWrites } from '../../store/identity-records.ts';
import { ActorCache } from './actor-cache.ts';
import type { BackfillChunk, BackfillChunkResult, EraseResult, ReleaseResult, ShardResult } from './shard-protocol.ts';
import { compileShardDefinitions, membershipMove, NO_SHARD_DEFINITIONS, type ShardDefinitions } from './shard-definitions.ts';
import { shardOf } from './shard-of.ts';
import { TimerHeap, type PendingTimer } from './timer-heap.ts';
import { connectionEntries, exitEntries, outboxEntriesForStep, type OutboxDraft } from './outbox-entries.ts';
import { outboxSeqKey } from '../../store/sync-keys.ts';
import type { PreviewChunk, PreviewChunkResult, PreviewMember, SyncSweepChunk, SyncSweepResult } from './shard-protocol.ts';
import { collectionOfProfile, profileWith } from '../../actors/profile-state.ts';
import { previewMembership } from '../../actors/preview-membership.ts';
import { compileDefinition } from '../../compute/compile-definition.ts';
import type { DefinitionEvaluator } from '../../compute/definition-evaluator.ts';

export interface ShardRuntimeOptions {
  readonly store: EngineStore;
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly cacheSize: number;
  /** Most events a profile's definition states may lag behind its record (0 writes them through). */
  readonly lagLimit?: number;
}

export interface ShardRuntime {
  /** Steps every message in order, then commits all resulting writes in one transaction. */
  deliver(messages: readonly ActorMessage[], now: EpochMs, identityWrites?: IdentityWrites): Promise<ShardResult>;
  /** Fires every timer due by `now` through the actors' mailboxes. */
  tick(now: EpochMs): Promise<ShardResult>;
  /** Hands profiles over for a merge (see `shard.release` in the protocol). */
  release(profileIds: readonly string[]): Promise<ReleaseResult>;
  /** Deletes a profile and everything it owns, in one transaction with its identity removals. */
  erase(profileId: string, identityWrites: IdentityWrites): Promise<EraseResult>;
  /** Rebuilds one definition's state on the next profiles of this shard from their stored events. */
  backfill(chunk: BackfillChunk): Promise<BackfillChunkResult>;
  /** Queues a new connection's first messages for the next profiles of this shard (current members or values). */
  syncSweep(chunk: SyncSweepChunk): Promise<SyncSweepResult>;
  /** Answers an audience preview on the next profiles of this shard, reading only. */
  preview(chunk: PreviewChunk): PreviewChunkResult;
  /** Reloads the live definitions when the main thread has committed a newer version of them. */
  useDefinitions(version: number): void;
  /** Sizes of the in-memory structures that must stay bounded over a long life (for tests and metrics). */
  sizes(): { readonly released: number; readonly erasing: number; readonly pendingCommits: number; readonly cached: number };
}

/** Backfill chunks whose commits may be in flight at once. */
const BACKFILL_PIPELINE = 4;

/** Where each backfill run's next chunk starts (`RUN_DONE` once scanned through); the newest runs kept. */
const RUN_DONE = Symbol('scanned through');
const RUNS_KEPT = 64;
/** Previews whose compiled evaluator a shard keeps (a preview's chunks arrive one after another). */
const PREVIEWS_KEPT = 8;

/** The released set is pruned of merges that are durable once it grows past this (then twice its size). */
const RELEASED_PRUNE_AT = 256;

interface PendingWrites {
  readonly events: Array<{ spaceId: string; event: StoredEvent; profileId: string }>;
  readonly states: Map<string, ProfileState>;
  /** Each written profile as LMDB holds it before this delivery, to write only what changed. */
  readonly stored: Map<string, StoredBefore>;
  /** Profiles whose definition states stay behind after this delivery, with what LMDB will hold. */
  readonly behind: Map<string, Behind | undefined>;
  /** Definition states of merged-away profiles, to delete with them. */
  readonly absorbedCompute: Array<{ profileId: string; definitionIds: readonly string[] }>;
  /** Audience ids whose member count on this shard moved. */
  readonly sizesChanged: Set<string>;
  /** Profiles folded into another by a merge: their own state record goes away. */
  readonly absorbed: string[];
  /** Merge-log rows: profile creations and merges, committed with what they describe. */
  readonly graphUpdates: Array<{ key: GraphUpdateKey; record: GraphUpdateRecord }>;
  /**
   * Each touched durable timer's final presence, in effect order: a timer set by one step and
   * cleared by a later step of the same delivery must end removed.
   */
  readonly timers: Map<string, { readonly key: TimerKey; readonly present: boolean }>;
  /** Messages the steps' changes send to connected destinations, committed with them. */
  readonly outbox: OutboxDraft[];
  /**
   * Profiles whose definitions' due times may have moved: a step that armed or cleared a
   * definition timer, re-aligned the states, or was not an event. The others keep their timer
   * row, and the commit does not scan their ~70 slots for the earliest due.
   */
  readonly duesMoved: Set<string>;
}

/** A profile as LMDB holds it (once queued commits land), before a delivery steps it. */
interface StoredBefore {
  /** Its state, of which LMDB holds every field but the version and the definition states. */
  readonly state: ProfileState | undefined;
  readonly compute: ComputeStates | undefined;
  /** Its record lists lagged events (it must be rewritten when they stop lagging). */
  readonly lagging: boolean;
}

/** A cached profile whose definition states in LMDB lag behind its state in memory. */
interface Behind {
  /** The states LMDB holds. */
  readonly stored: ComputeStates | undefined;
  /** Which stored events were stepped since, as the profile record says. */
  readonly lag: ComputeLag;
}

/**
 * The impure shell around the pure actor step, one per shard worker. It owns the shard's actors:
 * loads them (memory, else LMDB), steps them, and commits events, states, dedup marks and timers
 * in ONE LMDB transaction per delivery, so an acknowledged event and the state it produced are
 * durable together. Steps run synchronously in arrival order, which keeps per-profile order even
 * while several deliveries' commits overlap (group commit).
 */
export function createShardRuntime(options: ShardRuntimeOptions): ShardRuntime {
  const { store, shardIndex, shardCount } = options;
  const lagLimit = options.lagLimit ?? LAG_LIMIT;
  /** Cached profiles whose definition states are written behind (see `compute-lag.ts`). */
  const behind = new Map<string, Behind>();
  const cache = new ActorCache(options.cacheSize, (profileId) => {
    behind.delete(profileId);
  });
  /** Each running backfill's chunk commits not yet waited for, by run, oldest first. */
  const backfillCommits = new Map<string, Array<Promise<ShardResult>>>();
  const runCursors = new Map<string, string | typeof RUN_DONE>();
  /** The latest instant a delivery carried: replays on loads outside a delivery observe at it. */
  let lastNow = 0;
  const heap = loadOwnedTimers();
  /** The commit that will make each profile's latest in-memory state durable. */
  const pendingCommits = new Map<string, Promise<unknown>>();
  /**
   * Events stepped but not yet committed, by profile: a backfill replays LMDB's history plus
   * these, so it never misses the newest events of a busy profile nor waits for it to go quiet.
   */
  const uncommitted = new Map<string, TrackedEvent[]>();
  /**
   * Losers handed over by a merge whose outcome may not be durable yet. Messages still addressed
   * to them are dropped. Once the winner's shard has committed the merge, the loser's graph
   * record carries `mergedInto`, which says the same thing durably (`isMergedAway`), so the entry
   * is pruned: the set holds the merges in flight, not every merge ever made.
   */
  const released = new Set<string>();
  /** Fires a tick made from a profile's definition row: they have no per-definition row to remove. */
  const expandedFires = new WeakSet<ActorMessage>();
  let definitions: ShardDefinitions = NO_SHARD_DEFINITIONS;
  /** This shard's share of each audience's size, loaded on first use. */
  const audienceSizes = new Map<string, number>();
  /** The last outbox sequence number this shard used (kept in `meta`, so it never goes back). */
  let outboxSeq = Number(store.meta.get(outboxSeqKey(shardIndex)) ?? 0);
  /**
   * Destinations that got outbox entries since the last answer to the main thread, which wakes
   * their sync lanes. Filled once a commit is durable, drained by every answer.
   */
  const outboxed = new Set<string>();

  function drainOutboxed(): string[] {
    if (outboxed.size === 0) return [];
    const list = [...outboxed];
    outboxed.clear();
    return list;
  }

  /** Inside a transaction: gives each draft its place (per destination, in commit order). */
  function writeOutbox(drafts: readonly OutboxDraft[]): void {
    if (drafts.length === 0) return;
    for (const { destinationId, entry } of drafts) store.outbox.put([destinationId, shardIndex, ++outboxSeq], entry);
    store.meta.put(outboxSeqKey(shardIndex), outboxSeq);
  }

  function noteOutboxed(drafts: readonly OutboxDraft[]): void {
    for (const { destinationId } of drafts) outboxed.add(destinationId);
  }

  function useDefinitions(version: number): void {
    if (version <= definitions.version) return;
    // The main thread committed the change before bumping the version; a fresh read snapshot sees it.
    store.root.resetReadTxn();
    const sync = { destinations: store.destinations.getRange().map(({ value }) => value), connections: store.connections.getRange().map(({ value }) => value) };
    definitions = compileShardDefinitions(store.definitions.getRange().map(({ value }) => value), version, sync, definitions);
  }

  function adjustSize(audienceId: string, delta: number, writes: PendingWrites): void {
    if (delta === 0) return;
    const current = audienceSizes.get(audienceId) ?? store.definitionSizes.get([audienceId, shardIndex]) ?? 0;
    audienceSizes.set(audienceId, current + delta);
    writes.sizesChanged.add(audienceId);
  }

  /** Adjusts the kept sizes of the audiences whose membership moved from `before` to `after`. */
  function countMemberships(spaceId: string, before: ProfileState | undefined, after: ProfileState | undefined, writes: PendingWrites): void {
    const audiences = definitions.audiencesOf(spaceId);
    if (audiences.size === 0) return;
    // Only an answer that moved can move a membership; most steps move none.
    for (const key of movedAnswers(before?.compute, after?.compute)) {
      const id = audiences.get(key);
      if (id !== undefined) adjustSize(id, membershipMove(before, after, key), writes);
    }
  }

  let pruneReleasedAt = RELEASED_PRUNE_AT;
  /**
   * Profiles whose erase transaction is queued but not committed: their LMDB state is about to
   * go, so a message arriving meanwhile (an account re-created by a group call decided after the
   * deletion) starts from nothing rather than from the state being erased.
   */
  const erasing = new Set<string>();

  function loadOwnedTimers(): TimerHeap {
    const loaded = new TimerHeap();
    for (const key of store.timers.getKeys()) {
      const [dueAt, profileId, timerKey] = key;
      if (shardOf(profileId, shardCount) === shardIndex) loaded.push({ dueAt, profileId, key: timerKey });
    }
    return loaded;
  }

  function load(profileId: string, now: EpochMs = lastNow): ProfileState | undefined {
    const cached = cache.get(profileId);
    if (cached !== undefined) return cached;
    if (erasing.has(profileId)) return undefined;
    const stored = store.profiles.get(profileId);
    if (stored === undefined) return undefined;
    const { record, answers, computeLag } = loadStoredProfile(store, stored);
    const compute = loadCompute(profileId, answers);
    // With a lag, the states LMDB holds are behind the record: the lagged events are replayed.
    const inMemory = computeLag === undefined ? compute : replayLagged(record, compute, computeLag, now);
    // Rebuilt in the canonical shape: the stored record leaves absent fields out.
    const state = profileWith(record, { compute: inMemory });
    // Kept: the step that follows (or the backfill that loaded it) reads it once, not again.
    cache.remember(profileId, state);
    if (computeLag !== undefined) behind.set(profileId, { stored: compute, lag: computeLag });
    return state;
  }

  function replayLagged(record: ProfileState, compute: ComputeStates | undefined, lag: ComputeLag, now: EpochMs): ComputeStates | undefined {
    const live = definitions.forSpace(record.spaceId);
    const set = record.collection === 'accounts' ? live.accounts : live.users;
    const events: StoredEvent[] = [];
    const range = { start: [record.id, lag.from] as unknown as EventKey, end: [record.id, Number.POSITIVE_INFINITY] as unknown as EventKey };
    for (const { value } of store.events.getRange(range)) {
      if (value.profileVersion !== undefined && value.profileVersion > lag.since) events.push(value);
    }
    events.sort((a, b) => (a.profileVersion ?? 0) - (b.profileVersion ?? 0));
    return replayLag(compute, events, set, now);
  }

  function loadCompute(profileId: string, answers: ReadonlyArray<readonly [string, TraitEntry]>): ComputeStates | undefined {
    const slots: DefinitionStateEntry[] = [];
    for (const { value } of store.compute.getRange(computeRange(profileId))) slots.push(value);
    return loadedComputeStates(slots, answers);
  }

  /** Durably merged into another profile (its graph record says so): it can never take a message again. */
  function isMergedAway(profileId: string): boolean {
    return store.graphProfiles.get(profileId)?.mergedInto !== undefined;
  }

  function pruneReleased(): void {
    if (released.size < pruneReleasedAt) return;
    for (const id of released) if (isMergedAway(id)) released.delete(id);
    // Merges that never commit (a failed delivery) stay; doubling the bar keeps pruning amortised.
    pruneReleasedAt = Math.max(RELEASED_PRUNE_AT, 2 * released.size);
  }

  function deliver(messages: readonly ActorMessage[], now: EpochMs, identityWrites: IdentityWrites = NO_IDENTITY_WRITES): Promise<ShardResult> {
    return deliverMessages(messages, now, identityWrites, NO_POPPED_ROWS);
  }

  /**
   * `poppedRows`: the definition timer rows (by `rowId`) a tick took off the heap to make these
   * messages; their durable rows go with the delivery, but there is no heap entry left to cancel.
   */
  async function deliverMessages(messages: readonly ActorMessage[], now: EpochMs, identityWrites: IdentityWrites, poppedRows: ReadonlyMap<string, PendingTimer>): Promise<ShardResult> {
    const writes = newPendingWrites();
    lastNow = Math.max(lastNow, now);
    const effects: ActorEffect[] = [];
    try {
      stepAll(messages, now, writes, effects);
      armDefinitionTimers(writes, poppedRows, now);
    } catch (error) {
      // A step that throws is a bug, never an expected outcome; whatever it was, the states
      // stepped so far must not stay ahead of LMDB (a retry would apply its events twice).
      for (const id of writes.states.keys()) {
        cache.unpin(id);
        cache.forget(id);
      }
      for (const id of writes.sizesChanged) audienceSizes.delete(id);
      throw error;
    }
    return commitDelivery(writes, effects, identityWrites);
  }

  function stepAll(messages: readonly ActorMessage[], now: EpochMs, writes: PendingWrites, effects: ActorEffect[]): void {
    for (const message of messages) {
      // A definition fired from its profile's row has no row of its own (see definition-timer-row.ts).
      if (message.type === 'timer.fired' && !expandedFires.has(message)) touchTimer(writes, [message.dueAt, message.profileId, message.key], false);
      if (released.has(message.profileId)) continue;
      const before = load(message.profileId, now);
      // A state-less message for a merged-away profile would resurrect it; only reached once the
      // loser's released entry is pruned, and then only by a stale timer.
      if (before === undefined && isMergedAway(message.profileId)) continue;
      const result = stepProfile(before, message, now, definitions.forSpace(message.spaceId));
      if (!result.changed || result.state === undefined) continue;
      if (!writes.stored.has(message.profileId)) {
        const lagging = behind.get(message.profileId);
        writes.stored.set(message.profileId, { state: before, compute: lagging === undefined ? before?.compute : lagging.stored, lagging: lagging !== undefined });
      }
      const lagged = trackLag(message, before, result.state, writes);
      if (message.type !== 'profile.track' || before?.compute?.layout !== result.state.compute?.layout || movesDefinitionTimer(result.effects)) writes.duesMoved.add(message.profileId);
      countMemberships(message.spaceId, before, result.state, writes);
      // One pin per profile per delivery: the commit's `finally` unpins each profile once.
      if (writes.states.has(message.profileId)) cache.replacePending(message.profileId, result.state);
      else cache.setPending(message.profileId, result.state);
      writes.states.set(message.profileId, result.state);
      if (message.type === 'profile.track') {
        // A lagged event is stamped with the version its step made: a replay finds it by that.
        const event = lagged ? { ...message.event, profileVersion: result.state.version } : message.event;
        writes.events.push({ spaceId: message.spaceId, event, profileId: message.profileId });
        if (before === undefined && message.account === undefined) {
          const { messageId, type, receivedAt } = message.event;
          logGraphUpdate(writes, message.spaceId, message.profileId, message.profileId, { messageId, eventType: type, at: receivedAt });
        }
      } else if (message.type === 'profile.absorb' && message.loserId !== message.profileId) {
        writes.absorbed.push(message.loserId);
        if (writes.states.delete(message.loserId)) {
          // Stepped earlier in this delivery (created and merged in one request): its pin goes too.
          cache.unpin(message.loserId);
          cache.forget(message.loserId);
        }
        // The loser's shard counted its memberships; they end with it (the winner's are recounted).
        countMemberships(message.spaceId, message.absorbed, undefined, writes);
        // The loser's definition timer row goes with it (durable as of before this delivery if it was stepped in it).
        const loserDue = earliestDue(writes.stored.has(message.loserId) ? writes.stored.get(message.loserId)?.compute : message.absorbed?.compute);
        if (loserDue !== undefined) {
          touchTimer(writes, definitionTimerRow(loserDue, message.loserId), false);
          heap.cancel({ dueAt: loserDue, profileId: message.loserId, key: DEFINITIONS_TIMER_KEY });
        }
        writes.absorbedCompute.push({ profileId: message.loserId, definitionIds: computeEntries(message.absorbed?.compute).map((e) => e.id) });
        logGraphUpdate(writes, message.spaceId, message.loserId, message.profileId, message.trigger);
      }
      let syncEffects: SyncEffect[] | undefined;
      for (const effect of result.effects) {
        if (effect.type === 'answer.changed' || effect.type === 'identifiers.added' || effect.type === 'profile.merged') {
          (syncEffects ??= []).push(effect);
          continue;
        }
        effects.push(effect);
        recordTimerEffect(effect, writes, message.profileId);
      }
      if (syncEffects !== undefined) {
        const targets = definitions.syncTargetsOf(message.spaceId);
        if (targets.definitions.size > 0 || targets.aliasTargets.length > 0) writes.outbox.push(...outboxEntriesForStep(result.state, syncEffects, targets, now));
      }
    }
  }

  /**
   * Decides whether a step's definition states are written now or lag behind: only an event
   * that changed nothing but evaluator states (same layout of definitions, same revisions, same
   * timers) may lag, up to the limit. Anything else writes the states out (the lag ends).
   */
  function trackLag(message: ActorMessage, before: ProfileState | undefined, after: ProfileState, writes: PendingWrites): boolean {
    const id = message.profileId;
    let lagged = false;
    if (after.compute !== before?.compute) {
      const lagging = behind.get(id);
      const canLag =
        message.type === 'profile.track' &&
        before !== undefined &&
        (lagging === undefined ? lagLimit > 0 : lagging.lag.count < lagLimit) &&
        isStateOnlyChange(before.compute, after.compute);
      if (canLag) {
        behind.set(id, { stored: lagging === undefined ? before.compute : lagging.stored, lag: extendLag(lagging?.lag, before.version, message.event) });
        lagged = true;
      } else {
        behind.delete(id);
      }
    }
    writes.behind.set(id, behind.get(id));
    return lagged;
  }

  async function commitDelivery(writes: PendingWrites, effects: ActorEffect[], identityWrites: IdentityWrites): Promise<ShardResult> {
    const nothingToWrite =
      writes.states.size === 0 &&
      writes.timers.size === 0 &&
      writes.sizesChanged.size === 0 &&
      writes.outbox.length === 0 &&
      identityWrites.identifiers.length === 0 &&
      identityWrites.profiles.length === 0;
    if (nothingToWrite) return { effects, nextTimerAt: heap.peek()?.dueAt ?? null, outboxed: drainOutboxed() };
    const commit = store.root.transaction(() => {
      for (const { spaceId, event, profileId } of writes.events) {
        store.events.put([profileId, event.timestamp, event.messageId], event);
        store.dedup.put([spaceId, event.messageId], event.receivedAt);
        store.dedupExpiry.put([event.receivedAt, spaceId, event.messageId], true);
      }
      for (const [profileId, state] of writes.states) writeState(profileId, state, writes.stored.get(profileId), writes.behind.get(profileId));
      for (const loserId of writes.absorbed) {
        store.profiles.remove(loserId);
        removeAnswers(loserId);
      }
      for (const { profileId, definitionIds } of writes.absorbedCompute) for (const id of definitionIds) store.compute.remove([profileId, id]);
      for (const id of writes.sizesChanged) store.definitionSizes.put([id, shardIndex], audienceSizes.get(id) ?? 0);
      for (const { key, record } of writes.graphUpdates) store.graphUpdates.put(key, record);
      for (const { key, present } of writes.timers.values()) {
        if (present) store.timers.put(key, true);
        else store.timers.remove(key);
      }
      applyIdentityWrites(identityWrites);
      writeOutbox(writes.outbox);
    });
    for (const id of writes.states.keys()) pendingCommits.set(id, commit);
    for (const { profileId, event } of writes.events) {
      const list = uncommitted.get(profileId);
      if (list === undefined) uncommitted.set(profileId, [event]);
      else list.push(event);
    }
    try {
      await commit;
      noteOutboxed(writes.outbox);
    } catch (error) {
      // The in-memory states ran ahead of what is durable: drop them so LMDB is the truth again.
      for (const id of writes.states.keys()) cache.forget(id);
      for (const id of writes.sizesChanged) audienceSizes.delete(id);
      throw error;
    } finally {
      for (const id of writes.states.keys()) {
        cache.unpin(id);
        if (pendingCommits.get(id) === commit) pendingCommits.delete(id);
      }
      for (const { profileId, event } of writes.events) {
        const list = uncommitted.get(profileId);
        const at = list?.indexOf(event) ?? -1;
        if (list !== undefined && at >= 0) list.splice(at, 1);
        if (list?.length === 0) uncommitted.delete(profileId);
      }
      cache.trim();
    }
    return { effects, nextTimerAt: heap.peek()?.dueAt ?? null, outboxed: drainOutboxed() };
  }

  /**
   * Writes a profile: its record without the definition states and answers (with the lag, if
   * the states stay behind), and of those only the entries that moved since LMDB last held them
   * (object identity: the actor returns the same entry when a definition did not move). A step
   * that moved only definition states or answers (a backfill, a timer) leaves the record as it is.
   */
  function writeState(profileId: string, state: ProfileState, stored: StoredBefore | undefined, lagging: Behind | undefined): void {
    const recordUnchanged = stored?.state !== undefined && !stored.lagging && lagging === undefined && sameRecordFields(stored.state, state);
    if (!recordUnchanged) store.profiles.put(profileId, storedRecord(state, lagging?.lag));
    const answers = answerWrites(stored?.state?.compute, state.compute);
    for (const [key, entry] of answers.puts) store.answers.put([profileId, key], entry);
    for (const key of answers.removes) store.answers.remove([profileId, key]);
    const { puts, removes } = computeWrites(stored?.compute, lagging === undefined ? state.compute : lagging.stored);
    for (const entry of puts) store.compute.put([profileId, entry.id], entry);
    for (const id of removes) store.compute.remove([profileId, id]);
  }

  function removeAnswers(profileId: string): void {
    for (const key of store.answers.getKeys({ start: [profileId], end: [`${profileId}\u0000`] })) store.answers.remove(key);
  }

  function logGraphUpdate(
    writes: PendingWrites,
    spaceId: string,
    segmentId: ProfileId,
    canonicalSegmentId: ProfileId,
    trigger: { messageId: string; eventType: EventType; at: EpochMs },
  ): void {
    writes.graphUpdates.push({
      key: [spaceId, trigger.at, trigger.messageId, segmentId],
      record: { segmentId, canonicalSegmentId, triggeringEventType: trigger.eventType, triggeringMessageId: trigger.messageId, at: trigger.at },
    });
  }

  function applyIdentityWrites(identityWrites: IdentityWrites): void {
    for (const { key, profileId } of identityWrites.identifiers) {
      if (profileId === null) store.identity.remove(key);
      // Never point an identifier at a profile this shard has handed over or deleted.
      else if (!released.has(profileId)) store.identity.put(key, profileId);
    }
    for (const record of identityWrites.profiles) {
      if (record.mergedInto !== undefined || !released.has(record.id)) store.graphProfiles.put(record.id, record);
    }
    for (const id of identityWrites.removedProfiles ?? []) store.graphProfiles.remove(id);
  }

  /**
   * Moves each stepped profile's definition timer row to its earliest armed slot, when that
   * changed in the delivery: the row LMDB holds is at the earliest due of the slots it holds
   * (due times are never written behind, so the stored slots have them).
   */
  function armDefinitionTimers(writes: PendingWrites, poppedRows: ReadonlyMap<string, PendingTimer>, now: EpochMs): void {
    // A fired row is at its profile's earliest stored due, so the loop below moves it when the
    // profile stepped. One that fired nothing (its due slot was a definition no longer live), or
    // that was not at the earliest, goes here, and the profile is re-armed at its earliest
    // future due, if any.
    for (const { dueAt, profileId } of poppedRows.values()) {
      if (writes.states.has(profileId)) {
        if (earliestDue(writes.stored.get(profileId)?.compute) !== dueAt) touchTimer(writes, definitionTimerRow(dueAt, profileId), false);
        continue;
      }
      touchTimer(writes, definitionTimerRow(dueAt, profileId), false);
      // Past ones are slots of definitions no longer live (a live one would have fired).
      const due = earliestDue(cache.get(profileId)?.compute, now);
      if (due !== undefined) {
        touchTimer(writes, definitionTimerRow(due, profileId), true);
        heap.push({ dueAt: due, profileId, key: DEFINITIONS_TIMER_KEY });
      }
    }
    for (const [profileId, state] of writes.states) {
      if (!writes.duesMoved.has(profileId)) continue;
      const stored = writes.stored.get(profileId)?.compute;
      // The definition states are the object LMDB holds (no definition moved): no due time moved either.
      if (state.compute === stored) continue;
      const before = earliestDue(stored);
      const after = state.compute === undefined ? undefined : earliestDueAfter(stored, state.compute);
      if (before === after) continue;
      if (before !== undefined) {
        touchTimer(writes, definitionTimerRow(before, profileId), false);
        if (!poppedRows.has(rowId(before, profileId))) heap.cancel({ dueAt: before, profileId, key: DEFINITIONS_TIMER_KEY });
      }
      if (after !== undefined) {
        touchTimer(writes, definitionTimerRow(after, profileId), true);
        heap.push({ dueAt: after, profileId, key: DEFINITIONS_TIMER_KEY });
      }
    }
  }

  function recordTimerEffect(effect: ActorEffect, writes: PendingWrites, steppedProfileId: string): void {
    if ((effect.type === 'timer.set' || effect.type === 'timer.cleared') && definitionOfTimerKey(effect.key) !== undefined) {
      // Definition timers are the profile's one row, moved once per delivery (armDefinitionTimers).
      // A merge retiring the loser's also removes any per-definition row older versions wrote.
      if (effect.type === 'timer.cleared' && effect.profileId !== steppedProfileId) touchTimer(writes, [effect.dueAt, effect.profileId, effect.key], false);
      return;
    }
    switch (effect.type) {
      case 'timer.set':
        touchTimer(writes, [effect.dueAt, effect.profileId, effect.key], true);
        heap.push({ dueAt: effect.dueAt, profileId: effect.profileId, key: effect.key });
        return;
      case 'timer.cleared':
        touchTimer(writes, [effect.dueAt, effect.profileId, effect.key], false);
        heap.cancel({ dueAt: effect.dueAt, profileId: effect.profileId, key: effect.key });
        return;
      case 'timer.fired':
        return;
    }
  }

  function tick(now: EpochMs): Promise<ShardResult> {
    const due = heap.popDue(now);
    const messages: ActorMessage[] = [];
    const popped = new Map<string, PendingTimer>();
    for (const timer of due) {
      const state = load(timer.profileId, now);
      if (state === undefined) continue;
      if (timer.key !== DEFINITIONS_TIMER_KEY) {
        messages.push({ type: 'timer.fired', profileId: state.id, spaceId: state.spaceId, key: timer.key, dueAt: timer.dueAt });
        continue;
      }
      // The profile's definition row: each definition whose slot is due fires on its own, in
      // the live set's order (a trait before the definitions reading it), as in-memory states
      // are slotted; a profile loaded from LMDB has its states in key order. (Found by the
      // compute-lag property test: fired in key order, a reader evaluated on the old value
      // armed an early timer that the other order did not, and the rows differed.)
      popped.set(rowId(timer.dueAt, timer.profileId), timer);
      const live = definitions.forSpace(state.spaceId);
      for (const { id, due: dueAt } of dueDefinitions(alignComputeStates(state.compute, state.collection === 'accounts' ? live.accounts : live.users), now)) {
        const fired: ActorMessage = { type: 'timer.fired', profileId: state.id, spaceId: state.spaceId, key: definitionTimerKey(id), dueAt };
        expandedFires.add(fired);
        messages.push(fired);
      }
    }
    return deliverMessages(messages, now, NO_IDENTITY_WRITES, popped);
  }

  async function release(profileIds: readonly string[]): Promise<ReleaseResult> {
    // Steps are synchronous, so every message for these profiles that reached this shard before
    // the release has been stepped; waiting for their commits makes the states final.
    await Promise.allSettled(profileIds.map((id) => pendingCommits.get(id)));
    pruneReleased();
    const states = profileIds.map((id) => {
      const state = load(id);
      released.add(id);
      cache.forget(id);
      return state;
    });
    return { states };
  }

  /**
   * Everything up to queuing the transaction is synchronous, in the order the task arrived: the
   * state read is the latest one stepped (its commits were queued earlier, and LMDB commits this
   * thread's transactions in queue order, so they land before the erase, which removes them too),
   * and a message for the profile stepped after this point starts from nothing and commits after
   * the erase. Users never get one (the identity graph forgot them before the erase was posted);
   * an account does when a group call for its groupId follows the deletion: it is re-created.
   */
  async function erase(profileId: string, identityWrites: IdentityWrites): Promise<EraseResult> {
    const state = load(profileId);
    erasing.add(profileId);
    cache.forget(profileId);
    const histories = [profileId, ...(state?.mergedFrom ?? [])];
    const writes = newPendingWrites();
    countMemberships(state?.spaceId ?? '', state, undefined, writes);
    // Its audiences exit it at their destinations, in the erase's transaction.
    const exits = state === undefined ? [] : exitEntries(state, definitions.syncTargetsOf(state.spaceId), lastNow);
    const committed = store.root.transaction(() => {
      store.profiles.remove(profileId);
      removeAnswers(profileId);
      for (const { id, due } of computeEntries(state?.compute)) {
        store.compute.remove([profileId, id]);
        // A row per definition, as older versions wrote them.
        if (due !== undefined) store.timers.remove([due, profileId, definitionTimerKey(id)]);
      }
      const armed = earliestDue(state?.compute);
      if (armed !== undefined) store.timers.remove(definitionTimerRow(armed, profileId));
      for (const id of writes.sizesChanged) store.definitionSizes.put([id, shardIndex], audienceSizes.get(id) ?? 0);
      for (const id of histories) {
        for (const key of store.events.getKeys({ start: [id], end: [id, Number.POSITIVE_INFINITY] })) store.events.remove(key);
      }
      for (const [key, dueAt] of Object.entries(state?.timers ?? {})) store.timers.remove([dueAt, profileId, key]);
      for (const loser of state?.mergedFrom ?? []) store.graphProfiles.remove(loser);
      applyIdentityWrites(identityWrites);
      writeOutbox(exits);
    });
    try {
      await committed;
      noteOutboxed(exits);
    } finally {
      erasing.delete(profileId);
    }
    return { state, outboxed: drainOutboxed() };
  }

  async function backfill(chunk: BackfillChunk): Promise<BackfillChunkResult> {
    // From here to the deliver below runs without yielding: a fresh read snapshot shows every
    // committed state and event, `uncommitted` holds the rest, and no step can slip in between.
    store.root.resetReadTxn();
    const { run } = chunk;
    const cursor = runCursors.get(run);
    // A chunk of a run that another chunk already scanned through: nothing left on this shard.
    if (cursor === RUN_DONE) return { next: undefined, scanned: 0, profiles: 0, events: 0, outboxed: drainOutboxed() };
    const { picked, cold, scanned, next, done } = scanProfiles(chunk.spaceId, cursor, chunk.limit, chunk.now);
    runCursors.delete(run);
    runCursors.set(run, done ? RUN_DONE : next!);
    // A run cancelled half-way leaves its place: only the newest runs' are kept (insertion order).
    for (const old of runCursors.keys()) {
      if (runCursors.size <= RUNS_KEPT) break;
      runCursors.delete(old);
    }
    let events = 0;
    const messages: ActorMessage[] = [];
    for (const state of picked) {
      const profileId = state.id;
      const history = chunk.replay ? readHistory(profileId, state.mergedFrom, chunk.fromTimestamp) : undefined;
      events += history?.length ?? 0;
      messages.push({ type: 'profile.backfill', profileId: state.id, spaceId: state.spaceId, definitionId: chunk.definitionId, ...(history === undefined ? {} : { events: history }) });
    }
    // Pipelined: this chunk's commit lands while the next chunks step, and LMDB folds commits
    // queued together into one durable write. A chunk answers once the chunk BACKFILL_PIPELINE
    // places before it is durable (the last once all are), so a failed commit still fails the
    // backfill, a few chunks later at most.
    const committing = deliver(messages, chunk.now);
    committing.catch(() => undefined); // observed below, by this chunk or a later one
    // Profiles the chunk loaded from LMDB leave the cache once their new states are durable.
    void committing.then(() => dropAll(cold), () => undefined);
    let queue = backfillCommits.get(run);
    if (queue === undefined) {
      queue = [];
      backfillCommits.set(run, queue);
    }
    queue.push(committing);
    try {
      while (queue.length > (done ? 0 : BACKFILL_PIPELINE)) await queue.shift();
    } finally {
      if (done || queue.length === 0) backfillCommits.delete(run);
    }
    return { next: done ? undefined : next, scanned, profiles: messages.length, events, outboxed: drainOutboxed() };
  }

  /**
   * One chunk of a first connection's sweep: the next profiles of this shard and space, each
   * queued with its current answer. It runs between deliveries on the latest stepped states, and
   * its transaction queues behind their commits, so per profile it lands in order with the live
   * path's messages (which the new connection already reaches).
   */
  async function syncSweep(chunk: SyncSweepChunk): Promise<SyncSweepResult> {
    store.root.resetReadTxn();
    const synced = definitions.syncTargetsOf(chunk.spaceId).definitions.get(chunk.definitionId);
    const target = synced?.targets.find((t) => t.destinationId === chunk.destinationId && t.connectionId === chunk.connectionId);
    // Disconnected (or re-connected) since: this sweep has nothing more to send.
    if (synced === undefined || target === undefined) return { next: undefined, scanned: 0, profiles: 0, outboxed: drainOutboxed() };
    const { picked, cold, scanned, next, done } = scanProfiles(chunk.spaceId, chunk.after, chunk.limit, chunk.now);
    const drafts = picked.flatMap((state) => connectionEntries(state, synced, target, chunk.now));
    if (drafts.length > 0) {
      await store.root.transaction(() => writeOutbox(drafts));
      noteOutboxed(drafts);
    }
    dropAll(cold);
    cache.trim();
    return { next: done ? undefined : next, scanned, profiles: picked.length, outboxed: drainOutboxed() };
  }

  /** The evaluators of the latest previews, by preview id (a preview's chunks compile it once). */
  const previewEvaluators = new Map<string, DefinitionEvaluator>();

  /**
   * One chunk of an audience preview: the next profiles of this shard and space, each answered
   * from its history (stored, and stepped but not yet committed) as creating the audience would,
   * at the instant asked. Synchronous from the read snapshot to the answer, so it sees one
   * consistent moment; it steps nothing and writes nothing, and profiles it had to load from
   * LMDB leave the cache again.
   */
  function preview(chunk: PreviewChunk): PreviewChunkResult {
    store.root.resetReadTxn();
    let evaluator = previewEvaluators.get(chunk.preview);
    if (evaluator === undefined) {
      evaluator = compileDefinition(chunk.ast);
      previewEvaluators.set(chunk.preview, evaluator);
      for (const old of previewEvaluators.keys()) {
        if (previewEvaluators.size <= PREVIEWS_KEPT) break;
        previewEvaluators.delete(old);
      }
    }
    const { picked, cold, scanned, next, done } = scanProfiles(chunk.spaceId, chunk.after, chunk.limit, chunk.now);
    const live = definitions.forSpace(chunk.spaceId);
    const set = chunk.collection === 'accounts' ? live.accounts : live.users;
    let profiles = 0;
    let events = 0;
    let members = 0;
    const sample: PreviewMember[] = [];
    let previous: string | undefined;
    let resumeAfter: string | undefined;
    for (const state of picked) {
      if (events >= chunk.eventBudget && previous !== undefined) {
        resumeAfter = previous;
        break;
      }
      previous = state.id;
      if (collectionOfProfile(state) !== chunk.collection) continue;
      profiles += 1;
      const history = chunk.replay ? readHistory(state.id, state.mergedFrom, chunk.fromTimestamp) : undefined;
      events += history?.length ?? 0;
      const member = previewMembership({ evaluator, includeAnonymousUsers: chunk.includeAnonymousUsers, history, state, definitions: set, now: chunk.now, at: chunk.at });
      if (!member) continue;
      members += 1;
      if (sample.length < chunk.sampleSize) sample.push({ id: state.id, identifiers: state.identifiers.map(({ type, value }) => ({ type, value })) });
    }
    dropAll(cold);
    // Out of budget: the next chunk goes on after the last profile this one answered.
    if (resumeAfter !== undefined) return { next: resumeAfter, scanned, profiles, events, members, sample };
    return { next: done ? undefined : next, scanned, profiles, events, members, sample };
  }

  /**
   * The next `limit` profiles of this shard and space after `after`, in key order, for a chunk of
   * a backfill or a first sync. Other shards' and spaces' profiles are skipped but counted (keys
   * first: they are never decoded), so progress can be told against the whole table; a chunk
   * also ends after `16 × limit` keys, so one that finds few of its own stays short.
   */
  function scanProfiles(
    spaceId: string,
    after: string | undefined,
    limit: number,
    now: EpochMs,
  ): { picked: ProfileState[]; cold: string[]; scanned: number; next: string | undefined; done: boolean } {
    const picked: ProfileState[] = [];
    /** Loaded from LMDB for this sweep, not in the cache before it. */
    const cold: string[] = [];
    let scanned = 0;
    let next: string | undefined;
    for (const key of store.profiles.getKeys(after === undefined ? {} : { start: after })) {
      if (key === after) continue;
      scanned += 1;
      next = key;
      const owned = shardOf(key, shardCount) === shardIndex && !released.has(key);
      if (owned && !cache.has(key)) cold.push(key);
      const state = owned ? load(key, now) : undefined;
      if (state?.spaceId === spaceId) picked.push(state);
      if (picked.length >= limit || scanned >= limit * 16) break;
    }
    return { picked, cold, scanned, next, done: scanned < limit * 16 && picked.length < limit };
  }

  function dropAll(profileIds: readonly string[]): void {
    for (const id of profileIds) cache.dropIfIdle(id);
  }

  function readHistory(profileId: string, mergedFrom: readonly string[], from: EpochMs | undefined): TrackedEvent[] {
    const history: TrackedEvent[] = [];
    // Stepped but not committed yet; a commit that lands meanwhile shows them twice, once each way.
    const pending = uncommitted.get(profileId);
    // Most profiles of a backfill have nothing in flight: no set to build for them.
    const seen = pending === undefined ? undefined : new Set(pending.map((event) => event.messageId));
    for (const event of pending ?? []) if (from === undefined || event.timestamp >= from) history.push(event);
    readEventsOf(profileId, from, seen, history);
    for (const id of mergedFrom) readEventsOf(id, from, seen, history);
    return history;
  }

  function readEventsOf(profileId: string, from: EpochMs | undefined, seen: ReadonlySet<string> | undefined, into: TrackedEvent[]): void {
    const range = { start: (from === undefined ? [profileId] : [profileId, from]) as unknown as EventKey, end: [profileId, Number.POSITIVE_INFINITY] as unknown as EventKey };
    for (const { value } of store.events.getRange(range)) if (seen === undefined || !seen.has(value.messageId)) into.push(value);
  }

  return {
    deliver,
    tick,
    release,
    erase,
    backfill,
    syncSweep,
    preview,
    useDefinitions,
    sizes: () => ({ released: released.size, erasing: erasing.size, pendingCommits: pendingCommits.size, cached: cache.size }),
  };
}

function newPendingWrites(): PendingWrites {
  return {
    events: [],
    states: new Map(),
    stored: new Map(),
    behind: new Map(),
    absorbedCompute: [],
    sizesChanged: new Set(),
    absorbed: [],
    graphUpdates: [],
    timers: new Map(),
    outbox: [],
    duesMoved: new Set(),
  };
}

const NO_POPPED_ROWS: ReadonlyMap<string, PendingTimer> = new Map();

function rowId(dueAt: EpochMs, profileId: string): string {
  return `${dueAt}\u0000${profileId}`;
}

/** Whether a step armed or cleared one of its profile's definition timers. */
function movesDefinitionTimer(effects: readonly ActorEffect[]): boolean {
  for (const effect of effects) if ((effect.type === 'timer.set' || effect.type === 'timer.cleared') && definitionOfTimerKey(effect.key) !== undefined) return true;
  return false;
}

function touchTimer(writes: PendingWrites, key: TimerKey, present: boolean): void {
  writes.timers.set(`${key[0]}\u0000${key[1]}\u0000${key[2]}`, { key, present });
}

/** Every definition state of one profile: keys `[profileId, …]` sort before `[profileId + NUL]`. */
function computeRange(profileId: string): { start: [string]; end: [string] } {
  return { start: [profileId], end: [`${profileId}\u0000`] };
}

/**
 * True when two states of a profile store the same record, the version aside (answers and
 * definition states are rows of their own). Fields are immutable: identity suffices.
 */
function sameRecordFields(a: ProfileState, b: ProfileState): boolean {
  return (
    a.traits === b.traits &&
    a.identifiers === b.identifiers &&
    a.eventCounts === b.eventCounts &&
    a.timers === b.timers &&
    a.mergedFrom === b.mergedFrom &&
    a.links === b.links &&
    a.first === b.first &&
    a.last === b.last &&
    a.firstSeenAt === b.firstSeenAt &&
    a.lastSeenAt === b.lastSeenAt &&
    a.spaceId === b.spaceId &&
    a.collection === b.collection
  );
}
