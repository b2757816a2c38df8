import { describe, expect, it } from 'vitest';
import { extractIdentifiers } from '../../../src/identity/extract-identifiers.ts';
import { identitySettingsFrom, withCustomType } from '../../../src/identity/settings.ts';
import type { JsonObject } from '../../../src/shared/json.ts';
import { MAX_ID_BYTES } from '../../../src/shared/key-bounds.ts';
import { type TestEvent, label } from './identity-harness.ts';

const settings = identitySettingsFrom(undefined);

function ids(event: TestEvent): string[] {
  return extractIdentifiers({ type: 'track', ...event }, settings).identifiers.map(label);
}

function device(fields: JsonObject): TestEvent {
  return { context: { device: fields } };
}

describe('extractIdentifiers: default locations (§4.2)', () => {
  it('user_id from userId, anonymous_id from anonymousId', () => {
    expect(ids({ userId: 'u1', anonymousId: 'a1' })).toEqual(['user_id:u1', 'anonymous_id:a1']);
  });

  it('email from traits.email and context.traits.email, deduplicated', () => {
    expect(ids({ type: 'identify', traits: { email: 'jane@x.com' } })).toEqual(['email:jane@x.com']);
    expect(ids({ context: { traits: { email: 'jane@x.com' } } })).toEqual(['email:jane@x.com']);
    expect(ids({ type: 'identify', traits: { email: 'jane@x.com' }, context: { traits: { email: 'jane@x.com' } } })).toEqual(['email:jane@x.com']);
    expect(ids({ type: 'identify', traits: { email: 'a@x.com' }, context: { traits: { email: 'b@x.com' } } })).toEqual(['email:a@x.com', 'email:b@x.com']);
  });

  it("ignores a group call's traits.email (the group's address) but reads its context.traits.email", () => {
    expect(ids({ type: 'group', groupId: 'g1', traits: { email: 'team@co.com' }, context: { traits: { email: 'jane@x.com' } } })).toEqual([
      'email:jane@x.com',
      'group_id:g1',
    ]);
  });

  it('android.id / ios.id from context.device.id by device type, case-insensitively', () => {
    expect(ids(device({ type: 'android', id: 'd1' }))).toEqual(['android.id:d1']);
    expect(ids(device({ type: 'Android', id: 'd1' }))).toEqual(['android.id:d1']);
    expect(ids(device({ type: 'ios', id: 'd2' }))).toEqual(['ios.id:d2']);
    expect(ids(device({ type: 'IOS', id: 'd2' }))).toEqual(['ios.id:d2']);
  });

  it('reads no device identifier without a known device type', () => {
    expect(ids(device({ id: 'd1', token: 't', advertisingId: 'ad', adTrackingEnabled: true }))).toEqual([]);
    expect(ids(device({ type: 'windows', id: 'd1' }))).toEqual([]);
    expect(ids(device({ type: 7, id: 'd1' }))).toEqual([]);
  });

  it('*.push_token from context.device.token', () => {
    expect(ids(device({ type: 'android', token: 'pt1' }))).toEqual(['android.push_token:pt1']);
    expect(ids(device({ type: 'ios', token: 'pt2' }))).toEqual(['ios.push_token:pt2']);
  });

  it('*.idfa from context.device.advertisingId only when adTrackingEnabled === true', () => {
    expect(ids(device({ type: 'ios', advertisingId: 'ad1', adTrackingEnabled: true }))).toEqual(['ios.idfa:ad1']);
    expect(ids(device({ type: 'android', advertisingId: 'ad2', adTrackingEnabled: true }))).toEqual(['android.idfa:ad2']);
    expect(ids(device({ type: 'ios', advertisingId: 'ad1', adTrackingEnabled: false }))).toEqual([]);
    expect(ids(device({ type: 'ios', advertisingId: 'ad1', adTrackingEnabled: 'true' }))).toEqual([]);
    expect(ids(device({ type: 'ios', advertisingId: 'ad1' }))).toEqual([]);
  });

  it("ga_client_id from context.integrations['Google Analytics'].clientId, or the top-level integrations", () => {
    expect(ids({ context: { integrations: { 'Google Analytics': { clientId: 'ga1' } } } })).toEqual(['ga_client_id:ga1']);
    expect(ids({ integrations: { 'Google Analytics': { clientId: 'ga2' } } })).toEqual(['ga_client_id:ga2']);
    expect(ids({ integrations: { 'Google Analytics': true } })).toEqual([]);
  });

  it('group_id from groupId', () => {
    expect(ids({ type: 'group', groupId: 'g1', userId: 'u1' })).toEqual(['user_id:u1', 'group_id:g1']);
  });

  it('does not treat an alias previousId as an identifier', () => {
    expect(ids({ type: 'alias', userId: 'u2', previousId: 'u1' })).toEqual(['user_id:u2']);
  });

  it('ignores non-string values', () => {
    expect(ids({ type: 'identify', traits: { email: 42 }, context: { traits: { email: null }, device: { type: 'ios', id: 5, token: true } } })).toEqual([]);
    expect(ids({ context: { traits: 'x', device: 'y', integrations: [] } })).toEqual([]);
  });

  it('returns identifiers in priority order, whatever the event order', () => {
    expect(
      ids({
        anonymousId: 'a1',
        groupId: 'g1',
        userId: 'u1',
        context: {
          traits: { email: 'e@x.com' },
          device: { type: 'ios', id: 'd', token: 't', advertisingId: 'ad', adTrackingEnabled: true },
          integrations: { 'Google Analytics': { clientId: 'ga' } },
        },
      }),
    ).toEqual(['user_id:u1', 'email:e@x.com', 'anonymous_id:a1', 'ga_client_id:ga', 'group_id:g1', 'ios.id:d', 'ios.idfa:ad', 'ios.push_token:t']);
  });
});

