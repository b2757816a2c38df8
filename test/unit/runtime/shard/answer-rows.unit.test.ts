import { describe, expect, it } from 'vitest';
import { emptyProfile, type ProfileState, type TraitEntry } from '../../../../src/actors/profile-state.ts';
import { AnswerRows } from '../../../../src/runtime/shard/answer-rows.ts';
import { ANY_TRAIT } from '../../../../src/runtime/shard/trait-changes.ts';
import { compileShardDefinitions } from '../../../../src/runtime/shard/shard-definitions.ts';
import { asProfileId, asSpaceId } from '../../../../src/shared/ids.ts';
import { definitionRecord } from '../../../support/definition-record.ts';

const buyer = definitionRecord({ id: 'aud_1', key: 'buyer', kind: 'audience', query: "event('Order Completed').count() >= 1" });
const spend = definitionRecord({ id: 'trt_1', key: 'spend', kind: 'computed_trait', query: "event('Order Completed').sum(property('total'))" });
const plan = definitionRecord({ id: 'trt_2', key: 'plan', kind: 'computed_trait', query: "event('Order Completed').last(property('plan'))" });
const twoDefinitions = compileShardDefinitions([buyer, spend], 1).forSpace('default').users;

const entry = (value: TraitEntry['value'], updatedAt = 10, sourceId = 'default'): TraitEntry => ({ value, updatedAt, sourceId });

function profile(traits: Record<string, TraitEntry>): ProfileState {
  const origin = { messageId: 'm1', sourceId: 'src', receivedAt: 1 };
  return { ...emptyProfile(asProfileId('use_1'), asSpaceId('default'), origin, 1), traits };
}

