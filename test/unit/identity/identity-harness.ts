import type { IdentityConfig } from '../../../src/config/config.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { extractIdentifiers } from '../../../src/identity/extract-identifiers.ts';
import type { Identifier } from '../../../src/identity/identifier.ts';
import { type MemoryIdentityGraph, createMemoryIdentityGraph } from '../../../src/identity/memory-identity-graph.ts';
import type { Resolution } from '../../../src/identity/resolution.ts';
import { resolveIdentity } from '../../../src/identity/resolve-identity.ts';
import { type IdentitySettings, identitySettingsFrom } from '../../../src/identity/settings.ts';
import type { GraphProfile } from '../../../src/identity/identity-graph.ts';
import { type EpochMs, type ProfileId, asProfileId } from '../../../src/shared/ids.ts';

export const DAY = 24 * 60 * 60 * 1000;
export const T0: EpochMs = Date.UTC(2025, 0, 6);

/** Any event fields; extraction reads only the ones it needs. */
export type TestEvent = Partial<TrackedEvent>;

/** Extract → resolve → apply, as the identity writer will run it, with predictable profile ids. */
export interface Harness {
  readonly graph: MemoryIdentityGraph;
  settings(): IdentitySettings;
  send(event: TestEvent, at?: EpochMs): Resolution;
  /** `type:value` of a profile's identifiers, sorted. */
  idsOf(profileId: ProfileId): string[];
}

export function config(identifiers: IdentityConfig['identifiers'], blockedValues: IdentityConfig['blockedValues'] = []): IdentityConfig {
  return { identifiers, blockedValues, replaceDefaultBlockedValues: false };
}

export function harness(initial: IdentitySettings = identitySettingsFrom(undefined), seed: readonly GraphProfile[] = []): Harness {
  const graph = createMemoryIdentityGraph(seed);
  let settings = initial;
  let profiles = 0;
  let messages = 0;
  const mint = (): ProfileId => asProfileId(`profile_${++profiles}`);
  return {
    graph,
    settings: () => settings,
    send(event, at = T0) {
      const extraction = extractIdentifiers({ type: 'track', ...event }, settings);
      settings = extraction.settings;
      const resolution = resolveIdentity(
        {
          identifiers: extraction.identifiers,
          blocked: extraction.blocked,
          at,
          messageId: `msg_${++messages}`,
          sourceId: 'src_test',
          eventType: event.type ?? 'track',
        },
        graph,
        settings,
        mint,
      );
      graph.apply(resolution);
      return resolution;
    },
    idsOf: (profileId) => (graph.profile(profileId)?.identifiers ?? []).map(label).sort(),
  };
}

export function label(id: Identifier): string {
  return `${id.type}:${id.value}`;
}

export const pid = asProfileId;

/** A seeded profile whose identifiers were all added at `createdAt`. */
export function seedProfile(id: string, createdAt: EpochMs, ids: readonly Identifier[], mergeCount = 0): GraphProfile {
  return {
    id: asProfileId(id),
    createdAt,
    mergeCount,
    identifiers: ids.map((i) => ({ ...i, addedAt: createdAt, firstMessageId: `seed_${id}`, sourceId: 'src_seed' })),
  };
}

export function resolvedOf(resolution: Resolution): Extract<Resolution, { kind: 'resolved' }> {
  if (resolution.kind !== 'resolved') throw new Error(`expected a resolved event, got ${JSON.stringify(resolution)}`);
  return resolution;
}
