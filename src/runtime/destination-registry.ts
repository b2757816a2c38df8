import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ensureError } from '../shared/errors.ts';
import { sweepConnection } from './connection-sweep.ts';
import type { ShardPool } from './shard-pool.ts';
import type { DefinitionRecord } from '../definitions/definition-record.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import type { EngineStore } from '../store/engine-store.ts';
import type { ConnectionRecord, DestinationRecord, SyncFormat, WebhookSettings } from '../sync/destination-record.ts';
import type { Publication } from './publication.ts';

export interface DestinationInput {
  readonly name: string;
  readonly settings: WebhookSettings;
  readonly enabled: boolean;
}

export interface DestinationPatch {
  readonly name?: string;
  /** Settings given are merged over the current ones (a secret or header not resent stays). */
  readonly settings?: Partial<WebhookSettings>;
  /** Stops signing (the secret goes). */
  readonly removeSecret?: boolean;
  readonly enabled?: boolean;
}

export interface DestinationRegistry {
  /** A space's destinations, oldest first; deleted ones are not listed. */
  list(spaceId: string): DestinationRecord[];
  find(spaceId: string, id: string): DestinationRecord | undefined;
  /** Any destination by id, tombstones included (the sync actor asks about its entries' destinations). */
  byId(id: string): DestinationRecord | undefined;
  create(spaceId: string, input: DestinationInput): Promise<DestinationRecord>;
  update(spaceId: string, id: string, patch: DestinationPatch): Promise<DestinationRecord>;
  /** Deletes the destination and its connections: nothing more is sent to it. */
  remove(spaceId: string, id: string): Promise<void>;
  /**
   * Connects a definition (or changes the format of its connection). A new connection is a first
   * connection: `onConnected` runs so every current member (or value) is sent.
   */
  connect(definition: DefinitionRecord, destinationId: string, format: SyncFormat): Promise<ConnectionRecord>;
  /** Removes the connection; false when there was none. */
  disconnect(definitionId: string, destinationId: string): Promise<boolean>;
  connectionsOf(definitionId: string): ConnectionRecord[];
  connection(definitionId: string, destinationId: string): ConnectionRecord | undefined;
  /** The engine's own disabling (a 410 Gone): the destination stops, with the reason shown. */
  disable(id: string, reason: string): Promise<void>;
  /** Called after every committed change (the sync actor follows destinations through it). */
  onChange(listener: (destinationId: string) => void): void;
  /** Restarts the first syncs a restart interrupted. */
  resumeInitialSyncs(): void;
  /** Resolves once no first sync is running (tests). */
  idle(): Promise<void>;
  /** Stops running first syncs where they are (they start over at the next start). */
  close(): Promise<void>;
}

/**
 * The main thread's single writer of destinations and connections. Like the definition registry,
 * every change is committed to LMDB before it is published (the shards read connections from
 * LMDB when the publication's version moves), and takes effect in memory in the tick its write
 * is issued, so changes build on each other in order.
 */
