import type { Identifier, IdentifierRecord } from '../identity/identifier.ts';
import type { EventType, TrackedEvent } from '../ingest/tracked-event.ts';
import type { EpochMs, ProfileId, SpaceId } from '../shared/ids.ts';
import type { Json } from '../shared/json.ts';
import type { ProfileState } from './profile-state.ts';

/**
 * What reaches a profile actor's mailbox. Commands are imperative (`profile.track`), facts past
 * tense (`timer.fired`). Every message names its profile and space so a shard can route it.
 */
export type ActorMessage =
  | {
      readonly type: 'profile.track';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly event: TrackedEvent;
      /** Identifiers identity resolution added to this profile because of this event. */
      readonly newIdentifiers: readonly IdentifierRecord[];
      /**
       * Set when the profile is an account receiving a group call: the account is created with
       * `collection: accounts`, takes the call's traits, and links the user named here.
       */
      readonly account?: { readonly linkedUser: string };
    }
  | {
      /**
       * Folds another profile's whole state into this one (an identity merge). The loser's shard
       * has released it, so `absorbed` is its final committed state, or undefined when it never
       * got one (created and merged within the same request).
       */
      readonly type: 'profile.absorb';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly loserId: ProfileId;
      readonly absorbed: ProfileState | undefined;
      /** The event whose identifiers caused the merge (for the merge log). */
      readonly trigger: { readonly messageId: string; readonly eventType: EventType; readonly at: EpochMs };
    }
  | {
      /**
       * The account `linkKey` (a groupId) was deleted: a user's link to it goes. Sent to each
       * member the deleted account listed.
       */
      readonly type: 'profile.unlink';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly linkKey: string;
    }
  | {
      /** Asks the actor to wake at `dueAt` under `key` (replacing an earlier timer of that key). */
      readonly type: 'profile.schedule';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly key: string;
      readonly dueAt: EpochMs;
    }
  | {
      /**
       * Rebuilds one definition's state from the profile's stored history (a backfill): the state
       * is replaced, not added to, so events the live path already applied are not counted twice.
       * Without `events` (`includeHistoricalData: false`) nothing is replayed: the state the live
       * path built since the definition went live is kept, and the definition is evaluated.
       */
      readonly type: 'profile.backfill';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly definitionId: string;
      readonly events?: readonly TrackedEvent[];
    }
  | {
      readonly type: 'timer.fired';
      readonly profileId: ProfileId;
      readonly spaceId: SpaceId;
      readonly key: string;
      readonly dueAt: EpochMs;
    };

/** What a step asks the runtime to do after the commit. Data, never performed by the actor. */
export type ActorEffect =
  | { readonly type: 'timer.set'; readonly profileId: ProfileId; readonly key: string; readonly dueAt: EpochMs }
  | { readonly type: 'timer.cleared'; readonly profileId: ProfileId; readonly key: string; readonly dueAt: EpochMs }
  | { readonly type: 'timer.fired'; readonly profileId: ProfileId; readonly key: string; readonly dueAt: EpochMs; readonly at: EpochMs }
  | SyncEffect;

/**
 * What destinations must hear of a step (the shard turns them into outbox entries for the
 * connected destinations, in the step's transaction; see `runtime/shard/outbox-entries.ts`).
 */
export type SyncEffect =
  /** A definition's answer trait was written: an audience entered (`true`) or exited (`false`), a computed value changed (`null`: it has none now). */
  | { readonly type: 'answer.changed'; readonly profileId: ProfileId; readonly definitionId: string; readonly key: string; readonly value: Json }
  /** An existing profile gained identifiers: its current answers are re-sent to them. */
  | { readonly type: 'identifiers.added'; readonly profileId: ProfileId; readonly identifiers: readonly Identifier[] }
  /** Another profile was folded into this one (an alias where asked; answers re-sent to the identifiers it brought). */
  | { readonly type: 'profile.merged'; readonly profileId: ProfileId; readonly loserId: ProfileId; readonly gained: readonly Identifier[] };
