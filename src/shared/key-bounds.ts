import type { ErrorData } from './errors.ts';
import { exceedsUtf8Bytes } from './text-size.ts';
import { isWellFormed, LONE_SURROGATE_PROBLEM } from './well-formed.ts';

/**
 * Bounds on outside strings that become parts of LMDB keys, in one place: ingestion validation
 * refuses what is over them, and the APIs answer a lookup of something over them with 404 (it
 * cannot exist) instead of handing LMDB a key it refuses (`Key size is larger than the maximum
 * key size`, a 500).
 */

/** lmdb-js refuses a key longer than this many bytes (LMDB's compiled-in maximum). */
export const LMDB_MAX_KEY_BYTES = 1_978;

/** Space ids are config's `[A-Za-z0-9_-]{1,64}` (`SPACE_ID_PATTERN`): ASCII, one byte each. */
export const MAX_SPACE_ID_BYTES = 64;

/**
 * Identifier types (`context.externalIds[].type`, a lookup's `{id_type}`), in UTF-16 units, so at
 * most 3 UTF-8 bytes each.
 */
export const MAX_ID_TYPE_UNITS = 100;

/**
 * What lmdb-js's key encoding (ordered-binary) adds around the parts of a composite key: an escape
 * byte per part at most and a separator between parts. Measured: a [64, 300, 1600]-byte identity
 * key fits and a [64, 300, 1620]-byte one does not; 16 keeps a margin.
 */
const KEY_ENCODING_OVERHEAD_BYTES = 16;

/**
 * UTF-8 bytes of an identifier value: userId, anonymousId, previousId, groupId, an email, an
 * externalIds id, a suppressed userId. The largest key holding one is the identity index's
 * `[spaceId, type, value]`, so a value gets what LMDB's limit leaves after the other two parts at
 * their largest (1,598 bytes), rounded down to 1.5 KiB: 1,536. That still takes a groupId of 500
 * CJK characters (1,500 bytes), the contract's character limit.
 */
export const MAX_ID_BYTES =
  Math.floor((LMDB_MAX_KEY_BYTES - MAX_SPACE_ID_BYTES - MAX_ID_TYPE_UNITS * 3 - KEY_ENCODING_OVERHEAD_BYTES) / 512) * 512;

/**
 * Profile ids this engine mints are 31 ASCII characters (`use_…`, `acc_…`); a lookup by a longer
 * one cannot find anything. 64 leaves room for a change of format.
 */
export const MAX_PROFILE_ID_UNITS = 64;

/**
 * Why `value` cannot be an identifier value, as the 400 naming `field`; undefined when it can.
 *
 * @example
 * identifierValueError('x'.repeat(2000), 'userId')
 * // → { code: 'id_too_long', message: 'userId is longer than 1536 UTF-8 bytes' }
 */
export function identifierValueError(value: string, field: string): ErrorData | undefined {
  if (!isWellFormed(value)) return { code: 'invalid_unicode', message: `${field} ${LONE_SURROGATE_PROBLEM}` };
  if (exceedsUtf8Bytes(value, MAX_ID_BYTES)) return { code: 'id_too_long', message: `${field} is longer than ${MAX_ID_BYTES} UTF-8 bytes` };
  return undefined;
}

/** Whether an identifier type and value from outside are within what ingestion ever stores. */
export function isStorableIdentifier(type: string, value: string): boolean {
  return type.length <= MAX_ID_TYPE_UNITS && !exceedsUtf8Bytes(value, MAX_ID_BYTES);
}
