import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogCursor } from '../../src/api/log-cursor.ts';
import { decodeEventCursor } from '../../src/api/profiles/cursor.ts';
import { parseLookupId } from '../../src/api/profiles/lookup-id.ts';
import { MAX_MESSAGE_ID_CHARS } from '../../src/ingest/limits.ts';
import { createMergeLog } from '../../src/runtime/merge-log.ts';
import { newestFirst } from '../../src/runtime/newest-first.ts';
import { createProfileReader } from '../../src/runtime/profile-reader.ts';
import { asProfileId, asSpaceId } from '../../src/shared/ids.ts';
import { MAX_ID_BYTES, MAX_ID_TYPE_UNITS, MAX_PROFILE_ID_UNITS, MAX_SPACE_ID_BYTES } from '../../src/shared/key-bounds.ts';
import { openEngineStore, type EngineStore, type GraphUpdateKey, type InsightKey } from '../../src/store/engine-store.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// Issue 9 class 1, against real LMDB: the largest keys the bounds allow are stored, and whatever a
// client puts in a lookup id or a cursor either is refused first or makes a key LMDB takes.

const dir = makeTempDir('key-bounds');
let store: EngineStore;

beforeAll(() => {
  store = openEngineStore(dir.path);
});

afterAll(async () => {
  await store.close();
  dir.remove();
});

/** A character of 3 UTF-8 bytes that the key encoding writes without escapes. */
const WIDE = '\u0800';

describe('the largest keys the bounds allow', () => {
  it('stores an identity key of the longest space id, type and value', async () => {
    const key: [string, string, string] = ['s'.repeat(MAX_SPACE_ID_BYTES), WIDE.repeat(MAX_ID_TYPE_UNITS), WIDE.repeat(MAX_ID_BYTES / 3)];
    await store.identity.put(key, 'use_x');
    expect(store.identity.get(key)).toBe('use_x');
    // The bound has margin: a third of a type over would not fit, which is why types are bounded.
    // (lmdb-js throws synchronously, before any promise exists.)
    const overBy30 = async (): Promise<unknown> => store.identity.put([key[0], key[1], WIDE.repeat(MAX_ID_BYTES / 3 + 30)], 'use_y');
    await expect(overBy30()).rejects.toThrow(/Key size is larger than the maximum key size/);
  });

  it('stores a suppression, an event, a dedup mark and a merge-log row with the longest ids', async () => {
    const space = 's'.repeat(MAX_SPACE_ID_BYTES);
    const messageId = '😀'.repeat(MAX_MESSAGE_ID_CHARS);
    const profileId = 'p'.repeat(MAX_PROFILE_ID_UNITS);
    await store.suppressions.put([space, '😀'.repeat(MAX_ID_BYTES / 4)], 1);
    await store.dedup.put([space, messageId], 1);
    await store.graphUpdates.put([space, 1, messageId, profileId], { at: 1 } as never);
    expect(store.suppressions.get([space, '😀'.repeat(MAX_ID_BYTES / 4)])).toBe(1);
    expect(store.dedup.get([space, messageId])).toBe(1);
  });
});

describe('outside input never reaches LMDB as a key it refuses (property)', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.string({ unit: 'binary', minLength: 500, maxLength: 3000 }),
    fc.integer({ min: 1, max: 100_000 }).map((n) => 'x'.repeat(n)),
  );

  it('Profile API and deletion lookup ids', () => {
    const reader = createProfileReader(store);
    fc.assert(
      fc.property(fc.oneof(anyText, fc.tuple(anyText, anyText).map(([t, v]) => `${t}:${v}`)), (segment) => {
        const parsed = parseLookupId(segment);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok || parsed.value === undefined) return;
        expect(() => reader.findProfile(asSpaceId('s'.repeat(MAX_SPACE_ID_BYTES)), parsed.value!)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('events cursors', () => {
    const reader = createProfileReader(store);
    const profile = { id: asProfileId('use_cursor'), mergedFrom: [] } as unknown as Parameters<typeof reader.events>[0];
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), anyText, (timestamp, messageId) => {
        const cursor = Buffer.from(`${timestamp}::${messageId}`, 'utf8').toString('base64url');
        const after = decodeEventCursor(cursor);
        if (after === undefined) return;
        expect([...after.messageId].length).toBeLessThanOrEqual(MAX_MESSAGE_ID_CHARS);
        expect(() => [...reader.events(profile, { from: 0, to: 2e15, order: 'desc', after })]).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('insights and merge-log cursors', () => {
    const mergeLog = createMergeLog(store);
    const part = fc.oneof(anyText, fc.double(), fc.integer());
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (rest) => {
        const cursor = Buffer.from(JSON.stringify(rest), 'utf8').toString('base64url');
        const graph = decodeLogCursor(cursor, 'default', ['number', 'message_id', 'profile_id']);
        if (graph !== null) expect(() => mergeLog.list(asSpaceId('default'), 5, graph as GraphUpdateKey)).not.toThrow();
        const insight = decodeLogCursor(cursor, 'default', ['number', 'number']);
        if (insight !== null) expect(() => newestFirst(store.insights, 'default', 5, insight as InsightKey)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a log cursor spelling an unpaired surrogate or an over-long id', () => {
    const encode = (rest: unknown[]): string => Buffer.from(JSON.stringify(rest), 'utf8').toString('base64url');
    expect(decodeLogCursor(encode([1, 'm\ud800', 'use_x']), 'default', ['number', 'message_id', 'profile_id'])).toBeNull();
    expect(decodeLogCursor(encode([1, 'm'.repeat(101), 'use_x']), 'default', ['number', 'message_id', 'profile_id'])).toBeNull();
    expect(decodeLogCursor(encode([1, 'm', 'p'.repeat(65)]), 'default', ['number', 'message_id', 'profile_id'])).toBeNull();
    expect(decodeLogCursor(encode([1, 'm', 'use_x']), 'default', ['number', 'message_id', 'profile_id'])).toEqual(['default', 1, 'm', 'use_x']);
  });
});
