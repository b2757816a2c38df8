import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { isValidSigningSecret, signatureHeaders } from '../../../src/sync/webhook-signature.ts';

const key = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const secret = `whsec_${key.toString('base64')}`;
const body = JSON.stringify({ type: 'track', event: 'Audience Entered', properties: { note: 'é ✓' } });

// Written here from the spec, not from the module: HMAC-SHA256 over `${id}.${timestamp}.${body}`.
function independentSignature(rawKey: Buffer, id: string, timestamp: number, payload: string): string {
  return `v1,${createHmac('sha256', rawKey).update(`${id}.${timestamp}.${payload}`, 'utf8').digest('base64')}`;
}

describe('Standard Webhooks signature', () => {
  it('gives the three headers, signed over id, timestamp and the exact body', () => {
    expect(signatureHeaders({ secret, messageId: 'troupe-abc', timestampSeconds: 1_767_225_600, body })).toEqual({
      'webhook-id': 'troupe-abc',
      'webhook-timestamp': '1767225600',
      'webhook-signature': independentSignature(key, 'troupe-abc', 1_767_225_600, body),
    });
  });

  it("matches the spec's published test vector", () => {
    // From the Standard Webhooks reference libraries' tests.
    const headers = signatureHeaders({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSeconds: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a secret without the whsec_ prefix, signing with the same key', () => {
    const bare = signatureHeaders({ secret: key.toString('base64'), messageId: 'm', timestampSeconds: 5, body });
    expect(bare['webhook-signature']).toBe(independentSignature(key, 'm', 5, body));
  });

  it("verifies with the library's own verify, and fails it for a changed body", () => {
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({ secret, messageId: 'troupe-abc', timestampSeconds, body });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('Entered', 'Exited'), headers)).toThrow('No matching signature found');
  });

  it('refuses a malformed secret or timestamp without echoing the secret', () => {
    expect(() => signatureHeaders({ secret: 'whsec_not base64!', messageId: 'm', timestampSeconds: 5, body })).toThrow(
      new TypeError('webhook signing secret is not base64 (after an optional whsec_ prefix)'),
    );
    expect(() => signatureHeaders({ secret, messageId: 'm', timestampSeconds: 1.5, body })).toThrow(RangeError);
    expect(() => signatureHeaders({ secret, messageId: 'm', timestampSeconds: Date.now(), body })).not.toThrow();
  });
});

describe('signing secrets', () => {
  it('accepts whsec_ + base64 of 24 to 64 bytes', () => {
    expect(isValidSigningSecret(`whsec_${randomBytes(24).toString('base64')}`)).toBe(true);
    expect(isValidSigningSecret(`whsec_${randomBytes(32).toString('base64')}`)).toBe(true);
    expect(isValidSigningSecret(`whsec_${randomBytes(64).toString('base64')}`)).toBe(true);
    expect(isValidSigningSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(true);
  });

  it('refuses a missing prefix, a wrong size, or base64 that is not canonical', () => {
    const b64 = randomBytes(32).toString('base64');
    expect(isValidSigningSecret(b64)).toBe(false);
    expect(isValidSigningSecret(`WHSEC_${b64}`)).toBe(false);
    expect(isValidSigningSecret('whsec_')).toBe(false);
    expect(isValidSigningSecret(`whsec_${randomBytes(23).toString('base64')}`)).toBe(false);
    expect(isValidSigningSecret(`whsec_${randomBytes(65).toString('base64')}`)).toBe(false);
    // Unpadded, URL-safe, whitespace, or a stray character Node's decoder would silently skip.
    const padded = `whsec_${randomBytes(25).toString('base64')}`;
    expect(padded.endsWith('=')).toBe(true);
    expect(isValidSigningSecret(padded.replace(/=+$/, ''))).toBe(false);
    expect(isValidSigningSecret(`whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`)).toBe(false);
    expect(isValidSigningSecret(`whsec_${b64.slice(0, 20)} ${b64.slice(20)}`)).toBe(false);
    expect(isValidSigningSecret(`whsec_${b64}\n`)).toBe(false);
    expect(isValidSigningSecret(`whsec_${b64.slice(0, 20)}!${b64.slice(21)}`)).toBe(false);
    // Non-zero padding bits: decodes, but to the same bytes as another string.
    expect(isValidSigningSecret(`whsec_${Buffer.alloc(25, 1).toString('base64').replace(/Q==$/, 'R==')}`)).toBe(false);
  });
});
