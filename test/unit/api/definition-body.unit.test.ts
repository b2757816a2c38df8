import { describe, expect, it } from 'vitest';
import { parseCreateBody, parsePatchBody } from '../../../src/api/definitions/definition-body.ts';
import { definitionJson } from '../../../src/api/definitions/definition-view.ts';
import type { DefinitionRecord } from '../../../src/definitions/definition-record.ts';
import { parseDefinition } from '../../../src/definitions/parse-definition.ts';

const QUERY = "event('Order Completed').count() >= 1";

describe('parseCreateBody', () => {
  it('fills the defaults: USERS, enabled, historical data on, anonymous users off', () => {
    expect(parseCreateBody({ name: 'Buyers', definition: { query: QUERY } }, 'audience')).toEqual({
      ok: true,
      value: { kind: 'audience', name: 'Buyers', query: QUERY, target: 'USERS', enabled: true, options: { includeHistoricalData: true, includeAnonymousUsers: false } },
    });
  });

  it('keeps every given field; null description and null backfillEventDataDays read as absent', () => {
    const body = {
      name: 'Accounts',
      key: 'big_accounts',
      description: null,
      definition: { query: QUERY, type: 'ACCOUNTS' },
      enabled: false,
      options: { includeHistoricalData: false, backfillEventDataDays: null, includeAnonymousUsers: true },
    };
    expect(parseCreateBody(body, 'computed_trait')).toEqual({
      ok: true,
      value: { kind: 'computed_trait', name: 'Accounts', key: 'big_accounts', query: QUERY, target: 'ACCOUNTS', enabled: false, options: { includeHistoricalData: false, includeAnonymousUsers: true } },
    });
  });

  it('counts the name in characters, not UTF-16 units', () => {
    expect(parseCreateBody({ name: '😀'.repeat(200), definition: { query: QUERY } }, 'audience').ok).toBe(true);
    expect(parseCreateBody({ name: '😀'.repeat(201), definition: { query: QUERY } }, 'audience')).toMatchObject({ ok: false, error: { code: 'invalid_body' } });
  });

  it('names an unknown field without echoing a huge one', () => {
    const result = parseCreateBody({ name: 'x', definition: { query: QUERY }, ['k'.repeat(1_000)]: 1 }, 'audience');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.length).toBeLessThan(300);
  });
});

describe('parsePatchBody', () => {
  it('a body with `key` is key_immutable whatever else it holds', () => {
    expect(parsePatchBody({ key: 'x', name: 'ok' })).toMatchObject({ ok: false, error: { code: 'key_immutable' } });
    expect(parsePatchBody({ key: 'x', colour: 1 })).toMatchObject({ ok: false, error: { code: 'key_immutable' } });
  });

  it('only the given fields; the type is handed back for the route to compare', () => {
    expect(parsePatchBody({})).toEqual({ ok: true, value: { patch: {} } });
    expect(parsePatchBody({ enabled: false, definition: { query: QUERY, type: 'USERS' } })).toEqual({
      ok: true,
      value: { patch: { enabled: false, query: QUERY }, target: 'USERS' },
    });
  });

  it('options are fixed at creation', () => {
    expect(parsePatchBody({ options: {} })).toMatchObject({ ok: false, error: { code: 'invalid_body', message: expect.stringContaining('`options`') } });
  });
});

describe('definitionJson', () => {
  const parsed = parseDefinition(QUERY, { kind: 'audience' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const record: DefinitionRecord = {
    id: 'aud_1',
    spaceId: 'default',
    kind: 'audience',
    key: 'buyers',
    name: 'Buyers',
    query: QUERY,
    target: 'USERS',
    ast: parsed.value,
    revision: 1,
    enabled: true,
    options: { includeHistoricalData: true, backfillEventDataDays: 7, includeAnonymousUsers: false },
    lifecycle: { status: 'Computing', progress: 0.25 },
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 2),
  };

  it('shows progress while Computing, the size of an audience, ISO times', () => {
    expect(definitionJson({ record, size: 3 })).toEqual({
      id: 'aud_1',
      key: 'buyers',
      name: 'Buyers',
      description: null,
      definition: { query: QUERY, type: 'USERS' },
      enabled: true,
      status: 'Computing',
      progress: 0.25,
      size: 3,
      options: { includeHistoricalData: true, backfillEventDataDays: 7, includeAnonymousUsers: false },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('shows the reason when Failed, and no size for a computed trait', () => {
    const failed = definitionJson({ record: { ...record, kind: 'computed_trait', lifecycle: { status: 'Failed', reason: 'disk full' } }, size: undefined });
    expect(failed).toMatchObject({ status: 'Failed', reason: 'disk full' });
    expect(failed).not.toHaveProperty('size');
    expect(failed).not.toHaveProperty('progress');
  });
});
