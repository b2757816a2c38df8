import { describe, it } from 'vitest';
import { compileDefinition } from '../../../src/compute/compile-definition.ts';
import { computedTraitArb, funnelAudienceArb } from '../../support/reference/definition-arbitraries.ts';
import { checkIncrementalAgainstReference } from '../../support/reference/incremental-harness.ts';

// The incremental evaluators (src/compute) against the obviously correct reference
// (test/support/reference): random definitions, event streams (late, future-dated, merged),
// trait changes and clock advances give the same answer at every instant checked, and the next
// change is never missed.
describe('incremental evaluators agree with the reference', () => {
  it('on replays in arrival order, at every instant, with exact next-change instants', () => {
    checkIncrementalAgainstReference(compileDefinition, { numRuns: 300, only: 'replay', endOnFailure: true });
  }, 120_000);

  it('on merged profiles', () => {
    checkIncrementalAgainstReference(compileDefinition, { numRuns: 300, only: 'merge', endOnFailure: true });
  }, 120_000);

  // Histories long enough that a window's occurrences span several segments (segmented-list.ts:
  // 64 a segment), with late events splitting them, merges cutting them afresh.
  it('on long histories of computed traits', () => {
    checkIncrementalAgainstReference(compileDefinition, { numRuns: 12, events: { min: 150, max: 400 }, definitions: computedTraitArb({ funnels: false }), endOnFailure: true });
  }, 120_000);

  // Funnels over histories long enough that parents settle (settle-funnel.ts) and late children
  // reopen them, on replays and merges.
  it('on funnels over longer histories', () => {
    checkIncrementalAgainstReference(compileDefinition, { numRuns: 150, events: { min: 20, max: 80 }, definitions: funnelAudienceArb(), endOnFailure: true });
  }, 120_000);
});
