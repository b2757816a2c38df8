import { describe, expect, it } from 'vitest';
import type { SyncFormat } from '../../../src/sync/destination-record.ts';
import { syncMessageId } from '../../../src/sync/message-id.ts';
import { aliasMessage, syncMessages, type SyncChange, type SyncComputation, type SyncIdentifiers } from '../../../src/sync/sync-message.ts';
import type { Json } from '../../../src/shared/json.ts';

const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
const iso = '2026-01-02T03:04:05.006Z';
const audience: SyncComputation = { class: 'audience', id: 'aud_123', key: 'first_time_shopper', spaceId: 'spa_9' };
const trait: SyncComputation = { class: 'computed_trait', id: 'ct_7', key: 'order_count', spaceId: 'spa_9' };
const justU123: SyncIdentifiers = { userIds: ['u123'], emails: [], anonymousIds: ['anon-1'] };

function change(computation: SyncComputation, value: Json, format: SyncFormat, identifiers: SyncIdentifiers = justU123): SyncChange {
  return { computation, value, format, identifiers, seed: 'chg_1', timestamp: at, destinationName: 'My Webhook' };
}

function personas(computation: SyncComputation) {
  return {
    computation_class: computation.class,
    computation_id: computation.id,
    computation_key: computation.key,
    namespace: 'spa_9',
    space_id: 'spa_9',
  };
}

const integrations = { All: false, 'My Webhook': true };
const idOfU123 = syncMessageId('chg_1', 'user_id', 'u123');

describe('sync messages in identify format (segment-reference §6.2)', () => {
  it('sets the audience key to true on enter and false on exit', () => {
    expect(syncMessages(change(audience, true, 'identify'))).toEqual([
      {
        messageId: idOfU123,
        body: {
          type: 'identify',
          userId: 'u123',
          traits: { first_time_shopper: true },
          context: { personas: personas(audience) },
          integrations,
          messageId: idOfU123,
          timestamp: iso,
        },
      },
    ]);
    expect(syncMessages(change(audience, false, 'identify'))).toEqual([
      {
        messageId: idOfU123,
        body: {
          type: 'identify',
          userId: 'u123',
          traits: { first_time_shopper: false },
          context: { personas: personas(audience) },
          integrations,
          messageId: idOfU123,
          timestamp: iso,
        },
      },
    ]);
  });

  it("sets a computed trait's value, and null once it has none", () => {
    const [message] = syncMessages(change(trait, 4, 'identify'));
    expect(message?.body).toEqual({
      type: 'identify',
      userId: 'u123',
      traits: { order_count: 4 },
      context: { personas: personas(trait) },
      integrations,
      messageId: idOfU123,
      timestamp: iso,
    });
    expect(syncMessages(change(trait, null, 'identify'))[0]?.body['traits']).toEqual({ order_count: null });
  });
});

describe('sync messages in track format (segment-reference §6.2)', () => {
  it('sends Audience Entered and Audience Exited with audience_key', () => {
    expect(syncMessages(change(audience, true, 'track'))).toEqual([
      {
        messageId: idOfU123,
        body: {
          type: 'track',
          userId: 'u123',
          event: 'Audience Entered',
          properties: { audience_key: 'first_time_shopper', first_time_shopper: true },
          context: { personas: personas(audience) },
          integrations,
          messageId: idOfU123,
          timestamp: iso,
        },
      },
    ]);
    expect(syncMessages(change(audience, false, 'track'))[0]?.body).toEqual({
      type: 'track',
      userId: 'u123',
      event: 'Audience Exited',
      properties: { audience_key: 'first_time_shopper', first_time_shopper: false },
      context: { personas: personas(audience) },
      integrations,
      messageId: idOfU123,
      timestamp: iso,
    });
  });

  it('sends Trait Computed with trait_key', () => {
    expect(syncMessages(change(trait, 'gold', 'track'))[0]?.body).toEqual({
      type: 'track',
      userId: 'u123',
      event: 'Trait Computed',
      properties: { trait_key: 'order_count', order_count: 'gold' },
      context: { personas: personas(trait) },
      integrations,
      messageId: idOfU123,
      timestamp: iso,
    });
  });
});

