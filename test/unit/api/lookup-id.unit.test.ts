import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLookupId } from '../../../src/api/profiles/lookup-id.ts';
import { MAX_ID_BYTES, MAX_ID_TYPE_UNITS, MAX_PROFILE_ID_UNITS } from '../../../src/shared/key-bounds.ts';

// Issue 9 classes 1 and 2 at the Profile API's edge: a lookup id is bounded by what ingestion
// stores (over it: undefined, answered 404) and must be valid Unicode (else a 400).

describe('parseLookupId', () => {
  it('reads type and value, and a bare profile id', () => {
    expect(parseLookupId('email:a:b')).toEqual({ ok: true, value: { kind: 'identifier', identifier: { type: 'email', value: 'a:b' } } });
    expect(parseLookupId('use_abc')).toEqual({ ok: true, value: { kind: 'profile', profileId: 'use_abc' } });
  });

  it('finds nothing by an id over the bounds, and keeps every id within them (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }).filter((t) => !t.includes(':')), fc.string({ unit: 'binary', maxLength: 900 }), (type, value) => {
        const parsed = parseLookupId(`${type}:${value}`);
        const storable = type.length <= MAX_ID_TYPE_UNITS && Buffer.byteLength(value) <= MAX_ID_BYTES;
        expect(parsed).toEqual({ ok: true, value: storable ? { kind: 'identifier', identifier: { type, value } } : undefined });
      }),
    );
    expect(parseLookupId('p'.repeat(MAX_PROFILE_ID_UNITS))).toMatchObject({ ok: true, value: { kind: 'profile' } });
    expect(parseLookupId('p'.repeat(MAX_PROFILE_ID_UNITS + 1))).toEqual({ ok: true, value: undefined });
  });

  it('refuses an unpaired surrogate in either half with invalid_unicode', () => {
    for (const segment of ['user_id:a\ud800', 'ty\udc00pe:v', '\ud800']) {
      expect(parseLookupId(segment)).toEqual({
        ok: false,
        error: { code: 'invalid_unicode', message: 'The profile id in the path holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly).' },
      });
    }
  });
});
