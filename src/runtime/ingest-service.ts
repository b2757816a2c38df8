import type { Logger } from 'pino';
import type { SourceConfig } from '../config/config.ts';
import { extractIdentifiers } from '../identity/extract-identifiers.ts';
import { collectionOf } from '../identity/identifier.ts';
import type { Violation } from '../identity/resolution.ts';
import { resolveIdentity } from '../identity/resolve-identity.ts';
import { typeLimitViolation } from '../identity/violations.ts';
import type { ParsedItem } from '../ingest/parse-request.ts';
import type { TrackedEvent } from '../ingest/tracked-event.ts';
import { AppError, type ErrorCode, type ErrorData } from '../shared/errors.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { EpochMs, ProfileId } from '../shared/ids.ts';
import type { EngineStore } from '../store/engine-store.ts';
import type { ProfileState } from '../actors/profile-state.ts';
import { accountProfileId } from './account-id.ts';
import { groupByShard, type PlannedStep, type ShardDelivery } from './delivery-plan.ts';
import type { DispatchSequencer } from './dispatch-sequencer.ts';
import type { IdentityGraphStore } from './identity-graph-store.ts';
import type { EngineMetrics } from './metrics.ts';
import type { ShardPool } from './shard-pool.ts';
import type { SpaceRuntime } from './space-registry.ts';
import type { TimerDriver } from './timer-driver.ts';

export interface IngestRequest {
  readonly space: SpaceRuntime;
  readonly source: SourceConfig;
  readonly items: readonly ParsedItem[];
  /** When the request arrived: every event's `receivedAt` (timestamps were corrected against it). */
  readonly receivedAt: EpochMs;
}

