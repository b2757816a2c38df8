import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import type { ConnectionRecord } from '../sync/destination-record.ts';
import type { ShardPool } from './shard-pool.ts';

/** Profiles per sweep chunk: one shard task, like a backfill chunk, so deliveries wait little behind it. */
const CHUNK_PROFILES = 500;

/**
 * A first connection's sync (Engage: "an Identify or Track call for every user in the audience
 * when the audience is first created"): every shard queues the current member or value of each of
 * its profiles, chunk by chunk between deliveries, all shards in parallel. Returns false when the
 * connection went away meanwhile (the shards stop on their own: they no longer know it).
 */
export async function sweepConnection(
  connection: ConnectionRecord,
  deps: { readonly pool: ShardPool; readonly clock: Clock; readonly log: Logger },
  isCancelled: () => boolean,
): Promise<boolean> {
  const { pool, clock, log } = deps;
  let profiles = 0;
  let cancelled = false;
  async function runShard(shard: number): Promise<void> {
    let after: string | undefined;
    for (;;) {
      if (isCancelled()) {
        cancelled = true;
        return;
      }
      const chunk = await pool.syncSweep(shard, {
        definitionId: connection.definitionId,
        destinationId: connection.destinationId,
        connectionId: connection.connectionId,
        spaceId: connection.spaceId,
        limit: CHUNK_PROFILES,
        now: clock.now(),
        ...(after === undefined ? {} : { after }),
      });
      profiles += chunk.profiles;
      if (chunk.next === undefined) return;
      after = chunk.next;
    }
  }
  await Promise.all(Array.from({ length: pool.count }, (_, shard) => runShard(shard)));
  log.info({ definitionId: connection.definitionId, destinationId: connection.destinationId, profiles, cancelled }, 'first sync of a connection queued');
  return !cancelled;
}
