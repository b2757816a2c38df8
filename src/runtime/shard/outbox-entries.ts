import type { SyncEffect } from '../../actors/actor-message.ts';
import { answerEntry } from '../../actors/compute-states.ts';
import type { ProfileState } from '../../actors/profile-state.ts';
import type { Identifier } from '../../identity/identifier.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { Json } from '../../shared/json.ts';
import type { OutboxEntry } from '../../store/sync-records.ts';
import { aliasMessage, syncMessages, type SyncIdentifiers } from '../../sync/sync-message.ts';
import type { SpaceSyncTargets, SyncedDefinition, SyncTarget } from './sync-targets.ts';

/** An outbox entry before the shard gives it its place in the destination's queue. */
export interface OutboxDraft {
  readonly destinationId: string;
  readonly entry: OutboxEntry;
}

/** Identifier types a message can be addressed to (Engage syncs userIds, emails, else anonymousIds). */
const RECIPIENT_TYPES = new Set(['user_id', 'email', 'anonymous_id']);

/**
 * The outbox entries one step causes: each changed answer of a connected definition goes to each
 * of its destinations (one message per identifier value); identifiers the profile gained get its
 * current answers (those the step did not change, which go to every identifier anyway); a merge
 * sends an alias where a destination asked for one. Message ids derive from the profile, its
 * version after the step and the destination, so they are the same however often this runs.
 */
export function outboxEntriesForStep(state: ProfileState, effects: readonly SyncEffect[], targets: SpaceSyncTargets, now: EpochMs): OutboxDraft[] {
  const drafts: OutboxDraft[] = [];
  const changed = new Set<string>();
  for (const effect of effects) if (effect.type === 'answer.changed') changed.add(effect.definitionId);
  for (const effect of effects) {
    switch (effect.type) {
      case 'answer.changed': {
        const synced = targets.definitions.get(effect.definitionId);
        if (synced === undefined) break;
        for (const target of synced.targets) {
          drafts.push(...draftsFor(state, synced, target, effect.value, `${state.id}\u0000${state.version}\u0000${synced.id}`, now));
        }
        break;
      }
      case 'identifiers.added':
        drafts.push(...resend(state, effect.identifiers, changed, targets, now));
        break;
      case 'profile.merged':
        drafts.push(...resend(state, effect.gained, changed, targets, now));
        for (const alias of targets.aliasTargets) {
          const message = aliasMessage({
            previousId: effect.loserId,
            userId: state.id,
            seed: `alias\u0000${effect.loserId}\u0000${state.id}\u0000${alias.destinationId}`,
            timestamp: now,
            destinationName: alias.destinationName,
          });
          drafts.push({
            destinationId: alias.destinationId,
            entry: { messageId: message.messageId, spaceId: state.spaceId, destinationId: alias.destinationId, profileId: state.id, createdAt: now, body: JSON.stringify(message.body) },
          });
        }
        break;
    }
  }
  return drafts;
}

/** A deleted profile exits every connected audience it was a member of. */
export function exitEntries(state: ProfileState, targets: SpaceSyncTargets, now: EpochMs): OutboxDraft[] {
  const drafts: OutboxDraft[] = [];
  for (const synced of targets.definitions.values()) {
    if (synced.kind !== 'audience' || currentAnswer(state, synced) !== true) continue;
    for (const target of synced.targets) drafts.push(...draftsFor(state, synced, target, false, `erase\u0000${state.id}\u0000${state.version}\u0000${synced.id}`, now));
  }
  return drafts;
}

/** What a first connection sends of one profile: its membership if a member, its value if it has one. */
export function connectionEntries(state: ProfileState, synced: SyncedDefinition, target: SyncTarget, now: EpochMs): OutboxDraft[] {
  const value = currentAnswer(state, synced);
  if (value === undefined || (synced.kind === 'audience' && value !== true)) return [];
  return draftsFor(state, synced, target, value, `connect\u0000${target.connectionId}\u0000${state.id}\u0000${synced.id}`, now);
}

function resend(state: ProfileState, gained: readonly Identifier[], changed: ReadonlySet<string>, targets: SpaceSyncTargets, now: EpochMs): OutboxDraft[] {
  const recipients = gained.filter((identifier) => RECIPIENT_TYPES.has(identifier.type));
  if (recipients.length === 0) return [];
  const drafts: OutboxDraft[] = [];
  for (const synced of targets.definitions.values()) {
    if (changed.has(synced.id)) continue;
    const value = currentAnswer(state, synced);
    if (value === undefined || (synced.kind === 'audience' && value !== true)) continue;
    for (const target of synced.targets) {
      drafts.push(...draftsFor(state, synced, target, value, `resend\u0000${state.id}\u0000${state.version}\u0000${synced.id}`, now, recipients));
    }
  }
  return drafts;
}

/** The definition's answer on the profile now; undefined when it has none (never a member, no value). */
function currentAnswer(state: ProfileState, synced: SyncedDefinition): Json | undefined {
  const entry = answerEntry(state.compute, synced.key);
  return entry === undefined || entry.value === null ? undefined : entry.value;
}

function draftsFor(
  state: ProfileState,
  synced: SyncedDefinition,
  target: SyncTarget,
  value: Json,
  seed: string,
  now: EpochMs,
  recipients?: readonly Identifier[],
): OutboxDraft[] {
  const messages = syncMessages({
    computation: { class: synced.kind, id: synced.id, key: synced.key, spaceId: state.spaceId },
    value,
    format: target.format,
    identifiers: identifiersOf(state),
    ...(recipients === undefined ? {} : { recipients: recipients.map(({ type, value: v }) => ({ type: type as 'user_id' | 'email' | 'anonymous_id', value: v })) }),
    seed: `${seed}\u0000${target.destinationId}`,
    timestamp: now,
    destinationName: target.destinationName,
  });
  return messages.map((message) => ({
    destinationId: target.destinationId,
    entry: {
      messageId: message.messageId,
      spaceId: state.spaceId,
      destinationId: target.destinationId,
      definitionId: synced.id,
      connectionId: target.connectionId,
      profileId: state.id,
      createdAt: now,
      body: JSON.stringify(message.body),
    },
  }));
}

function identifiersOf(state: ProfileState): SyncIdentifiers {
  const userIds: string[] = [];
  const emails: string[] = [];
  const anonymousIds: string[] = [];
  for (const { type, value } of state.identifiers) {
    if (type === 'user_id') userIds.push(value);
    else if (type === 'email') emails.push(value);
    else if (type === 'anonymous_id') anonymousIds.push(value);
  }
  return { userIds, emails, anonymousIds };
}
