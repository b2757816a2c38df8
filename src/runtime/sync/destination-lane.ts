import type { EpochMs } from '../../shared/ids.ts';
import type { EngineStore } from '../../store/engine-store.ts';
import type { OutboxEntry, OutboxKey, SyncKey } from '../../store/sync-records.ts';
import { initialDelivery, stepDelivery, type DeliverySnapshot } from '../../sync/delivery.machine.ts';
import { judgeAttempt, nextAttemptAt, type AttemptVerdict } from '../../sync/retry-policy.ts';
import type { DestinationRecord } from '../../sync/destination-record.ts';
import { signatureHeaders } from '../../sync/webhook-signature.ts';
import type { WebhookTransport } from './webhook-transport.ts';

/** Whether an entry still has somewhere to go: sent, dropped (its connection or definition is gone), or held (its destination is disabled). */
export type Deliverability = 'send' | 'drop' | 'hold';

/** What happened to one message, for the syncs, the audit trail and the metrics. */
export type DeliveryReport =
  | { readonly kind: 'delivered'; readonly entry: OutboxEntry; readonly delivery: DeliverySnapshot; readonly latencyMs: number }
  | { readonly kind: 'failed-attempt'; readonly entry: OutboxEntry; readonly delivery: DeliverySnapshot; readonly verdict: Exclude<AttemptVerdict, { kind: 'delivered' }> }
  | { readonly kind: 'dropped'; readonly entry: OutboxEntry };

export interface LaneDeps {
  readonly store: EngineStore;
  readonly destinationId: string;
  /** Shard indexes whose sub-queues the lane reads (more are discovered in LMDB). */
  readonly shardCount: number;
  destination(): DestinationRecord | undefined;
  deliverability(entry: OutboxEntry): Deliverability;
  readonly transport: WebhookTransport;
  now(): EpochMs;
  random(): number;
  /** Called for every attempt's outcome, with the message's sync key once it has one. */
  report(report: DeliveryReport, syncKey: SyncKey | undefined): SyncKey | undefined;
  /** A 410: the destination stops until someone enables it again. */
  disable(reason: string): void;
  /** The lane has a retry due at `at` (the service arms one wake-up for all lanes). */
  retryDueAt(at: EpochMs): void;
  readonly maxInFlight: number;
  readonly windowSize: number;
  /** Queues an LMDB write (committed in batches: `write-batcher.ts`). */
  write(operation: () => unknown): void;
}

interface LaneEntry {
  readonly key: OutboxKey;
  readonly id: string;
  entry: OutboxEntry;
  delivery: DeliverySnapshot;
  syncKey: SyncKey | undefined;
  sentAt: number;
}

/**
 * One destination's delivery: a bounded window of its outbox entries in memory (the rest waits
 * in LMDB), at most `maxInFlight` requests at a time, and per-profile order: a profile's next
 * message waits until the one before it is delivered or failed for good, retries included.
 * Each message's lifecycle is the delivery machine (`sync/delivery.machine.ts`); its snapshot is
 * persisted in the outbox entry after every failed attempt, so retries resume after a restart
 * with their attempt count and due time.
 */
export class DestinationLane {
  private readonly deps: LaneDeps;
  /** Loaded entries in load order, by `shard:seq`. */
  private readonly window = new Map<string, LaneEntry>();
  /** Each profile's loaded entries, oldest first; only the head may be in flight or waiting. */
  private readonly byProfile = new Map<string, LaneEntry[]>();
  /** The last seq loaded per shard sub-queue. */
  private readonly cursors = new Map<number, number>();
  private inFlight = 0;
  private moreInStore = true;
  private closed = false;
  /** Aborts the requests in flight when the engine stops (their messages stay in the outbox, untried). */
  private readonly stopping = new AbortController();
  private readonly settled = new Set<() => void>();