describe('answer rows', () => {
  it('keeps the answers out of the record, and its absent fields too', () => {
    const traits = { plan: entry('pro', 5, 'src'), buyer: entry(true), spend: entry(42.5, 11) };
    const record = new AnswerRows().record({ ...profile(traits), compute: { layout: 1, slots: [] }, links: undefined }, twoDefinitions);
    expect(record.traits).toEqual({ plan: traits.plan });
    expect(Object.keys(record)).not.toContain('compute');
    expect(Object.keys(record)).not.toContain('links');
    expect(Object.keys(record)).not.toContain('collection');
  });

  it('writes every answer the first time, then only the answers whose entry changed', () => {
    const rows = new AnswerRows();
    const bought = entry(true);
    const first = profile({ buyer: bought, spend: entry(10) });
    expect(rows.writes(undefined, first, twoDefinitions)).toEqual({ puts: [['buyer', bought], ['spend', first.traits.spend]], removes: [] });
    const moved = entry(25, 20);
    const second = profile({ buyer: bought, spend: moved, plan: entry('pro') });
    expect(rows.writes(first, second, twoDefinitions)).toEqual({ puts: [['spend', moved]], removes: [] });
    expect(rows.writes(second, second, twoDefinitions)).toEqual({ puts: [], removes: [] });
    expect(rows.writes(second, profile({ buyer: bought, plan: entry('pro') }), twoDefinitions)).toEqual({ puts: [], removes: ['spend'] });
  });

  it("under new definitions writes the answers of the keys that became a definition's, and every answer once the profile was forgotten", () => {
    const rows = new AnswerRows();
    const userPlan = entry('pro', 5, 'src');
    const state = profile({ buyer: entry(true), plan: userPlan });
    rows.writes(undefined, state, twoDefinitions);
    // `plan` becomes a definition's key: its value leaves the record for a row, though unchanged;
    // `buyer`'s row is in LMDB already and stays as it is.
    const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;
    expect(rows.writes(state, state, threeDefinitions).puts.map(([key]) => key)).toEqual(['plan']);
    expect(rows.record(state, threeDefinitions).traits).toEqual({});
    rows.forget(state.id);
    expect(rows.writes(state, state, threeDefinitions).puts.map(([key]) => key)).toEqual(['buyer', 'plan']);
  });

  it('under a set that gained a definition, writes that answer and the ones that moved, not the others again', () => {
    const rows = new AnswerRows();
    const before = profile({ buyer: entry(true), spend: entry(10) });
    rows.writes(undefined, before, twoDefinitions);
    const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;
    const planned = entry('gold', 30);
    const spent = entry(12, 30);
    const after = profile({ buyer: before.traits.buyer!, spend: spent, plan: planned });
    expect(rows.writes(before, after, threeDefinitions)).toEqual({ puts: [['spend', spent], ['plan', planned]], removes: [] });
  });

  describe('sameRecordTraits: whether the record LMDB holds needs no rewrite', () => {
    const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;
    const written = (state: ProfileState, set = twoDefinitions): AnswerRows => {
      const rows = new AnswerRows();
      rows.writes(undefined, state, set);
      return rows;
    };

    it('holds when only answers moved, or when the set gained a key the profile has no trait under', () => {
      const before = profile({ email: entry('a@x.io'), buyer: entry(true), spend: entry(10) });
      const after = profile({ email: before.traits.email!, buyer: entry(false, 20), spend: entry(11, 20) });
      expect(written(before).sameRecordTraits(before, after, twoDefinitions)).toBe(true);
      expect(written(before).sameRecordTraits(before, { ...after, traits: { ...after.traits, plan: entry('gold', 20) } }, threeDefinitions)).toBe(true);
    });

    it('fails when a trait outside the answers moved, came or went', () => {
      const before = profile({ email: entry('a@x.io'), buyer: entry(true) });
      const rows = written(before);
      expect(rows.sameRecordTraits(before, profile({ email: entry('b@x.io'), buyer: entry(true) }), twoDefinitions)).toBe(false);
      expect(rows.sameRecordTraits(before, profile({ buyer: entry(true) }), twoDefinitions)).toBe(false);
      expect(rows.sameRecordTraits(before, profile({ ...before.traits, name: entry('Ada') }), twoDefinitions)).toBe(false);
    });

    it("fails when a trait of the record became a definition's answer, or an answer's definition went", () => {
      const userPlan = entry('pro', 5, 'src');
      const withPlan = profile({ buyer: entry(true), plan: userPlan });
      // The record holds `plan`; under three definitions it must not.
      expect(written(withPlan).sameRecordTraits(withPlan, withPlan, threeDefinitions)).toBe(false);
      // `spend` was a row; with its definition gone it belongs in the record.
      const spent = profile({ buyer: entry(true), spend: entry(10) });
      const buyerOnly = compileShardDefinitions([buyer], 3).forSpace('default').users;
      expect(written(spent).sameRecordTraits(spent, spent, buyerOnly)).toBe(false);
    });

    it('with the changed keys known, holds exactly when every one is an answer', () => {
      const before = profile({ email: entry('a@x.io'), buyer: entry(true), spend: entry(10) });
      const after = profile({ email: entry('b@x.io', 20), buyer: entry(false, 20), spend: before.traits.spend! });
      const rows = written(before);
      expect(rows.sameRecordTraits(before, after, twoDefinitions, new Set(['buyer']))).toBe(true);
      expect(rows.sameRecordTraits(before, after, twoDefinitions, new Set(['buyer', 'email']))).toBe(false);
      // Under another set the keys changed are not enough: every trait is compared.
      expect(rows.sameRecordTraits(before, after, threeDefinitions, new Set(['buyer']))).toBe(false);
    });

    it('for a profile not written since it was loaded, holds only for the same traits object', () => {
      const state = profile({ buyer: entry(true) });
      const rows = new AnswerRows();
      expect(rows.sameRecordTraits(state, state, twoDefinitions)).toBe(true);
      expect(rows.sameRecordTraits(state, profile({ buyer: entry(false, 20) }), twoDefinitions)).toBe(false);
    });
  });

  describe('with the keys a delivery changed', () => {
    it('writes the changed answers among those keys, ignoring keys that are no answer', () => {
      const rows = new AnswerRows();
      const before = profile({ buyer: entry(true), spend: entry(10), plan: entry('pro') });
      rows.writes(undefined, before, twoDefinitions);
      const spent = entry(12, 30);
      const after = profile({ buyer: before.traits.buyer!, spend: spent, plan: entry('gold', 30) });
      expect(rows.writes(before, after, twoDefinitions, new Set(['spend', 'plan']))).toEqual({ puts: [['spend', spent]], removes: [] });
      expect(rows.writes(after, profile({ buyer: entry(false, 40), plan: after.traits.plan! }), twoDefinitions, new Set(['buyer', 'spend']))).toEqual({
        puts: [['buyer', entry(false, 40)]],
        removes: ['spend'],
      });
    });

    it('still writes every answer of a profile not written since its load', () => {
      const state = profile({ buyer: entry(true), spend: entry(10) });
      expect(new AnswerRows().writes(state, state, twoDefinitions, new Set()).puts.map(([key]) => key)).toEqual(['buyer', 'spend']);
    });

    it('makes the record from the last one when only answers changed, and applies changed traits of its own', () => {
      const rows = new AnswerRows();
      const email = entry('a@x.io');
      const before = profile({ email, buyer: entry(true), spend: entry(10) });
      const first = rows.record(before, twoDefinitions).traits;
      expect(first).toEqual({ email });
      const answered = profile({ email, buyer: entry(false, 20), spend: entry(11, 20) });
      // The same traits the record held: the same object, not a copy made by scanning every trait.
      expect(rows.record(answered, twoDefinitions, { traits: before.traits, changes: new Set(['buyer', 'spend']) }).traits).toBe(first);
      const renamed = entry('b@x.io', 30);
      const plan = entry('pro', 30);
      const identified = profile({ ...answered.traits, email: renamed, plan });
      expect(rows.record(identified, twoDefinitions, { traits: answered.traits, changes: new Set(['email', 'plan']) }).traits).toEqual({ email: renamed, plan });
      const dropped = profile({ buyer: answered.traits.buyer!, plan });
      expect(rows.record(dropped, twoDefinitions, { traits: identified.traits, changes: new Set(['email']) }).traits).toEqual({ plan });
    });

    it('scans every trait when the changes are not known, or the last record was split under other keys', () => {
      const rows = new AnswerRows();
      const userPlan = entry('pro', 5, 'src');
      const before = profile({ buyer: entry(true), plan: userPlan });
      rows.record(before, twoDefinitions);
      const threeDefinitions = compileShardDefinitions([buyer, spend, plan], 2).forSpace('default').users;
      const after = profile({ buyer: entry(false, 20), plan: userPlan });
      // Under three definitions `plan` is an answer: the last split (under two) is no base.
      expect(rows.record(after, threeDefinitions, { traits: before.traits, changes: new Set(['buyer']) }).traits).toEqual({});
      const email = entry('a@x.io');
      expect(rows.record(profile({ buyer: entry(true, 30), plan: userPlan, email }), twoDefinitions, { traits: after.traits, changes: ANY_TRAIT }).traits).toEqual({ plan: userPlan, email });
    });
  });
});