describe('one message per identifier value', () => {
  const twoEmails: SyncIdentifiers = { userIds: ['u1'], emails: ['a@x.io', 'b@x.io'], anonymousIds: ['anon-1'] };

  it('sends 1 userId + 2 emails as 3 identify messages, each email one carrying the userId', () => {
    const messages = syncMessages(change(audience, true, 'identify', twoEmails));
    expect(messages.map((m) => m.messageId)).toEqual([
      syncMessageId('chg_1', 'user_id', 'u1'),
      syncMessageId('chg_1', 'email', 'a@x.io'),
      syncMessageId('chg_1', 'email', 'b@x.io'),
    ]);
    expect(messages.map((m) => [m.body['userId'], m.body['anonymousId'], m.body['traits']])).toEqual([
      ['u1', undefined, { first_time_shopper: true }],
      ['u1', undefined, { first_time_shopper: true, email: 'a@x.io' }],
      ['u1', undefined, { first_time_shopper: true, email: 'b@x.io' }],
    ]);
  });

  it('puts the email in context.traits for track, next to personas', () => {
    const messages = syncMessages(change(audience, true, 'track', twoEmails));
    expect(messages.map((m) => m.body['context'])).toEqual([
      { personas: personas(audience) },
      { personas: personas(audience), traits: { email: 'a@x.io' } },
      { personas: personas(audience), traits: { email: 'b@x.io' } },
    ]);
    expect(messages.map((m) => m.body['properties'])).toEqual([
      { audience_key: 'first_time_shopper', first_time_shopper: true },
      { audience_key: 'first_time_shopper', first_time_shopper: true },
      { audience_key: 'first_time_shopper', first_time_shopper: true },
    ]);
  });

  it("carries the first userId on every message, and each userId message its own", () => {
    const messages = syncMessages(change(audience, true, 'track', { userIds: ['u1', 'u2'], emails: ['a@x.io'], anonymousIds: [] }));
    expect(messages.map((m) => [m.body['userId'], m.body['context']])).toEqual([
      ['u1', { personas: personas(audience) }],
      ['u2', { personas: personas(audience) }],
      ['u1', { personas: personas(audience), traits: { email: 'a@x.io' } }],
    ]);
  });

  it('addresses an email message without a userId by the first anonymousId', () => {
    const [message] = syncMessages(change(audience, true, 'identify', { userIds: [], emails: ['a@x.io'], anonymousIds: ['anon-1', 'anon-2'] }));
    expect(message).toEqual({
      messageId: syncMessageId('chg_1', 'email', 'a@x.io'),
      body: {
        type: 'identify',
        anonymousId: 'anon-1',
        traits: { first_time_shopper: true, email: 'a@x.io' },
        context: { personas: personas(audience) },
        integrations,
        messageId: syncMessageId('chg_1', 'email', 'a@x.io'),
        timestamp: iso,
      },
    });
  });

  it('keeps the recipient in traits.email when the computed trait itself is keyed email', () => {
    const emailTrait: SyncComputation = { ...trait, key: 'email' };
    const messages = syncMessages(change(emailTrait, 'computed@x.io', 'identify', { userIds: ['u1'], emails: ['a@x.io'], anonymousIds: [] }));
    expect(messages.map((m) => m.body['traits'])).toEqual([{ email: 'computed@x.io' }, { email: 'a@x.io' }]);
  });

  it('sends an email-only profile without userId or anonymousId', () => {
    const [message] = syncMessages(change(audience, true, 'identify', { userIds: [], emails: ['a@x.io'], anonymousIds: [] }));
    expect(Object.keys(message?.body ?? {})).toEqual(['type', 'traits', 'context', 'integrations', 'messageId', 'timestamp']);
  });

  it('sends one message per anonymousId on a profile with no userId and no email', () => {
    const messages = syncMessages(change(audience, true, 'track', { userIds: [], emails: [], anonymousIds: ['anon-1', 'anon-2'] }));
    expect(messages).toEqual([
      {
        messageId: syncMessageId('chg_1', 'anonymous_id', 'anon-1'),
        body: {
          type: 'track',
          anonymousId: 'anon-1',
          event: 'Audience Entered',
          properties: { audience_key: 'first_time_shopper', first_time_shopper: true },
          context: { personas: personas(audience) },
          integrations,
          messageId: syncMessageId('chg_1', 'anonymous_id', 'anon-1'),
          timestamp: iso,
        },
      },
      {
        messageId: syncMessageId('chg_1', 'anonymous_id', 'anon-2'),
        body: {
          type: 'track',
          anonymousId: 'anon-2',
          event: 'Audience Entered',
          properties: { audience_key: 'first_time_shopper', first_time_shopper: true },
          context: { personas: personas(audience) },
          integrations,
          messageId: syncMessageId('chg_1', 'anonymous_id', 'anon-2'),
          timestamp: iso,
        },
      },
    ]);
  });

  it('sends nothing for a profile without identifiers, and once for a value listed twice', () => {
    expect(syncMessages(change(audience, true, 'track', { userIds: [], emails: [], anonymousIds: [] }))).toEqual([]);
    const twice = syncMessages(change(audience, true, 'track', { userIds: ['u1'], emails: ['a@x.io', 'a@x.io'], anonymousIds: [] }));
    expect(twice.map((m) => m.messageId)).toEqual([syncMessageId('chg_1', 'user_id', 'u1'), syncMessageId('chg_1', 'email', 'a@x.io')]);
  });
});

