import type { EpochMs } from '../../shared/ids.ts';

export interface PendingTimer {
  readonly dueAt: EpochMs;
  readonly profileId: string;
  readonly key: string;
}

/**
 * A binary min-heap of pending timers by due time: the shard's in-memory index of the timers it
 * owns. Cancelled timers are not removed at once (lazy deletion keeps every update O(log n)):
 * they are remembered and skipped when they reach the top, and the heap is rebuilt without them
 * once they outnumber the live ones. Definitions re-arm their timer on most events of a member,
 * so without this a busy profile would leave thousands of dead entries behind.
 */
export class TimerHeap {
  private items: PendingTimer[] = [];
  private readonly cancelled = new Map<string, number>();
  private cancelledCount = 0;

  /** Live timers. */
  get size(): number {
    return this.items.length - this.cancelledCount;
  }

  /** Forgets a pushed timer (its key was rescheduled or cleared). */
  cancel(timer: PendingTimer): void {
    const id = timerId(timer);
    this.cancelled.set(id, (this.cancelled.get(id) ?? 0) + 1);
    this.cancelledCount += 1;
    if (this.cancelledCount > 1024 && this.cancelledCount * 2 > this.items.length) this.compact();
  }

  push(timer: PendingTimer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.dueAt <= timer.dueAt) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = timer;
  }

  peek(): PendingTimer | undefined {
    while (this.items.length > 0 && this.consumeCancelled(this.items[0]!)) this.pop();
    return this.items[0];
  }

  /** Removes and returns every live timer due at or before `now`, earliest first. */
  popDue(now: EpochMs): PendingTimer[] {
    const due: PendingTimer[] = [];
    while (this.items.length > 0 && this.items[0]!.dueAt <= now) {
      const timer = this.pop();
      if (!this.consumeCancelled(timer)) due.push(timer);
    }
    return due;
  }

  private consumeCancelled(timer: PendingTimer): boolean {
    if (this.cancelledCount === 0) return false;
    const id = timerId(timer);
    const count = this.cancelled.get(id);
    if (count === undefined) return false;
    if (count <= 1) this.cancelled.delete(id);
    else this.cancelled.set(id, count - 1);
    this.cancelledCount -= 1;
    return true;
  }

  private compact(): void {
    const live = this.items.filter((timer) => !this.consumeCancelled(timer));
    // Cancellations of timers this heap never held (a merged-away profile's, owned elsewhere).
    this.cancelled.clear();
    this.cancelledCount = 0;
    this.items = [];
    for (const timer of live) this.push(timer);
  }

  private pop(): PendingTimer {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      const n = items.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && items[right]!.dueAt < items[left]!.dueAt ? right : left;
        if (items[child]!.dueAt >= last.dueAt) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

function timerId(timer: PendingTimer): string {
  return `${timer.dueAt}\u0000${timer.profileId}\u0000${timer.key}`;
}