export function createDestinationRegistry(deps: {
  store: EngineStore;
  clock: Clock;
  publication: Publication;
  pool: () => ShardPool;
  log: Logger;
}): DestinationRegistry {
  const { store, clock, publication, log } = deps;
  const sweeps = new Map<string, Promise<void>>();
  let closing = false;
  const destinations = new Map<string, DestinationRecord>();
  for (const { value } of store.destinations.getRange()) destinations.set(value.id, value);
  const connections = new Map<string, Map<string, ConnectionRecord>>();
  for (const { value } of store.connections.getRange()) connectionsFor(value.definitionId).set(value.destinationId, value);
  const listeners: Array<(destinationId: string) => void> = [];

  function connectionsFor(definitionId: string): Map<string, ConnectionRecord> {
    let map = connections.get(definitionId);
    if (map === undefined) {
      map = new Map();
      connections.set(definitionId, map);
    }
    return map;
  }

  function live(spaceId: string, id: string): DestinationRecord {
    const record = destinations.get(id);
    if (record === undefined || record.spaceId !== spaceId || record.deletedAt !== undefined) {
      throw new AppError('not_found', `No destination ${JSON.stringify(id)} in this space.`);
    }
    return record;
  }

  const pairKey = (c: Pick<ConnectionRecord, 'definitionId' | 'destinationId'>): string => `${c.definitionId}\u0000${c.destinationId}`;
  const isCurrent = (c: ConnectionRecord): boolean => connections.get(c.definitionId)?.get(c.destinationId)?.connectionId === c.connectionId;

  /**
   * Queues every current member (or value) of a new connection. The flag on the record is
   * cleared once the sweep is done, so a restart in between sweeps again (at least once).
   */
  function startInitialSync(connection: ConnectionRecord): void {
    const key = pairKey(connection);
    const previous = sweeps.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      if (closing || !isCurrent(connection)) return;
      try {
        const finished = await sweepConnection(connection, { pool: deps.pool(), clock, log }, () => closing || !isCurrent(connection));
        const current = connections.get(connection.definitionId)?.get(connection.destinationId);
        if (finished && current !== undefined && current.connectionId === connection.connectionId) {
          const { initialSyncPending: _done, ...synced } = current;
          connectionsFor(connection.definitionId).set(connection.destinationId, synced);
          await store.connections.put([connection.definitionId, connection.destinationId], synced);
        }
      } catch (caught) {
        log.error({ err: ensureError(caught), definitionId: connection.definitionId, destinationId: connection.destinationId }, 'first sync of a connection failed; it resumes at the next start');
      }
    });
    const tracked = run.finally(() => {
      if (sweeps.get(key) === tracked) sweeps.delete(key);
    });
    sweeps.set(key, tracked);
  }

  async function save(record: DestinationRecord): Promise<void> {
    destinations.set(record.id, record);
    await store.destinations.put(record.id, record);
    publication.bump();
    for (const listener of listeners) listener(record.id);
  }

  return {
    list: (spaceId) => [...destinations.values()].filter((d) => d.spaceId === spaceId && d.deletedAt === undefined).sort((a, b) => a.createdAt - b.createdAt),
    find(spaceId, id) {
      const record = destinations.get(id);
      return record !== undefined && record.spaceId === spaceId && record.deletedAt === undefined ? record : undefined;
    },
    byId: (id) => destinations.get(id),
    async create(spaceId, input) {
      const now = clock.now();
      const record: DestinationRecord = {
        id: `dst_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
        spaceId,
        name: input.name,
        type: 'webhook',
        settings: input.settings,
        enabled: input.enabled,
        createdAt: now,
        updatedAt: now,
      };
      await save(record);
      return record;
    },
    async update(spaceId, id, patch) {
      const current = live(spaceId, id);
      const enabled = patch.enabled ?? current.enabled;
      const { disabledReason: _dropped, ...rest } = current;
      const merged: WebhookSettings = { ...current.settings, ...patch.settings };
      const { secret: _removed, ...unsigned } = merged;
      const record: DestinationRecord = {
        ...rest,
        ...(patch.name === undefined ? {} : { name: patch.name }),
        settings: patch.removeSecret === true ? unsigned : merged,
        enabled,
        // A reason explains the engine's own disabling; it goes once someone enables it again.
        ...(!enabled && current.disabledReason !== undefined ? { disabledReason: current.disabledReason } : {}),
        updatedAt: clock.now(),
      };
      await save(record);
      return record;
    },
    async remove(spaceId, id) {
      const current = live(spaceId, id);
      const gone: Array<Promise<boolean>> = [];
      for (const [definitionId, map] of connections) {
        if (map.delete(id)) gone.push(store.connections.remove([definitionId, id]));
      }
      await Promise.all(gone);
      await save({ ...current, deletedAt: clock.now(), updatedAt: clock.now() });
    },
    async connect(definition, destinationId, format) {
      live(definition.spaceId, destinationId);
      const existing = connectionsFor(definition.id).get(destinationId);
      const record: ConnectionRecord =
        existing === undefined
          ? { definitionId: definition.id, destinationId, spaceId: definition.spaceId, format, connectedAt: clock.now(), connectionId: randomUUID(), initialSyncPending: true }
          : { ...existing, format };
      connectionsFor(definition.id).set(destinationId, record);
      await store.connections.put([definition.id, destinationId], record);
      publication.bump();
      for (const listener of listeners) listener(destinationId);
      // Published first: every shard request from here on carries the connection, so a change
      // the sweep has passed already is sent by the live path, and none falls between the two.
      if (existing === undefined) startInitialSync(record);
      return record;
    },
    async disconnect(definitionId, destinationId) {
      const map = connections.get(definitionId);
      if (map === undefined || !map.delete(destinationId)) return false;
      await store.connections.remove([definitionId, destinationId]);
      publication.bump();
      for (const listener of listeners) listener(destinationId);
      return true;
    },
    connectionsOf: (definitionId) => [...(connections.get(definitionId)?.values() ?? [])],
    connection: (definitionId, destinationId) => connections.get(definitionId)?.get(destinationId),
    async disable(id, reason) {
      const current = destinations.get(id);
      if (current === undefined || current.deletedAt !== undefined || !current.enabled) return;
      await save({ ...current, enabled: false, disabledReason: reason, updatedAt: clock.now() });
    },
    onChange(listener) {
      listeners.push(listener);
    },
    resumeInitialSyncs() {
      for (const map of connections.values()) for (const connection of map.values()) if (connection.initialSyncPending === true) startInitialSync(connection);
    },
    async idle() {
      while (sweeps.size > 0) await Promise.allSettled([...sweeps.values()]);
    },
    async close() {
      closing = true;
      while (sweeps.size > 0) await Promise.allSettled([...sweeps.values()]);
    },
  };
}