describe('recipients', () => {
  const identifiers: SyncIdentifiers = { userIds: ['u1'], emails: ['a@x.io', 'b@x.io'], anonymousIds: ['anon-1'] };

  it('keeps only the messages for the listed identifier values, with the same ids as a full send', () => {
    const all = syncMessages(change(audience, true, 'identify', identifiers));
    const onlyB = syncMessages({ ...change(audience, true, 'identify', identifiers), recipients: [{ type: 'email', value: 'b@x.io' }] });
    expect(onlyB).toEqual([all[2]]);
    expect(onlyB[0]?.body['userId']).toEqual('u1');
  });

  it('matches on type and value both, and sends nothing for a value the profile lacks', () => {
    const recipients = [
      { type: 'user_id', value: 'a@x.io' },
      { type: 'email', value: 'c@x.io' },
      { type: 'anonymous_id', value: 'anon-1' },
    ] as const;
    expect(syncMessages({ ...change(audience, true, 'identify', identifiers), recipients })).toEqual([]);
    expect(syncMessages({ ...change(audience, true, 'identify', identifiers), recipients: [] })).toEqual([]);
  });
});

describe('message ids', () => {
  it('are the same for the same seed and recipient, and differ otherwise', () => {
    const first = syncMessages(change(audience, true, 'track', { userIds: ['u1'], emails: ['a@x.io'], anonymousIds: [] }));
    const again = syncMessages(change(audience, true, 'track', { userIds: ['u1'], emails: ['a@x.io'], anonymousIds: [] }));
    const otherSeed = syncMessages({ ...change(audience, true, 'track', { userIds: ['u1'], emails: ['a@x.io'], anonymousIds: [] }), seed: 'chg_2' });
    expect(again.map((m) => m.messageId)).toEqual(first.map((m) => m.messageId));
    const ids = new Set([...first, ...otherSeed].map((m) => m.messageId));
    expect(ids.size).toBe(4);
  });

  it('are troupe- plus 32 hex digits, and tell apart the type of an identical value', () => {
    // Pinned: ids derived again after an upgrade must still match those already sent.
    expect(idOfU123).toBe('troupe-ef9ac0e81214e4c59e95878cd2ed9b17');
    expect(syncMessageId('s', 'user_id', 'x')).not.toEqual(syncMessageId('s', 'email', 'x'));
    // Part boundaries are unambiguous: no separator trick makes two part lists collide.
    expect(syncMessageId('s', 'a', 'b\u0000c')).not.toEqual(syncMessageId('s', 'a\u0000b', 'c'));
  });
});

describe('alias on merge', () => {
  it('names the merged-away id and the surviving one', () => {
    const messageId = syncMessageId('merge_1', 'alias', 'old-user', 'new-user');
    expect(aliasMessage({ previousId: 'old-user', userId: 'new-user', seed: 'merge_1', timestamp: at, destinationName: 'My Webhook' })).toEqual({
      messageId,
      body: { type: 'alias', previousId: 'old-user', userId: 'new-user', messageId, timestamp: iso, integrations },
    });
  });
});
