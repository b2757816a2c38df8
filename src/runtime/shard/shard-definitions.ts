import { answerEntry } from '../../actors/compute-states.ts';
import type { ProfileState } from '../../actors/profile-state.ts';
import { NO_DEFINITIONS, type SpaceDefinitions } from '../../actors/step-profile.ts';
import { compileDefinition } from '../../compute/compile-definition.ts';
import { compileDefinitionSet, orderDefinitions, type DefinitionSet, type LiveDefinition } from '../../compute/definition-set.ts';
import { isEvaluated, type DefinitionRecord } from '../../definitions/definition-record.ts';
import type { ConnectionRecord, DestinationRecord } from '../../sync/destination-record.ts';
import { compileSyncTargets, NO_SYNC_TARGETS, type SpaceSyncTargets } from './sync-targets.ts';

/**
 * The definitions a shard evaluates, compiled per space and collection, as of one version of the
 * `definitions` database. The main thread bumps the version after each committed change and every
 * request to a shard carries it, so a shard reloads before stepping the first event sent after
 * the change: events meet the definitions that were live when they were handed to the shard.
 */
export interface ShardDefinitions {
  readonly version: number;
  forSpace(spaceId: string): SpaceDefinitions;
  /** Live audiences of a space by key → id: the traits whose `true` counts toward a size. */
  audiencesOf(spaceId: string): ReadonlyMap<string, string>;
  /** Where the space's changes are sent (connected definitions, alias destinations). */
  syncTargetsOf(spaceId: string): SpaceSyncTargets;
  /** What the space's compiled sets were compiled from (ids, revisions, options), to reuse them. */
  fingerprintOf(spaceId: string): string | undefined;
}

export const NO_SHARD_DEFINITIONS: ShardDefinitions = {
  version: 0,
  forSpace: () => NO_DEFINITIONS,
  audiencesOf: () => new Map(),
  syncTargetsOf: () => NO_SYNC_TARGETS,
  fingerprintOf: () => undefined,
};

/** What a shard loads besides the definitions: where their changes go. */
export interface SyncRecords {
  readonly destinations: Iterable<DestinationRecord>;
  readonly connections: Iterable<ConnectionRecord>;
}

const NO_SYNC_RECORDS: SyncRecords = { destinations: [], connections: [] };

/**
 * Compiles the definitions of every space. A space whose live definitions are the same as in
 * `previous` (same ids, revisions and options, in the same order) keeps its compiled sets, and so
 * its layout: a change that only touched destinations, connections or a lifecycle does not make
 * every profile rewrite its definition states.
 */
export function compileShardDefinitions(
  recordList: Iterable<DefinitionRecord>,
  version: number,
  sync: SyncRecords = NO_SYNC_RECORDS,
  previous?: ShardDefinitions,
): ShardDefinitions {
  const records = [...recordList];
  const bySpace = new Map<string, { users: LiveDefinition[]; accounts: LiveDefinition[]; audiences: Map<string, string> }>();
  for (const record of records) {
    if (!isEvaluated(record)) continue;
    let space = bySpace.get(record.spaceId);
    if (space === undefined) {
      space = { users: [], accounts: [], audiences: new Map() };
      bySpace.set(record.spaceId, space);
    }
    const live: LiveDefinition = {
      id: record.id,
      key: record.key,
      kind: record.kind,
      revision: record.revision,
      ast: record.ast,
      includeAnonymousUsers: record.options.includeAnonymousUsers,
    };
    (record.target === 'ACCOUNTS' ? space.accounts : space.users).push(live);
    if (record.kind === 'audience') space.audiences.set(record.key, record.id);
  }
  const compiled = new Map<string, SpaceDefinitions>();
  const fingerprints = new Map<string, string>();
  for (const [spaceId, space] of bySpace) {
    const fingerprint = JSON.stringify([space.users, space.accounts].map((list) => list.map((d) => [d.id, d.revision, d.includeAnonymousUsers])));
    fingerprints.set(spaceId, fingerprint);
    const reusable = previous !== undefined && previous.fingerprintOf(spaceId) === fingerprint;
    compiled.set(spaceId, reusable ? previous.forSpace(spaceId) : { users: compileSafely(space.users, version), accounts: compileSafely(space.accounts, version) });
  }
  const syncTargets = compileSyncTargets(records, sync.destinations, sync.connections);
  return {
    version,
    forSpace: (spaceId) => compiled.get(spaceId) ?? NO_DEFINITIONS,
    audiencesOf: (spaceId) => bySpace.get(spaceId)?.audiences ?? new Map(),
    syncTargetsOf: (spaceId) => syncTargets.get(spaceId) ?? NO_SYNC_TARGETS,
    fingerprintOf: (spaceId) => fingerprints.get(spaceId),
  };
}

/**
 * The registry never publishes a definition that fails to compile or closes a cycle, but a shard
 * must not stop ingesting if LMDB ever holds one (an older version's record, say): such
 * definitions are left out, the others run.
 */
function compileSafely(definitions: readonly LiveDefinition[], version: number): DefinitionSet {
  try {
    return compileDefinitionSet(definitions, version);
  } catch {
    const compilable = definitions.filter((definition) => {
      try {
        compileDefinition(definition.ast);
        return true;
      } catch {
        return false;
      }
    });
    const order = orderDefinitions(compilable, (d) => compileDefinition(d.ast).traitKeys);
    const inCycle = new Set(order.ok ? [] : order.cycle.keys);
    return compileDefinitionSet(
      compilable.filter((d) => !inCycle.has(d.key)),
      version,
    );
  }
}

/** True when the profile is a member of the audience with this key (its answer is `true`). */
function isMember(state: ProfileState | undefined, key: string): boolean {
  return state !== undefined && answerEntry(state.compute, key)?.value === true;
}

/** +1 when the profile entered the audience with this key from `before` to `after`, -1 when it left, else 0. */
export function membershipMove(before: ProfileState | undefined, after: ProfileState | undefined, key: string): number {
  return Number(isMember(after, key)) - Number(isMember(before, key));
}
