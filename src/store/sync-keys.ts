/** A connection's key: a definition's connections are one range scan. */
export type ConnectionKey = [definitionId: string, destinationId: string];

/** The `meta` key under which a shard keeps its outbox sequence (it never goes back, restarts included). */
export function outboxSeqKey(shardIndex: number): string {
  return `outbox.seq.${shardIndex}`;
}