  constructor(deps: LaneDeps) {
    this.deps = deps;
    for (let shard = 0; shard < deps.shardCount; shard++) this.cursors.set(shard, 0);
    // Sub-queues of shard indexes beyond today's count (an earlier run had more shards).
    for (const key of deps.store.outbox.getKeys({ start: [deps.destinationId, deps.shardCount], end: [`${deps.destinationId}\u0000`] })) {
      if (!this.cursors.has(key[1])) this.cursors.set(key[1], 0);
    }
  }

  /** New entries may be in LMDB. */
  wake(): void {
    this.moreInStore = true;
    this.pump();
  }

  /** Resolves once nothing is in flight and nothing is ready to send now (tests, shutdown). */
  whenSettled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settled.add(resolve));
  }

  close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.settled.add(resolve));
  }

  /** Starts every send that may start now: heads of their profiles, untried or due for a retry. */
  pump(): void {
    if (this.closed) return;
    const destination = this.deps.destination();
    if (destination === undefined) return;
    if (this.moreInStore && this.window.size < this.deps.windowSize / 2) this.load();
    const now = this.deps.now();
    let earliestRetry: EpochMs | undefined;
    for (const queue of this.byProfile.values()) {
      if (this.inFlight >= this.deps.maxInFlight) break;
      // Dropped heads (their connection or definition is gone) make way for the next at once.
      for (let head = queue[0]; head !== undefined; head = queue[0]) {
        if (head.delivery.status === 'inFlight') break;
        if (head.delivery.status === 'waitingToRetry' && (head.delivery.nextAttemptAt ?? 0) > now) {
          earliestRetry = Math.min(earliestRetry ?? Number.POSITIVE_INFINITY, head.delivery.nextAttemptAt ?? now);
          break;
        }
        const verdict = this.deps.deliverability(head.entry);
        if (verdict === 'hold') break;
        if (verdict === 'drop') {
          this.finish(head, true);
          this.deps.report({ kind: 'dropped', entry: head.entry }, head.syncKey);
          continue;
        }
        this.send(head, destination);
        break;
      }
    }
    // Everything loaded was dropped: what LMDB still holds is looked at too.
    if (this.window.size === 0 && this.moreInStore) queueMicrotask(() => this.pump());
    if (earliestRetry !== undefined) this.deps.retryDueAt(earliestRetry);
    this.notifySettled();
  }

  private isSettled(): boolean {
    if (this.inFlight > 0) return false;
    if (this.closed) return true;
    const now = this.deps.now();
    for (const queue of this.byProfile.values()) {
      const head = queue[0];
      if (head === undefined) continue;
      const ready = head.delivery.status === 'pending' || (head.delivery.status === 'waitingToRetry' && (head.delivery.nextAttemptAt ?? 0) <= now);
      if (ready && this.deps.destination()?.enabled === true && this.deps.deliverability(head.entry) !== 'hold') return false;
    }
    return true;
  }

  private notifySettled(): void {
    if (this.settled.size === 0 || !this.isSettled()) return;
    const waiting = [...this.settled];
    this.settled.clear();
    for (const resolve of waiting) resolve();
  }

  /** Reads the next entries of each shard sub-queue, up to the window's size. */
  private load(): void {
    const { store, destinationId, windowSize } = this.deps;
    let loadedAny = false;
    let full = false;
    for (const [shard, cursor] of this.cursors) {
      const room = windowSize - this.window.size;
      if (room <= 0) {
        full = true;
        break;
      }
      let last = cursor;
      for (const { key, value } of store.outbox.getRange({ start: [destinationId, shard, cursor + 1], end: [destinationId, shard, Number.MAX_SAFE_INTEGER], limit: room })) {
        last = key[2];
        loadedAny = true;
        const id = `${shard}:${key[2]}`;
        // A snapshot persisted mid-flight (a crash during an attempt) is recovered as untried.
        const delivery = value.delivery === undefined ? initialDelivery() : value.delivery.status === 'inFlight' ? stepDelivery(value.delivery, { type: 'delivery.recovered' }) : value.delivery;
        const loaded: LaneEntry = { key, id, entry: value, delivery, syncKey: undefined, sentAt: 0 };
        this.window.set(id, loaded);
        const queue = this.byProfile.get(value.profileId);
        if (queue === undefined) this.byProfile.set(value.profileId, [loaded]);
        else queue.push(loaded);
      }
      this.cursors.set(shard, last);
      if (this.window.size >= windowSize) full = true;
    }
    // Nothing more until a shard says so, unless the window filled before the end.
    this.moreInStore = full || (loadedAny && this.window.size >= windowSize);
  }

  private send(item: LaneEntry, destination: DestinationRecord): void {
    this.inFlight += 1;
    item.delivery = stepDelivery(item.delivery, { type: 'attempt.started' });
    item.sentAt = Date.now();
    const { body } = item.entry;
    const { settings } = destination;
    const headers =
      settings.secret === undefined
        ? settings.headers
        : // Wall time, not the engine's clock: receivers check it against theirs to refuse replays.
          { ...settings.headers, ...signatureHeaders({ secret: settings.secret, messageId: item.entry.messageId, timestampSeconds: Math.floor(Date.now() / 1000), body }) };
    void this.deps.transport
      .send({ destinationId: this.deps.destinationId, url: settings.url, headers, body, timeoutMs: settings.timeoutMs, signal: this.stopping.signal })
      .then((result) => this.settle(item, judgeAttempt(result, this.deps.now())))
      .catch((error: unknown) => this.settle(item, { kind: 'retry', status: null, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        this.inFlight -= 1;
        this.pump();
        this.notifySettled();
      });
  }

  private settle(item: LaneEntry, verdict: AttemptVerdict): void {
    // Stopped mid-attempt: nothing is recorded; the next start sends it again (at least once).
    if (this.closed) return;
    const { store } = this.deps;
    if (verdict.kind === 'delivered') {
      item.delivery = stepDelivery(item.delivery, { type: 'attempt.succeeded' });
      this.finish(item, true);
      item.syncKey = this.deps.report({ kind: 'delivered', entry: item.entry, delivery: item.delivery, latencyMs: Date.now() - item.sentAt }, item.syncKey);
      return;
    }
    const now = this.deps.now();
    const retryAt = verdict.kind === 'retry' ? nextAttemptAt(verdict, item.delivery.attempts, now, this.deps.random) : now;
    item.delivery = stepDelivery(item.delivery, { type: 'attempt.failed', verdict, retryAt });
    if (item.delivery.status === 'failed') {
      this.finish(item, true);
      item.syncKey = this.deps.report({ kind: 'failed-attempt', entry: item.entry, delivery: item.delivery, verdict }, item.syncKey);
      if (verdict.kind === 'disable') this.deps.disable(verdict.error);
      return;
    }
    // Waiting to retry: the attempt count and due time survive a restart. Queued before the
    // audit entry, so whoever sees the failure listed finds the retry state durable too.
    item.entry = { ...item.entry, delivery: item.delivery };
    const { key, entry } = item;
    this.deps.write(() => store.outbox.put(key, entry));
    item.syncKey = this.deps.report({ kind: 'failed-attempt', entry: item.entry, delivery: item.delivery, verdict }, item.syncKey);
    this.deps.retryDueAt(item.delivery.nextAttemptAt ?? now);
  }

  /** The message is done (delivered, failed for good, or dropped): it leaves the outbox and its profile's queue. */
  private finish(item: LaneEntry, remove: boolean): void {
    if (remove) {
      const { key } = item;
      this.deps.write(() => this.deps.store.outbox.remove(key));
    }
    this.window.delete(item.id);
    const queue = this.byProfile.get(item.entry.profileId);
    if (queue !== undefined) {
      const at = queue.indexOf(item);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.byProfile.delete(item.entry.profileId);
    }
  }
}
