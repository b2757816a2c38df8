/**
 * Makes the shards see identity decisions in the order the main thread made them. Every request
 * (and every deletion) takes a turn synchronously, when its decisions are staged, and posts its
 * shard work only when the turns before it have posted theirs. Posting is all that is ordered,
 * not committing: each shard runs its tasks in posting order, and a merge's release waits for the
 * loser's earlier commits, which together keep every profile's commits in decision order.
 *
 * Without it, a request that waits (to hand over a merge's loser) could be overtaken by a later
 * request whose changes depend on it, and a crash between the two commits could leave an
 * identifier pointing where no state is yet. Requests without merges never wait in practice:
 * their turn comes as soon as the previous request has posted, within the same tick.
 */
export interface DispatchSequencer {
  /** Takes the next turn. Resolves when every earlier turn has posted; call `done` once posted. */
  take(): Promise<{ done: () => void }>;
}

export function createDispatchSequencer(): DispatchSequencer {
  let tail: Promise<void> = Promise.resolve();
  return {
    take() {
      const previous = tail;
      let release: () => void = () => undefined;
      tail = new Promise<void>((resolve) => (release = resolve));
      return previous.then(() => ({ done: release }));
    },
  };
}
