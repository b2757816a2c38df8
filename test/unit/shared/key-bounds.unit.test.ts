import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPACE_ID_PATTERN } from '../../../src/config/config-schema.ts';
import { MAX_GROUP_ID_CHARS } from '../../../src/ingest/limits.ts';
import { validateEvent } from '../../../src/ingest/validate-event.ts';
import {
  identifierValueError,
  isStorableIdentifier,
  LMDB_MAX_KEY_BYTES,
  MAX_ID_BYTES,
  MAX_ID_TYPE_UNITS,
  MAX_SPACE_ID_BYTES,
} from '../../../src/shared/key-bounds.ts';

// Issue 9 classes 1 and 4: one byte bound on identifier values, derived from LMDB's key limit,
// used by ingestion and by the APIs; groupId's contract limit counted in characters on top.

const receivedAt = Date.parse('2024-05-01T12:00:00Z');

function codePoints(text: string): number {
  return [...text].length;
}

describe('the identifier bound', () => {
  it('is what the identity key [spaceId, type, value] leaves of LMDB’s limit, rounded down', () => {
    expect(MAX_ID_BYTES).toBe(1536);
    expect(MAX_SPACE_ID_BYTES + MAX_ID_TYPE_UNITS * 3 + MAX_ID_BYTES).toBeLessThan(LMDB_MAX_KEY_BYTES);
    // The space id bound is config's pattern's.
    expect(SPACE_ID_PATTERN.test('s'.repeat(MAX_SPACE_ID_BYTES))).toBe(true);
    expect(SPACE_ID_PATTERN.test('s'.repeat(MAX_SPACE_ID_BYTES + 1))).toBe(false);
  });

  it('is counted in UTF-8 bytes, the same by ingestion and by lookups (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('userId', 'anonymousId', 'previousId'), fc.string({ unit: 'binary', minLength: 300, maxLength: 900 }), (field, value) => {
        const fits = Buffer.byteLength(value, 'utf8') <= MAX_ID_BYTES;
        const result = validateEvent({ userId: 'u', previousId: 'p', [field]: value }, { type: 'alias', receivedAt });
        expect(result.ok ? undefined : result.error).toEqual(fits ? undefined : { code: 'id_too_long', message: `${field} is longer than 1536 UTF-8 bytes` });
        expect(identifierValueError(value, field)).toEqual(fits ? undefined : { code: 'id_too_long', message: `${field} is longer than 1536 UTF-8 bytes` });
        expect(isStorableIdentifier('user_id', value)).toBe(fits);
      }),
      { numRuns: 200 },
    );
  });

  it('holds at the exact edge for 1-, 2-, 3- and 4-byte characters', () => {
    for (const [char, bytes] of [['a', 1], ['é', 2], ['漢', 3], ['😀', 4]] as const) {
      const atLimit = char.repeat(Math.floor(MAX_ID_BYTES / bytes));
      expect(identifierValueError(atLimit, 'userId')).toBeUndefined();
      expect(identifierValueError(atLimit + char, 'userId')?.code).toBe('id_too_long');
    }
  });

  it('refuses an unpaired surrogate before measuring', () => {
    expect(identifierValueError('a\ud800', 'userId')).toEqual({
      code: 'invalid_unicode',
      message: 'userId holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)',
    });
  });

  it('bounds identifier types in UTF-16 units, as externalIds types are', () => {
    expect(isStorableIdentifier('t'.repeat(MAX_ID_TYPE_UNITS), 'v')).toBe(true);
    expect(isStorableIdentifier('t'.repeat(MAX_ID_TYPE_UNITS + 1), 'v')).toBe(false);
  });
});

describe('groupId: 500 characters, and bytes for the key', () => {
  it('accepts 400 CJK characters (1,200 bytes), the case of the issue', () => {
    const result = validateEvent({ userId: 'u', groupId: '漢'.repeat(400) }, { type: 'group', receivedAt });
    expect(result.ok && result.value.groupId).toBe('漢'.repeat(400));
  });

  it('is refused exactly when over 500 code points or over the byte bound (property)', () => {
    const groupId = fc.array(fc.constantFrom('a', 'é', '漢', '😀'), { minLength: 350, maxLength: 650 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(groupId, (value) => {
        const result = validateEvent({ userId: 'u', groupId: value }, { type: 'group', receivedAt });
        const expected =
          codePoints(value) > MAX_GROUP_ID_CHARS
            ? { code: 'id_too_long', message: 'groupId is longer than 500 characters' }
            : Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES
              ? { code: 'id_too_long', message: 'groupId is longer than 1536 UTF-8 bytes' }
              : undefined;
        expect(result.ok ? undefined : result.error).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
