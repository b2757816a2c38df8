import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../../shared/clock.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { EngineStore } from '../../store/engine-store.ts';
import type { OutboxEntry, OutboxKey, SyncKey } from '../../store/sync-records.ts';
import type { DefinitionRegistry } from '../definition-registry.ts';
import type { DestinationRegistry } from '../destination-registry.ts';
import type { SpaceRegistry } from '../space-registry.ts';
import { DestinationLane, type Deliverability, type DeliveryReport } from './destination-lane.ts';
import type { SyncLog } from './sync-log.ts';
import type { WriteBatcher } from './write-batcher.ts';
import { createUndiciTransport, type WebhookTransport } from './webhook-transport.ts';

/** Requests in flight per destination: a slow one ties up its own lane, never the others. */
const MAX_IN_FLIGHT = 8;
/** Outbox entries per destination held in memory; the rest waits in LMDB. */
const WINDOW_SIZE = 1_000;
/** Node cannot arm a setTimeout beyond 2^31-1 ms; retries are re-armed at most hourly anyway. */
const MAX_ARM_MS = 3_600_000;

/** How a destination is doing: its backlog now, and what happened to its messages since the engine started. */
export interface DestinationStatus {
  /** Messages in the outbox for it (untried or waiting to retry). */
  readonly backlog: number;
  readonly delivered: number;
  /** Messages delivered in the last minute of wall time (the console's delivery rate). */
  readonly deliveredLastMinute: number;
  /** Attempts that failed (each retry counts), and messages that failed for good. */
  readonly failedAttempts: number;
  readonly failedMessages: number;
  /** Messages not sent because their definition, connection or destination went away. */
  readonly dropped: number;
  readonly lastDeliveredAt: number | null;
  readonly lastFailure: { readonly at: number; readonly error: string } | null;
}

export interface SyncService {
  /** The shards committed outbox entries for these destinations. */
  wake(destinationIds: Iterable<string>): void;
  /** The destination's backlog and its tallies since the engine started. */
  status(destinationId: string): DestinationStatus;
  /** Starts every delivery due by the clock's time (the manual clock calls it after moving). */
  runDue(): void;
  /** Resolves once no lane has a request in flight or a message ready to send now. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface SyncServiceDeps {
  readonly store: EngineStore;
  readonly clock: Clock;
  readonly destinations: DestinationRegistry;
  readonly definitions: DefinitionRegistry;
  readonly spaces: SpaceRegistry;
  readonly syncLog: SyncLog;
  readonly registry: Registry;
  readonly log: Logger;
  readonly shardCount: number;
  readonly transport?: WebhookTransport;
  /** The sync actor's batched LMDB writes (shared with its sync log). */
  readonly writes: WriteBatcher;
  readonly random?: () => number;
}

/**
 * The sync actor: it reads the outbox the shards commit and delivers each message to its
 * destination, one lane per destination (bounded concurrency and memory, per-profile order,
 * retries with backoff on the engine's clock), and records syncs, the audit trail and metrics.
 * It runs on the main thread: delivery is network waiting, not CPU, and it needs the registries.
 */
