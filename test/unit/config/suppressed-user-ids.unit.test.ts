import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { MAX_ID_BYTES } from '../../../src/shared/key-bounds.ts';
import { configWith } from './config-fixture.ts';

// Issue 9 classes 1 and 2: a suppressed userId is a userId, bounded like every identifier, so a
// config entry ingestion could never match stops start-up naming the key.

describe('config suppressedUserIds', () => {
  it('accepts a userId of exactly the identifier bound', () => {
    const r = validateConfig(configWith(['spaces', 0, 'suppressedUserIds'], ['é'.repeat(MAX_ID_BYTES / 2)]));
    expect(r.ok).toBe(true);
  });

  it.each([
    ['over the identifier bound', 'x'.repeat(MAX_ID_BYTES + 1), 'config.spaces[0].suppressedUserIds[1] is longer than 1536 UTF-8 bytes'],
    ['with an unpaired surrogate', 'u\udc00', 'config.spaces[0].suppressedUserIds[1] holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)'],
  ])('refuses one %s, naming it', (_name, userId, message) => {
    expect(validateConfig(configWith(['spaces', 0, 'suppressedUserIds'], ['fine', userId]))).toEqual({
      ok: false,
      error: { key: 'config.spaces[0].suppressedUserIds[1]', message },
    });
  });
});
