import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSourceId } from '../../../src/config/source-id.ts';
import { validateConfig } from '../../../src/config/validate-config.ts';
import { validRawConfig } from './config-fixture.ts';

describe('deriveSourceId', () => {
  it('is src_ + the first 12 hex digits of the key\'s SHA-256 (contract "Details fixed")', () => {
    const independent = `src_${createHash('sha256').update('dev-write-key').digest('hex').slice(0, 12)}`;
    expect(deriveSourceId('dev-write-key')).toBe(independent);
    // Pinned as a literal too: a changed derivation would orphan every stored source_id.
    expect(deriveSourceId('dev-write-key')).toBe('src_2cc827ddd1d1');
  });

  it('is stable and differs between keys', () => {
    expect(deriveSourceId('k1')).toBe(deriveSourceId('k1'));
    expect(deriveSourceId('k1')).not.toBe(deriveSourceId('k2'));
    expect(deriveSourceId('ключ-🔑')).toMatch(/^src_[0-9a-f]{12}$/);
  });

  it('gives a bare-string write key that source id, named after it', () => {
    const r = validateConfig(validRawConfig());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.spaces[0]?.writeKeys).toEqual([{ key: 'wk-a', sourceId: deriveSourceId('wk-a'), name: deriveSourceId('wk-a') }]);
  });
});
