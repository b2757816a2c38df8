import type { EpochMs } from '../shared/ids.ts';
import type { Json, JsonObject } from '../shared/json.ts';
import type { SyncFormat } from './destination-record.ts';
import { syncMessageId } from './message-id.ts';

/**
 * The Segment-spec messages Engage sends a destination when a profile's audience membership or
 * computed trait value changes (segment-reference §6.2, contract "Details fixed: Sync"). Pure: the
 * caller supplies the time and a seed that names the change, and gets back bodies ready to POST.
 */

export type ComputationClass = 'audience' | 'computed_trait';

/** The audience or computed trait whose value changed. */
export interface SyncComputation {
  readonly class: ComputationClass;
  readonly id: string;
  readonly key: string;
  readonly spaceId: string;
}

/** The profile's identifier values, first-seen first: the first userId is "the profile's userId". */
export interface SyncIdentifiers {
  readonly userIds: readonly string[];
  readonly emails: readonly string[];
  readonly anonymousIds: readonly string[];
}

export type RecipientType = 'user_id' | 'email' | 'anonymous_id';

/** The identifier value one message is addressed to. */
export interface SyncRecipient {
  readonly type: RecipientType;
  readonly value: string;
}

export interface SyncChange {
  readonly computation: SyncComputation;
  /** An audience: `true` entered, `false` exited. A computed trait: its value, `null` once it has none. */
  readonly value: Json;
  readonly format: SyncFormat;
  readonly identifiers: SyncIdentifiers;
  /** Only the messages for these identifier values (re-sending to an identifier just added). */
  readonly recipients?: readonly SyncRecipient[];
  /** Names the change (and the connection): with the recipient it determines each `messageId`. */
  readonly seed: string;
  readonly timestamp: EpochMs;
  /** The destination's name, the one integration enabled in `integrations`. */
  readonly destinationName: string;
}

/** One request's worth: the body to POST and its `messageId` (also in the body), stable across retries. */
export interface OutgoingMessage {
  readonly messageId: string;
  readonly body: JsonObject;
}

/**
 * The messages for one change: one per userId value and one per email value, or, on a profile with
 * neither, one per anonymousId value (Engage's "include anonymous users"); none without any of these.
 *
 * @example
 * syncMessages({ computation: { class: 'audience', id: 'aud_1', key: 'vip', spaceId: 'spa_1' }, value: true,
 *   format: 'track', identifiers: { userIds: ['u1'], emails: [], anonymousIds: [] }, seed: 'chg_1',
 *   timestamp: 0, destinationName: 'Webhook' })
 * // → [{ messageId, body: { type: 'track', userId: 'u1', event: 'Audience Entered', properties: { audience_key: 'vip', vip: true }, … } }]
 */
export function syncMessages(change: SyncChange): OutgoingMessage[] {
  const wanted = change.recipients;
  const recipients = recipientsOf(change.identifiers).filter(
    (recipient) => wanted === undefined || wanted.some((w) => w.type === recipient.type && w.value === recipient.value),
  );
  return recipients.map((recipient) => messageFor(change, recipient));
}

export interface AliasRequest {
  /** The id of the profile merged away. */
  readonly previousId: string;
  /** The surviving profile's id. */
  readonly userId: string;
  readonly seed: string;
  readonly timestamp: EpochMs;
  readonly destinationName: string;
}

/** The `alias` a destination with `sendAliasOnMerge` gets when two profiles merge (segment-reference §6.3). */
export function aliasMessage(request: AliasRequest): OutgoingMessage {
  const messageId = syncMessageId(request.seed, 'alias', request.previousId, request.userId);
  return {
    messageId,
    body: {
      type: 'alias',
      previousId: request.previousId,
      userId: request.userId,
      messageId,
      timestamp: new Date(request.timestamp).toISOString(),
      integrations: integrationsFor(request.destinationName),
    },
  };
}

function recipientsOf(identifiers: SyncIdentifiers): SyncRecipient[] {
  const known = [...recipientsOfType('user_id', identifiers.userIds), ...recipientsOfType('email', identifiers.emails)];
  return known.length > 0 ? known : recipientsOfType('anonymous_id', identifiers.anonymousIds);
}

// A value listed twice would give two messages with one messageId: the receiver would drop one.
function recipientsOfType(type: RecipientType, values: readonly string[]): SyncRecipient[] {
  return [...new Set(values)].map((value) => ({ type, value }));
}

function messageFor(change: SyncChange, recipient: SyncRecipient): OutgoingMessage {
  const messageId = syncMessageId(change.seed, recipient.type, recipient.value);
  const { computation, value } = change;
  const email = recipient.type === 'email' ? recipient.value : undefined;
  const context: JsonObject = {
    personas: {
      computation_class: computation.class,
      computation_id: computation.id,
      computation_key: computation.key,
      namespace: computation.spaceId,
      space_id: computation.spaceId,
    },
  };
  const body: JsonObject = { type: change.format };
  addressTo(body, recipient, change.identifiers);
  if (change.format === 'identify') {
    const traits: JsonObject = { [computation.key]: value };
    // Set after the computed value: a trait keyed `email` must not re-address the message.
    if (email !== undefined) traits['email'] = email;
    body['traits'] = traits;
  } else {
    body['event'] = eventName(computation.class, value);
    body['properties'] =
      computation.class === 'audience' ? { audience_key: computation.key, [computation.key]: value } : { trait_key: computation.key, [computation.key]: value };
    if (email !== undefined) context['traits'] = { email };
  }
  body['context'] = context;
  body['integrations'] = integrationsFor(change.destinationName);
  body['messageId'] = messageId;
  body['timestamp'] = new Date(change.timestamp).toISOString();
  return { messageId, body };
}

/**
 * Every message carries the profile's first userId when it has one (a userId message its own);
 * one without a userId carries an anonymousId instead (its own, for an anonymousId message), when
 * the profile has one.
 */
function addressTo(body: JsonObject, recipient: SyncRecipient, identifiers: SyncIdentifiers): void {
  if (recipient.type === 'user_id') {
    body['userId'] = recipient.value;
    return;
  }
  if (recipient.type === 'anonymous_id') {
    body['anonymousId'] = recipient.value;
    return;
  }
  const [userId] = identifiers.userIds;
  const [anonymousId] = identifiers.anonymousIds;
  if (userId !== undefined) body['userId'] = userId;
  else if (anonymousId !== undefined) body['anonymousId'] = anonymousId;
}

function eventName(computationClass: ComputationClass, value: Json): string {
  if (computationClass === 'computed_trait') return 'Trait Computed';
  return value === true ? 'Audience Entered' : 'Audience Exited';
}

function integrationsFor(destinationName: string): JsonObject {
  return { All: false, [destinationName]: true };
}
