import type { ProfileState } from '../../actors/profile-state.ts';

/**
 * Hot actors in memory, least recently used first (Map insertion order). An actor whose latest
 * state is not yet committed is pinned: evicting it would make the next load read an older state
 * from LMDB.
 */
export class ActorCache {
  private readonly states = new Map<string, ProfileState>();
  private readonly pinned = new Map<string, number>();

  /** `onDrop` hears of every actor that leaves the cache (evicted or forgotten). */
  constructor(
    private readonly capacity: number,
    private readonly onDrop: (profileId: string) => void = () => {},
  ) {}

  get(profileId: string): ProfileState | undefined {
    const state = this.states.get(profileId);
    if (state !== undefined) {
      this.states.delete(profileId);
      this.states.set(profileId, state);
    }
    return state;
  }

  /** Keeps a state just loaded from LMDB (unpinned: it is what LMDB holds). */
  remember(profileId: string, state: ProfileState): void {
    this.states.delete(profileId);
    this.states.set(profileId, state);
  }

  /** Stores a state that is about to be committed; it stays pinned until `unpin`. */
  setPending(profileId: string, state: ProfileState): void {
    this.states.delete(profileId);
    this.states.set(profileId, state);
    this.pinned.set(profileId, (this.pinned.get(profileId) ?? 0) + 1);
  }

  /** Replaces a state already pinned by this delivery (a second step of the same profile). */
  replacePending(profileId: string, state: ProfileState): void {
    this.states.delete(profileId);
    this.states.set(profileId, state);
  }

  unpin(profileId: string): void {
    const count = (this.pinned.get(profileId) ?? 1) - 1;
    if (count <= 0) this.pinned.delete(profileId);
    else this.pinned.set(profileId, count);
  }

  /** Forgets an actor (after a failed commit), so it is reloaded from what LMDB holds. */
  forget(profileId: string): void {
    this.states.delete(profileId);
    this.onDrop(profileId);
  }

  has(profileId: string): boolean {
    return this.states.has(profileId);
  }

  get size(): number {
    return this.states.size;
  }

  /**
   * Drops an actor loaded only for background work (a backfill or a first sync sweeping every
   * profile), unless a delivery pins it: such a sweep would otherwise push the hot actors out.
   */
  dropIfIdle(profileId: string): void {
    if (!this.pinned.has(profileId) && this.states.has(profileId)) this.forget(profileId);
  }

  /** Evicts unpinned actors, oldest first, down to capacity. */
  trim(): void {
    if (this.states.size <= this.capacity) return;
    for (const id of this.states.keys()) {
      if (this.states.size <= this.capacity) break;
      if (!this.pinned.has(id)) {
        this.states.delete(id);
        this.onDrop(id);
      }
    }
  }
}
