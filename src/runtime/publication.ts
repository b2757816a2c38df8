/**
 * The version of what shards must know beyond events: definitions, destinations and connections.
 * Every change is committed to LMDB first and only then bumps the version; the shard pool stamps
 * it on every request, and a shard that sees a newer one reloads from LMDB before stepping.
 */
export interface Publication {
  version(): number;
  /** Call only after the change is committed. */
  bump(): void;
}

export function createPublication(): Publication {
  let version = 1;
  return {
    version: () => version,
    bump() {
      version += 1;
    },
  };
}
