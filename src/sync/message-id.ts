import { createHash } from 'node:crypto';

/**
 * A sync message's `messageId`. It is derived, not random, so that building the same message again
 * (a retry, a replay after a crash) gives the same id and a receiver can de-duplicate on it. The
 * parts are hashed as a JSON array rather than joined with a separator: identifiers are arbitrary
 * strings (a NUL included), and `['a', 'b c']` must never hash like `['a b', 'c']`.
 *
 * @example syncMessageId('chg_1', 'email', 'ann@example.com') // 'troupe-' + 32 hex digits
 */
export function syncMessageId(seed: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify([seed, ...parts])).digest('hex');
  return `troupe-${digest.slice(0, 32)}`;
}
