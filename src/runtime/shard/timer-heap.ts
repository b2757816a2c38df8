import type { EpochMs } from '../../shared/ids.ts';

export interface PendingTimer {
  readonly dueAt: EpochMs;
  readonly profileId: string;
  readonly key: string;
}

/**
 * A binary min-heap of pending timers by due time: the shard's in-memory index of the timers it
 * owns. Cancelled or rescheduled timers are not removed (lazy deletion): when one pops, the actor
 * sees that its state no longer holds that due time and ignores it. This keeps every update
 * O(log n) and never scans.
 */
export class TimerHeap {
  private readonly items: PendingTimer[] = [];

  get size(): number {
    return this.items.length;
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
    return this.items[0];
  }

  /** Removes and returns every timer due at or before `now`, earliest first. */
  popDue(now: EpochMs): PendingTimer[] {
    const due: PendingTimer[] = [];
    while (this.items.length > 0 && this.items[0]!.dueAt <= now) due.push(this.pop());
    return due;
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
