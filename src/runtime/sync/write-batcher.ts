import type { RootDatabase } from 'lmdb';

/** How long the sync actor's bookkeeping waits to be written with the next (one commit per batch). */
const FLUSH_AFTER_MS = 10;
const FLUSH_AT_OPS = 1_000;

/**
 * The sync actor's LMDB writes (outbox removals and retry states, syncs, audit), gathered and
 * committed together every few milliseconds. Deliveries complete one by one in their own event
 * turns, and lmdb-js commits each turn's writes as a transaction of its own: one commit per
 * delivered message cost more than the delivery. A crash can lose the last batch; then a
 * delivered message is sent again under its id, or a retry starts over its count: at least
 * once, never lost.
 */
export class WriteBatcher {
  private readonly root: RootDatabase;
  private pending: Array<() => unknown> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(root: RootDatabase) {
    this.root = root;
  }

  /** Queues one write (a put or remove on any database of this environment). */
  write(operation: () => unknown): void {
    this.pending.push(operation);
    if (this.pending.length >= FLUSH_AT_OPS) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Commits everything queued so far; resolves once it is durable (failures are the caller's to log). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return this.flushing;
    const operations = this.pending;
    this.pending = [];
    this.flushing = this.root
      .transaction(() => {
        for (const operation of operations) operation();
      })
      .then(() => undefined);
    return this.flushing;
  }
}
