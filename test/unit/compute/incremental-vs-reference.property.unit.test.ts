import { describe, it } from 'vitest';
import { compileDefinition } from '../../../src/compute/compile-definition.ts';
import { computedTraitArb } from '../../support/reference/definition-arbitraries.ts';
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
});
