import type { DefinitionKind } from '../../definitions/ast.ts';
import type { DefinitionRecord } from '../../definitions/definition-record.ts';
import type { ConnectionRecord, DestinationRecord, SyncFormat } from '../../sync/destination-record.ts';

/** Where a definition's changes go: one connected, enabled destination. */
export interface SyncTarget {
  readonly destinationId: string;
  readonly destinationName: string;
  readonly format: SyncFormat;
  readonly connectionId: string;
}

/** A definition some destination listens to. */
export interface SyncedDefinition {
  readonly id: string;
  readonly key: string;
  readonly kind: DefinitionKind;
  readonly targets: readonly SyncTarget[];
}

/** A space's sync wiring, as a shard needs it to write outbox entries. */
export interface SpaceSyncTargets {
  /** Connected definitions (live ones only) by id. */
  readonly definitions: ReadonlyMap<string, SyncedDefinition>;
  /** Enabled destinations that asked for an alias on merge. */
  readonly aliasTargets: ReadonlyArray<{ readonly destinationId: string; readonly destinationName: string }>;
}

export const NO_SYNC_TARGETS: SpaceSyncTargets = { definitions: new Map(), aliasTargets: [] };

/**
 * Builds every space's sync targets from LMDB's records. A disabled destination gets no new
 * entries (what it holds waits for it to be enabled again); a deleted definition or destination
 * none at all.
 */
export function compileSyncTargets(
  definitions: Iterable<DefinitionRecord>,
  destinations: Iterable<DestinationRecord>,
  connections: Iterable<ConnectionRecord>,
): ReadonlyMap<string, SpaceSyncTargets> {
  const enabled = new Map<string, DestinationRecord>();
  for (const destination of destinations) {
    if (destination.deletedAt === undefined && destination.enabled) enabled.set(destination.id, destination);
  }
  const liveDefinitions = new Map<string, DefinitionRecord>();
  for (const definition of definitions) if (definition.deletedAt === undefined) liveDefinitions.set(definition.id, definition);

  const bySpace = new Map<string, { definitions: Map<string, SyncedDefinition>; aliasTargets: Array<{ destinationId: string; destinationName: string }> }>();
  const spaceOf = (spaceId: string) => {
    let space = bySpace.get(spaceId);
    if (space === undefined) {
      space = { definitions: new Map(), aliasTargets: [] };
      bySpace.set(spaceId, space);
    }
    return space;
  };
  for (const connection of connections) {
    const destination = enabled.get(connection.destinationId);
    const definition = liveDefinitions.get(connection.definitionId);
    if (destination === undefined || definition === undefined) continue;
    const space = spaceOf(definition.spaceId);
    const target: SyncTarget = { destinationId: destination.id, destinationName: destination.name, format: connection.format, connectionId: connection.connectionId };
    const synced = space.definitions.get(definition.id);
    space.definitions.set(definition.id, { id: definition.id, key: definition.key, kind: definition.kind, targets: [...(synced?.targets ?? []), target] });
  }
  for (const destination of enabled.values()) {
    if (destination.settings.sendAliasOnMerge) spaceOf(destination.spaceId).aliasTargets.push({ destinationId: destination.id, destinationName: destination.name });
  }
  return bySpace;
}