describe('extractIdentifiers: blocked values', () => {
  it('drops blocked values and reports them', () => {
    const result = extractIdentifiers({ type: 'identify', userId: 'null', anonymousId: '0000', traits: { email: 'jane@x.com' } }, settings);
    expect(result.identifiers.map(label)).toEqual(['email:jane@x.com']);
    expect(result.blocked.map(label)).toEqual(['user_id:null', 'anonymous_id:0000']);
  });

  it('applies blocked values to every type, custom ones included', () => {
    const result = extractIdentifiers({ type: 'track', context: { externalIds: [{ id: 'undefined', type: 'phone', collection: 'users', encoding: 'none' }] } }, settings);
    expect(result.identifiers).toEqual([]);
    expect(result.blocked.map(label)).toEqual(['phone:undefined']);
    expect(result.newTypes).toEqual([]);
  });
});

describe('extractIdentifiers: context.externalIds', () => {
  const entry = (id: unknown, type: unknown) => ({ id, type, collection: 'users', encoding: 'none' }) as JsonObject;

  it('reads custom types, lower-cased, and auto-adds them with an alphabetical priority', () => {
    const result = extractIdentifiers({ type: 'track', userId: 'u1', context: { externalIds: [entry('123-456', 'Phone')] } }, settings);
    expect(result.identifiers.map(label)).toEqual(['user_id:u1', 'phone:123-456']);
    expect(result.newTypes).toEqual(['phone']);
    expect(result.settings.rules.get('phone')).toMatchObject({ limit: 5, priority: 12 });
    expect(result.settings).not.toBe(settings);
  });

  it('orders a new custom type by its new rank', () => {
    const result = extractIdentifiers({ type: 'track', anonymousId: 'a1', context: { externalIds: [entry('b1', 'braze_id')] } }, settings);
    expect(result.identifiers.map(label)).toEqual(['anonymous_id:a1', 'braze_id:b1']);
    const early = extractIdentifiers({ type: 'track', groupId: 'g1', context: { externalIds: [entry('b1', 'braze_id')] } }, settings);
    expect(early.identifiers.map(label)).toEqual(['braze_id:b1', 'group_id:g1']);
  });

  it('keeps the settings object when no type is new', () => {
    const known = withCustomType(settings, 'phone');
    const result = extractIdentifiers({ type: 'track', context: { externalIds: [entry('1', 'phone'), entry('e@x.com', 'email')] } }, known);
    expect(result.settings).toBe(known);
    expect(result.newTypes).toEqual([]);
    expect(result.identifiers.map(label)).toEqual(['email:e@x.com', 'phone:1']);
  });

  it('coerces numeric ids and reads entries without collection or encoding', () => {
    const result = extractIdentifiers({ type: 'track', context: { externalIds: [{ id: 4155550100, type: 'phone' }] } }, settings);
    expect(result.identifiers.map(label)).toEqual(['phone:4155550100']);
  });

  it('skips malformed entries without throwing', () => {
    const externalIds = [null, 'phone', 7, [], {}, entry({ n: 1 }, 'phone'), entry(true, 'phone'), entry('x', 5), entry('x', ''), entry('x', 'a:b'), entry(null, 'phone'), entry('ok', 'crm_id')];
    const result = extractIdentifiers({ type: 'track', context: { externalIds } }, settings);
    expect(result.identifiers.map(label)).toEqual(['crm_id:ok']);
    expect(result.newTypes).toEqual(['crm_id']);
    expect(ids({ context: { externalIds: { id: '1', type: 'phone' } } })).toEqual([]);
  });

  it('learns at most maxCustomTypes new types; beyond, a new type\'s identifier is ignored and reported, known types still count', () => {
    const capped = identitySettingsFrom(undefined, 2);
    const externalIds = [entry('1', 'crm_a'), entry('2', 'crm_b'), entry('3', 'crm_c'), entry('4', 'CRM_A'), entry('5', 'email'), entry('6', 'crm_c')];
    const result = extractIdentifiers({ type: 'track', context: { externalIds } }, capped);
    expect(result.identifiers.map(label)).toEqual(['email:5', 'crm_a:1', 'crm_a:4', 'crm_b:2']);
    expect(result.newTypes).toEqual(['crm_a', 'crm_b']);
    expect(result.overTypeLimit.map(label)).toEqual(['crm_c:3', 'crm_c:6']);
    expect(result.settings.customTypes).toBe(2);
    // Full: the next event learns nothing new either; a blocked value of an unknown type is only "blocked".
    const next = extractIdentifiers({ type: 'track', context: { externalIds: [entry('7', 'crm_d'), entry('undefined', 'crm_e'), entry('8', 'crm_b')] } }, result.settings);
    expect(next.settings).toBe(result.settings);
    expect(next.identifiers.map(label)).toEqual(['crm_b:8']);
    expect(next.overTypeLimit.map(label)).toEqual(['crm_d:7']);
    expect(next.blocked.map(label)).toEqual(['crm_e:undefined']);
    // A cap of 0 learns nothing; configured and default types are not custom.
    expect(extractIdentifiers({ type: 'track', context: { externalIds: [entry('1', 'phone'), entry('e@x.com', 'email')] } }, identitySettingsFrom(undefined, 0)).overTypeLimit.map(label)).toEqual(['phone:1']);
  });

  it('adds each new type once', () => {
    const result = extractIdentifiers({ type: 'track', context: { externalIds: [entry('1', 'phone'), entry('2', 'PHONE'), entry('1', 'phone')] } }, settings);
    expect(result.identifiers.map(label)).toEqual(['phone:1', 'phone:2']);
    expect(result.newTypes).toEqual(['phone']);
  });
});