export interface RejectedItem {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface IngestOutcome {
  /** Events committed by this request. */
  readonly accepted: number;
  /** Events acknowledged without effect: their messageId was accepted before. */
  readonly duplicates: number;
  readonly rejected: readonly RejectedItem[];
}

export interface IngestServiceDeps {
  readonly store: EngineStore;
  readonly pool: ShardPool;
  readonly graph: IdentityGraphStore;
  readonly metrics: EngineMetrics;
  readonly timers: TimerDriver;
  readonly log: Logger;
  readonly maxQueuedEventsPerShard: number;
  /** Orders every request's (and deletion's) posting to the shards by decision time. */
  readonly sequencer: DispatchSequencer;
  readonly newMessageId: () => string;
  readonly newProfileId: () => ProfileId;
  /** Custom identifier types an event auto-added to a space; the request waits for the promise. */
  readonly onNewIdentifierTypes: (space: SpaceRuntime, types: readonly string[]) => Promise<void>;
  /** Identity insights (violations), for the insights store; the request waits for the promise. */
  readonly onViolations: (space: SpaceRuntime, event: TrackedEvent, violations: readonly Violation[]) => Promise<void>;
}

export interface IngestService {
  ingest(request: IngestRequest): Promise<IngestOutcome>;
}

/**
 * The main thread's part of the path of an event: dedup, identity resolution (the identity graph's
 * single writer), routing to the owning shards, and waiting for their commits. Resolution of a
 * whole request runs synchronously, so concurrent requests see each other's decisions in order.
 */
export function createIngestService(deps: IngestServiceDeps): IngestService {
  const { store, pool, graph } = deps;
  /** messageIds being committed right now, so a concurrent retry waits instead of double counting. */
  const inFlight = new Map<string, Promise<unknown>>();

  async function ingest(request: IngestRequest): Promise<IngestOutcome> {
    const depths = pool.depths();
    if (depths.some((depth) => depth >= deps.maxQueuedEventsPerShard)) {
      deps.metrics.requestsOverloaded.inc();
      throw new AppError('overloaded', 'The engine is behind; retry after the Retry-After delay.');
    }
    const { space, source } = request;
    const { receivedAt } = request;
    const rejected: RejectedItem[] = [];
    const steps: PlannedStep[] = [];
    const awaitedDuplicates: Array<Promise<unknown>> = [];
    /** Insights and learned identifier types: stored before the response, never failing it. */
    const sideWrites: Array<Promise<void>> = [];
    const claimed: string[] = [];
    const seenHere = new Set<string>();
    let duplicates = 0;
    let accepted = 0;

    const reject = (index: number, code: ErrorCode, message: string): void => {
      rejected.push({ index, code, message });
      deps.metrics.eventsRejected.inc({ space: space.id, code });
    };

    for (const item of request.items) {
      if (!item.ok) {
        reject(item.index, item.error.code, item.error.message);
        continue;
      }
      const event: TrackedEvent = { ...item.event, messageId: item.event.messageId ?? deps.newMessageId(), sourceId: source.sourceId, receivedAt };
      if (event.userId !== undefined && space.suppressedUserIds.has(event.userId)) {
        reject(item.index, 'suppressed', `userId ${JSON.stringify(event.userId)} is suppressed in space ${space.id}; its events are not accepted.`);
        continue;
      }
      const dedupKey = `${space.id}\u0000${event.messageId}`;
      const pending = inFlight.get(dedupKey);
      if (seenHere.has(dedupKey) || pending !== undefined || store.dedup.get([space.id, event.messageId]) !== undefined) {
        if (pending !== undefined) awaitedDuplicates.push(pending);
        duplicates++;
        continue;
      }
      const planned = planEvent(space, source, event, receivedAt, sideWrites);
      if (!planned.ok) {
        reject(item.index, planned.error.code, planned.error.message);
        continue;
      }
      steps.push(...planned.value);
      seenHere.add(dedupKey);
      claimed.push(dedupKey);
      accepted++;
    }

    // A retry that races its original is answered only once the original committed; if the
    // original failed, so does the retry (the client retries again and the events get in).
    if (steps.length === 0) {
      await Promise.all([...awaitedDuplicates, ...sideWrites]);
      countOutcome(space, accepted, duplicates);
      return { accepted, duplicates, rejected };
    }

    // The turn is taken now, while this request's decisions are the newest (see the sequencer).
    const work = deliver(steps, receivedAt, deps.sequencer.take());
    for (const key of claimed) inFlight.set(key, work);
    const stopTimer = deps.metrics.batchLatency.startTimer();
    try {
      await work;
      await Promise.all([...awaitedDuplicates, ...sideWrites]);
    } finally {
      stopTimer();
      for (const key of claimed) if (inFlight.get(key) === work) inFlight.delete(key);
    }
    countOutcome(space, accepted, duplicates);
    return { accepted, duplicates, rejected };
  }

  /**
   * Resolves one new event's profile (staging any identity change) and returns its steps: merges
   * first, then the event, then, for a group call, the event again for the account it links to.
   */
  function planEvent(
    space: SpaceRuntime,
    source: SourceConfig,
    event: TrackedEvent,
    receivedAt: EpochMs,
    sideWrites: Array<Promise<void>>,
  ): Result<PlannedStep[], ErrorData> {
    const extraction = extractIdentifiers(event, space.identity);
    if (extraction.error !== undefined) return err(extraction.error);
    if (extraction.newTypes.length > 0) {
      space.identity = extraction.settings;
      sideWrites.push(deps.onNewIdentifierTypes(space, extraction.newTypes));
    }
    // group_id names an account, not a user: it links the user to the account and must never
    // match or merge users (every member of a company would fold into one blob).
    const userIdentifiers = extraction.identifiers.filter((id) => collectionOf(id.type) === 'users');
    const resolution = resolveIdentity(
      { identifiers: userIdentifiers, blocked: extraction.blocked, at: receivedAt, messageId: event.messageId, sourceId: source.sourceId, eventType: event.type },
      graph.view(space.id),
      space.identity,
      deps.newProfileId,
    );
    const violations = [...extraction.overTypeLimit.map((id) => typeLimitViolation(id, space.identity.maxCustomTypes)), ...resolution.violations];
    if (violations.length > 0) sideWrites.push(deps.onViolations(space, event, violations));
    if (resolution.kind === 'unresolved') {
      return err({ code: 'no_matching_identifiers', message: 'The event carries no usable identifier: every id is missing or a blocked value.' });
    }
    const writes = graph.stage(space.id, resolution);
    if (resolution.merges.length > 0) deps.metrics.identityMerges.inc({ space: space.id }, resolution.merges.length);
    const trigger = { messageId: event.messageId, eventType: event.type, at: receivedAt };
    const steps: PlannedStep[] = resolution.merges.map((merge) => ({ kind: 'merge', spaceId: space.id, loser: merge.loser, winner: merge.winner, trigger }));
    steps.push({
      kind: 'event',
      profileId: resolution.profileId,
      message: { type: 'profile.track', profileId: resolution.profileId, spaceId: space.id, event, newIdentifiers: resolution.addIdentifiers },
      writes,
    });
    const linkedUser = userIdentifiers[0];
    if (event.type === 'group' && event.groupId !== undefined && linkedUser !== undefined) {
      const accountId = accountProfileId(space.id, event.groupId);
      steps.push({
        kind: 'event',
        profileId: accountId,
        message: {
          type: 'profile.track',
          profileId: accountId,
          spaceId: space.id,
          event,
          newIdentifiers: [{ type: 'group_id', value: event.groupId, addedAt: receivedAt, firstMessageId: event.messageId, sourceId: source.sourceId }],
          account: { linkedUser: `${linkedUser.type}:${linkedUser.value}` },
        },
        writes: graph.stageAccount(space.id, event.groupId, accountId),
      });
    }
    return ok(steps);
  }

  function countOutcome(space: SpaceRuntime, accepted: number, duplicates: number): void {
    if (accepted > 0) deps.metrics.eventsAccepted.inc({ space: space.id }, accepted);
    if (duplicates > 0) deps.metrics.eventsDuplicate.inc({ space: space.id }, duplicates);
  }

  /**
   * Merges first hand each loser over from its shard (waiting for its pending commits), then every
   * shard gets one delivery with the request's messages in item order. Identity changes ride along
   * and are settled once their shard has committed them.
   */
  async function deliver(steps: readonly PlannedStep[], now: EpochMs, turn: Promise<{ done: () => void }>): Promise<void> {
    const { done } = await turn;
    let posted: Array<Promise<void>>;
    try {
      const released = await releaseLosers(steps);
      // Each delivery is handed to its shard synchronously here, before the turn ends.
      posted = [...groupByShard(steps, pool.shardOf, released)].map(([shard, delivery]) => post(shard, delivery, now));
    } catch (error) {
      for (const step of steps) if (step.kind === 'event') graph.discard(step.writes);
      throw error;
    } finally {
      done();
    }
    const results = await Promise.allSettled(posted);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      deps.log.error({ err: failure.reason }, 'a shard failed to commit a delivery');
      throw new AppError('internal_error', 'Some events could not be committed; retry the request (accepted ones are deduplicated).', { cause: failure.reason });
    }
  }

  async function post(shard: number, { messages, identityWrites }: ShardDelivery, now: EpochMs): Promise<void> {
    try {
      const result = await pool.deliver(shard, { now, messages, identityWrites });
      graph.settle(identityWrites);
      deps.timers.noteNextTimer(shard, result.nextTimerAt);
    } catch (error) {
      graph.discard(identityWrites);
      throw error;
    }
  }

  async function releaseLosers(steps: readonly PlannedStep[]): Promise<Map<ProfileId, ProfileState | undefined>> {
    const byShard = new Map<number, ProfileId[]>();
    for (const step of steps) {
      if (step.kind !== 'merge') continue;
      const shard = pool.shardOf(step.loser);
      byShard.set(shard, [...(byShard.get(shard) ?? []), step.loser]);
    }
    const released = new Map<ProfileId, ProfileState | undefined>();
    await Promise.all(
      [...byShard].map(async ([shard, losers]) => {
        const { states } = await pool.release(shard, losers);
        losers.forEach((loser, i) => released.set(loser, states[i]));
      }),
    );
    return released;
  }

  return { ingest };
}