export function createSyncService(deps: SyncServiceDeps): SyncService {
  const { store, clock, destinations, definitions, spaces, syncLog, log } = deps;
  const transport = deps.transport ?? createUndiciTransport(MAX_IN_FLIGHT);
  const random = deps.random ?? Math.random;
  const lanes = new Map<string, DestinationLane>();
  let closed = false;
  let armed: NodeJS.Timeout | undefined;
  let armedFor = Number.POSITIVE_INFINITY;

  const delivered = new Counter({ name: 'troupe_sync_messages_delivered_total', help: 'Messages delivered, per destination.', labelNames: ['destination'], registers: [deps.registry] });
  const attempts = new Counter({ name: 'troupe_sync_attempts_total', help: 'Delivery attempts, per destination.', labelNames: ['destination'], registers: [deps.registry] });
  const failures = new Counter({
    name: 'troupe_sync_failures_total',
    help: 'Failed delivery attempts, per destination; hard="true" when the message was given up.',
    labelNames: ['destination', 'hard'],
    registers: [deps.registry],
  });
  const dropped = new Counter({ name: 'troupe_sync_messages_dropped_total', help: 'Messages not sent because their definition, connection or destination was deleted.', labelNames: ['destination'], registers: [deps.registry] });
  const latency = new Histogram({
    name: 'troupe_sync_delivery_latency_seconds',
    help: 'Time from a change being committed to its message being delivered, per destination.',
    labelNames: ['destination'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600],
    registers: [deps.registry],
  });
  new Gauge({
    name: 'troupe_sync_backlog',
    help: 'Messages in the outbox waiting for their destination (untried or retrying).',
    labelNames: ['destination'],
    registers: [deps.registry],
    collect() {
      for (const destination of lanes.keys()) {
        this.set({ destination }, store.outbox.getKeysCount({ start: [destination], end: [`${destination}\u0000`] }));
      }
    },
  });

  /** Each destination's labelled children, looked up once (prom-client hashes labels on every call otherwise). */
  const children = new Map<string, { delivered: Counter.Internal; attempts: Counter.Internal; transient: Counter.Internal; hard: Counter.Internal; dropped: Counter.Internal; latency: Histogram.Internal<'destination'> }>();
  /** Per destination, what `status` reports (the metrics above hold the same counts, for scraping). */
  const tallies = new Map<string, { delivered: number; failedAttempts: number; failedMessages: number; dropped: number; lastDeliveredAt: number | null; lastFailure: { at: number; error: string } | null }>();
  function tallyOf(destination: string) {
    let tally = tallies.get(destination);
    if (tally === undefined) {
      tally = { delivered: 0, failedAttempts: 0, failedMessages: 0, dropped: 0, lastDeliveredAt: null, lastFailure: null };
      tallies.set(destination, tally);
    }
    return tally;
  }
  /** Per destination, deliveries per wall-clock second over the last minute (a rate, whatever the engine's clock). */
  const recent = new Map<string, Map<number, number>>();
  function countDelivery(destination: string): void {
    const second = Math.floor(Date.now() / 1000);
    let seconds = recent.get(destination);
    if (seconds === undefined) recent.set(destination, (seconds = new Map()));
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
    for (const old of seconds.keys()) {
      if (old > second - 60) break;
      seconds.delete(old);
    }
  }
  function deliveredLastMinute(destination: string): number {
    const since = Math.floor(Date.now() / 1000) - 60;
    let total = 0;
    for (const [second, count] of recent.get(destination) ?? []) if (second > since) total += count;
    return total;
  }

  function metricsOf(destination: string) {
    let found = children.get(destination);
    if (found === undefined) {
      found = {
        delivered: delivered.labels(destination),
        attempts: attempts.labels(destination),
        transient: failures.labels(destination, 'false'),
        hard: failures.labels(destination, 'true'),
        dropped: dropped.labels(destination),
        latency: latency.labels(destination),
      };
      children.set(destination, found);
    }
    return found;
  }

  function deliverability(entry: OutboxEntry): Deliverability {
    const destination = destinations.byId(entry.destinationId);
    if (destination === undefined || destination.deletedAt !== undefined) return 'drop';
    if (!destination.enabled) return 'hold';
    if (entry.definitionId === undefined) return destination.settings.sendAliasOnMerge ? 'send' : 'drop';
    const definition = definitions.byId(entry.definitionId);
    if (definition === undefined || definition.deletedAt !== undefined) return 'drop';
    const connection = destinations.connection(entry.definitionId, entry.destinationId);
    return connection !== undefined && connection.connectionId === entry.connectionId ? 'send' : 'drop';
  }

  function report(event: DeliveryReport, syncKey: SyncKey | undefined): SyncKey | undefined {
    const { entry } = event;
    const destination = entry.destinationId;
    const definition = entry.definitionId === undefined ? undefined : definitions.byId(entry.definitionId);
    const now = clock.now();
    const metrics = metricsOf(destination);
    switch (event.kind) {
      case 'dropped':
        metrics.dropped.inc();
        tallyOf(destination).dropped += 1;
        return syncKey;
      case 'delivered': {
        metrics.attempts.inc();
        metrics.delivered.inc();
        const tally = tallyOf(destination);
        tally.delivered += 1;
        tally.lastDeliveredAt = now;
        countDelivery(destination);
        // Commit to delivery, on the engine's clock when it is the system's (a manual clock's
        // instants say nothing about how long delivery took).
        metrics.latency.observe(clock.kind === 'system' ? Math.max(0, (now - entry.createdAt) / 1000) : event.latencyMs / 1000);
        if (definition === undefined) return syncKey;
        return syncLog.recordSync(definition.id, { at: now, destinationId: destination, messageId: entry.messageId, status: 'delivered', attempts: event.delivery.attempts, lastError: null }, syncKey);
      }
      case 'failed-attempt': {
        metrics.attempts.inc();
        const hard = event.delivery.status === 'failed';
        (hard ? metrics.hard : metrics.transient).inc();
        const tally = tallyOf(destination);
        tally.failedAttempts += 1;
        if (hard) tally.failedMessages += 1;
        tally.lastFailure = { at: now, error: event.verdict.error };
        const notifyTransient = spaces.byId(entry.spaceId)?.config.notifyTransientFailures ?? true;
        if (hard || notifyTransient) {
          syncLog.recordFailure(entry.spaceId, {
            at: now,
            destinationId: destination,
            ...(definition === undefined ? {} : definition.kind === 'audience' ? { audienceId: definition.id } : { computedTraitId: definition.id }),
            key: definition?.key ?? null,
            messageId: entry.messageId,
            attempt: event.delivery.attempts,
            status: event.verdict.status,
            error: event.verdict.error,
            hard,
          });
        }
        if (hard) log.warn({ destinationId: destination, messageId: entry.messageId, attempts: event.delivery.attempts, error: event.verdict.error }, 'delivery failed for good');
        if (definition === undefined) return syncKey;
        return syncLog.recordSync(
          definition.id,
          { at: now, destinationId: destination, messageId: entry.messageId, status: hard ? 'failed' : 'retrying', attempts: event.delivery.attempts, lastError: event.verdict.error },
          syncKey,
        );
      }
    }
  }

  function laneOf(destinationId: string): DestinationLane {
    let lane = lanes.get(destinationId);
    if (lane === undefined) {
      lane = new DestinationLane({
        store,
        destinationId,
        shardCount: deps.shardCount,
        destination: () => destinations.byId(destinationId),
        deliverability,
        transport,
        now: () => clock.now(),
        random,
        report,
        disable: (reason) => {
          log.warn({ destinationId, reason }, 'destination disabled: it answered 410 Gone');
          destinations.disable(destinationId, `The destination answered 410 Gone (${reason}); enable it again once it accepts messages.`).catch((error: unknown) => log.error({ err: error, destinationId }, 'could not disable a destination'));
        },
        retryDueAt: armRetry,
        maxInFlight: MAX_IN_FLIGHT,
        windowSize: WINDOW_SIZE,
        write: (operation) => deps.writes.write(operation),
      });
      lanes.set(destinationId, lane);
    }
    return lane;
  }

  /** On the system clock, one timer for the earliest retry of all lanes; the manual clock calls `runDue`. */
  function armRetry(at: EpochMs): void {
    if (closed || clock.kind === 'manual' || at >= armedFor) return;
    if (armed !== undefined) clearTimeout(armed);
    armedFor = at;
    armed = setTimeout(() => {
      armed = undefined;
      armedFor = Number.POSITIVE_INFINITY;
      runDue();
    }, Math.min(Math.max(0, at - clock.now()), MAX_ARM_MS));
    armed.unref();
  }

  function runDue(): void {
    if (closed) return;
    for (const lane of lanes.values()) lane.pump();
  }

  // Messages left by an earlier run (pending, retrying, or in flight at a crash) resume now.
  for (const destinationId of destinationsInOutbox(store)) laneOf(destinationId).wake();
  // A destination enabled again (or re-configured) resumes what it holds.
  destinations.onChange((destinationId) => {
    if (!closed) laneOf(destinationId).wake();
  });

  return {
    status(destinationId) {
      const backlog = store.outbox.getKeysCount({ start: [destinationId], end: [`${destinationId}\u0000`] });
      const tally = tallies.get(destinationId) ?? { delivered: 0, failedAttempts: 0, failedMessages: 0, dropped: 0, lastDeliveredAt: null, lastFailure: null };
      return { backlog, ...tally, deliveredLastMinute: deliveredLastMinute(destinationId) };
    },
    wake(destinationIds) {
      if (closed) return;
      for (const id of destinationIds) laneOf(id).wake();
    },
    runDue,
    async idle() {
      await Promise.all([...lanes.values()].map((lane) => lane.whenSettled()));
      await deps.writes.flush();
    },
    async close() {
      closed = true;
      if (armed !== undefined) clearTimeout(armed);
      await Promise.all([...lanes.values()].map((lane) => lane.close()));
      await transport.close();
      await deps.writes.flush();
    },
  };
}

/** The destinations that have outbox entries: one short range read per destination (key jumps). */
function destinationsInOutbox(store: EngineStore): string[] {
  const found: string[] = [];
  let start: [string] | undefined;
  for (;;) {
    let first: OutboxKey | undefined;
    for (const key of store.outbox.getKeys({ ...(start === undefined ? {} : { start }), limit: 1 })) first = key;
    if (first === undefined) return found;
    found.push(first[0]);
    start = [`${first[0]}\u0000`];
  }
}