describe('extractIdentifiers: value length (the shared bound, MAX_ID_BYTES = 1,536)', () => {
  it('accepts a value of exactly 1,536 UTF-8 bytes', () => {
    expect(MAX_ID_BYTES).toBe(1536);
    const result = extractIdentifiers({ type: 'track', userId: 'x'.repeat(1536) }, settings);
    expect(result.error).toBeUndefined();
    expect(result.identifiers).toHaveLength(1);
  });

  it('rejects a longer value with id_too_long naming the field', () => {
    const result = extractIdentifiers({ type: 'track', userId: 'u1', anonymousId: 'a'.repeat(1537) }, settings);
    expect(result.error).toEqual({ code: 'id_too_long', message: 'anonymousId is longer than 1536 UTF-8 bytes' });
    expect(result.identifiers.map(label)).toEqual(['user_id:u1']);
  });

  it('counts bytes, not characters', () => {
    // 513 euro signs: 513 characters, 1,539 bytes.
    const euros = extractIdentifiers({ type: 'identify', traits: { email: '€'.repeat(513) } }, settings);
    expect(euros.error?.message).toBe('traits.email is longer than 1536 UTF-8 bytes');
    // 384 emoji: 768 UTF-16 units, 1,536 bytes.
    expect(extractIdentifiers({ type: 'track', userId: '😀'.repeat(384) }, settings).error).toBeUndefined();
    expect(extractIdentifiers({ type: 'track', userId: `${'😀'.repeat(384)}x` }, settings).error?.code).toBe('id_too_long');
  });

  it('names nested fields', () => {
    const long = 'd'.repeat(2000);
    const message = (event: TestEvent) => extractIdentifiers({ type: 'track', ...event }, settings).error?.message;
    expect(message(device({ type: 'ios', id: long }))).toBe('context.device.id is longer than 1536 UTF-8 bytes');
    expect(message({ context: { externalIds: [{ id: long, type: 'phone' }] } })).toBe('context.externalIds[0].id is longer than 1536 UTF-8 bytes');
    expect(message({ integrations: { 'Google Analytics': { clientId: long } } })).toBe("integrations['Google Analytics'].clientId is longer than 1536 UTF-8 bytes");
  });
});
