import { describe, expect, it } from 'vitest';
import { newProfileId } from '../../../src/runtime/profile-id.ts';

describe('newProfileId', () => {
  it('mints Segment-shaped ids that sort in creation order, many per millisecond included', () => {
    const ids = Array.from({ length: 5000 }, () => newProfileId());
    for (const id of ids) expect(id).toMatch(/^use_[0-9A-Za-z]{27}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // "The profile created first" wins a merge; a createdAt tie is broken by id.
    expect([...ids].sort()).toEqual(ids);
  });
});
