import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the receiver checks
 * `webhook-signature` = `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), where the
 * key is the secret's base64 after its `whsec_` prefix. Signing is the official `standardwebhooks`
 * package's, so what we send is what receivers using it verify.
 */

const PREFIX = 'whsec_';
// The spec's secrets are 24 to 64 random bytes.
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

export interface SignatureInput {
  /** `whsec_` + base64 (the prefix is optional here, as in the spec's libraries). */
  readonly secret: string;
  /** The message's id, the same on every retry: receivers de-duplicate on `webhook-id`. */
  readonly messageId: string;
  /** Whole seconds since the epoch, of this attempt. */
  readonly timestampSeconds: number;
  /** The exact body sent: a different serialisation of the same JSON does not verify. */
  readonly body: string;
}

/**
 * The three headers to add to a request.
 *
 * @example signatureHeaders({ secret, messageId: 'troupe-…', timestampSeconds: 1767225600, body })
 * // { 'webhook-id': 'troupe-…', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,…' }
 */
export function signatureHeaders(input: SignatureInput): Record<string, string> {
  // Callers validate secrets when a destination is saved; these are programming errors. The
  // messages never include the secret.
  if (keyOf(input.secret) === undefined) throw new TypeError('webhook signing secret is not base64 (after an optional whsec_ prefix)');
  if (!Number.isSafeInteger(input.timestampSeconds) || input.timestampSeconds < 0) {
    throw new RangeError(`timestampSeconds must be whole seconds since the epoch, got ${input.timestampSeconds}`);
  }
  const signature = new Webhook(input.secret).sign(input.messageId, new Date(input.timestampSeconds * 1000), input.body);
  return {
    'webhook-id': input.messageId,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': signature,
  };
}

/** A secret a destination may be saved with: `whsec_` + canonical base64 of 24 to 64 bytes. */
export function isValidSigningSecret(secret: string): boolean {
  if (!secret.startsWith(PREFIX)) return false;
  const key = keyOf(secret);
  return key !== undefined && key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES;
}

/**
 * The key bytes, or undefined when the base64 is not canonical (padded, no stray characters or
 * bits): Node's decoder skips what it cannot read, so a mistyped secret would sign with another key.
 */
function keyOf(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (encoded.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 && key.toString('base64') === encoded ? key : undefined;
}
